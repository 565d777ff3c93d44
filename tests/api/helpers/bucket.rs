//! The test bucket: posting a signed form to it as a browser does, reading S3's
//! answers, and looking at what was stored.

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use postbox::storage::Storage;
use reqwest::multipart::{Form, Part};

use super::TestApp;

/// A form as a browser sees it: where it posts and its fields in order.
#[derive(Debug, Clone)]
pub struct BrowserForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl BrowserForm {
    /// A form from `{"url", "fields"}` JSON (the API's and `presign post`'s shape).
    /// The suite enables serde_json's preserve_order, so fields keep the answer's order.
    pub fn from_json(json: &serde_json::Value) -> Self {
        Self {
            action: json["url"].as_str().unwrap().to_owned(),
            fields: json["fields"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
        }
    }

    pub fn field(&self, name: &str) -> &str {
        &self.fields.iter().find(|(n, _)| n == name).unwrap().1
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.fields.iter_mut().find(|(n, _)| n == name).unwrap().1 = value.to_owned();
    }

    /// Posts the fields, then `file` last, as a browser does.
    pub async fn post(&self, file_name: &str, content: Vec<u8>) -> S3Answer {
        self.post_from(None, file_name, content).await
    }

    /// Posts like [`Self::post`], as a page from `origin` does when given one.
    pub async fn post_from(
        &self,
        origin: Option<&str>,
        file_name: &str,
        content: Vec<u8>,
    ) -> S3Answer {
        let mut form = Form::new();
        for (name, value) in &self.fields {
            form = form.text(name.clone(), value.clone());
        }
        let file_type = self
            .fields
            .iter()
            .find(|(n, _)| n == "Content-Type")
            .map_or("application/octet-stream", |(_, v)| v.as_str())
            .to_owned();
        form = form.part(
            "file",
            Part::bytes(content)
                .file_name(file_name.to_owned())
                .mime_str(&file_type)
                .unwrap(),
        );
        let mut request = reqwest::Client::new().post(&self.action).multipart(form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.expect("the bucket answers");
        S3Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }
}

/// What the bucket answered.
#[derive(Debug)]
pub struct S3Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl S3Answer {
    /// The text of the first `<tag>` in the XML body.
    pub fn xml(&self, tag: &str) -> Option<String> {
        xml_text(&self.body, tag)
    }

    /// Status and error `<Code>` (empty when there is none), to compare at once.
    pub fn refusal(&self) -> (u16, String) {
        (self.status, self.xml("Code").unwrap_or_default())
    }
}

/// The text of the first `<tag>` in an XML body.
pub fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{tag}>"))?;
    Some(body[start..end].to_owned())
}

/// Status and error `<Code>` of an S3 answer read with reqwest.
pub async fn refusal(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    (status, xml_text(&body, "Code").unwrap_or_default())
}

/// Stores `body` at `key` straight in the bucket, as setup for a test.
pub async fn put_object(storage: &Storage, key: &str, body: &[u8]) {
    storage
        .client()
        .put_object()
        .bucket(storage.bucket())
        .key(key)
        .body(body.to_vec().into())
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the bucket stores {key}: {}",
                postbox::storage::error_chain(&e)
            )
        });
}

/// The object at `key` in the bucket of `storage`, which must be there.
pub async fn object(storage: &Storage, key: &str) -> GetObjectOutput {
    storage
        .client()
        .get_object()
        .bucket(storage.bucket())
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("object {key} is there: {e:?}"))
}

/// Every key stored under `prefix` in the bucket of `storage`.
pub async fn keys_under(storage: &Storage, prefix: &str) -> Vec<String> {
    let listed = storage
        .client()
        .list_objects_v2()
        .bucket(storage.bucket())
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

/// What the app's bucket holds.
impl TestApp {
    /// Every key stored under `prefix`.
    pub async fn keys_under(&self, prefix: &str) -> Vec<String> {
        keys_under(&self.storage, prefix).await
    }

    pub async fn all_keys(&self) -> Vec<String> {
        self.keys_under("").await
    }

    pub async fn object(&self, key: &str) -> GetObjectOutput {
        object(&self.storage, key).await
    }
}
