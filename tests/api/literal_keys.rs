//! Keys are literal: `uploads/../users/bob/x` passes `starts-with uploads/`, and a
//! filesystem bucket would store it in bob's folder. The embedded bucket refuses such
//! keys on every operation before its filesystem sees them, and the app refuses them on
//! every route that takes a key. It serves its one bucket only: a write naming another
//! creates no bucket.

use std::time::Duration;

use serde_json::json;

use aws_sdk_s3::error::ProvideErrorMetadata;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Options, TestApp, put_object, spawn_app, spawn_app_with, xml_text};

/// Keys that climb out of `uploads/` or would not read the same as a path.
const CLIMBING: &[&str] = &[
    "uploads/x/../../users/bob/planted.txt",
    "uploads/../users/bob/planted.txt",
    "uploads/../../planted.txt",
    "uploads/../../../planted.txt",
    "uploads/./planted.txt",
    "uploads//planted.txt",
    "uploads/..\\..\\planted.txt",
];

async fn local_app() -> TestApp {
    spawn_app_with(Options {
        local_bucket: true,
        ..Options::default()
    })
    .await
}

/// Files on disk whose name says a test planted them.
fn planted(app: &TestApp) -> Vec<String> {
    app.files_on_disk()
        .into_iter()
        .filter(|f| f.contains("planted"))
        .collect()
}

#[tokio::test]
async fn climbing_keys_edited_into_a_signed_form_are_refused_and_nothing_is_written() {
    let app = local_app().await;
    let form = app.upload_form().await;
    assert!(form.field("key").starts_with("uploads/"));
    for key in CLIMBING {
        let mut edited = form.clone();
        edited.set("key", key);
        let answer = edited.post("planted.txt", b"planted".to_vec()).await;
        assert_eq!(
            answer.refusal(),
            (400, "InvalidArgument".to_owned()),
            "{key}: {}",
            answer.body
        );
        assert!(
            answer.body.contains("Object key refused"),
            "{}",
            answer.body
        );
    }
    // `${filename}` with a file named `..` would make the last segment climb.
    let answer = form.post("..", b"planted".to_vec()).await;
    assert_eq!(
        answer.refusal(),
        (400, "InvalidArgument".to_owned()),
        "{}",
        answer.body
    );
    assert_eq!(planted(&app), Vec::<String>::new());
    assert_eq!(app.all_keys().await, Vec::<String>::new());
    // The unedited form still works.
    let answer = form.post("fine.txt", b"fine".to_vec()).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
}

#[tokio::test]
async fn climbing_keys_are_refused_through_presigned_put_get_head_and_delete() {
    let app = local_app().await;
    put_object(&app.storage, "users/bob/secret.txt", b"bob's").await;
    let minute = Duration::from_secs(60);
    for key in CLIMBING {
        let put = app
            .storage
            .presign_put(key, minute, None, None)
            .await
            .unwrap();
        let answer = raw_request("PUT", &put, b"planted").await;
        assert_eq!(answer, (400, "InvalidArgument".to_owned()), "PUT {key}");
    }
    let stolen = "uploads/../users/bob/secret.txt";
    let get = app.storage.presign_get(stolen, minute, None).await.unwrap();
    let answer = raw_request("GET", &get, b"").await;
    assert_eq!(answer, (400, "InvalidArgument".to_owned()), "GET");
    let client = app.storage.client();
    let bucket = app.storage.bucket();
    let head = client.head_object().bucket(bucket).key(stolen).send().await;
    let status = head.unwrap_err().raw_response().unwrap().status().as_u16();
    assert_eq!(status, 400, "HEAD");
    let delete = client
        .delete_object()
        .bucket(bucket)
        .key(stolen)
        .send()
        .await;
    assert_eq!(code(delete), "InvalidArgument", "DELETE {stolen}");
    assert_eq!(planted(&app), Vec::<String>::new());
    assert_eq!(app.all_keys().await, ["users/bob/secret.txt"]);
}

#[tokio::test]
async fn climbing_keys_are_refused_in_copies_multi_deletes_multipart_and_listings() {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    let app = local_app().await;
    put_object(&app.storage, "users/bob/secret.txt", b"bob's").await;
    let client = app.storage.client();
    let bucket = app.storage.bucket();
    let copy = client
        .copy_object()
        .bucket(bucket)
        .key("uploads/copied.txt")
        .copy_source(format!("{bucket}/uploads/../users/bob/secret.txt"))
        .send()
        .await;
    assert_eq!(
        code(copy),
        "InvalidArgument",
        "a copy from a climbing source"
    );
    let copy = client
        .copy_object()
        .bucket(bucket)
        .key("uploads/../users/bob/planted.txt")
        .copy_source(format!("{bucket}/users/bob/secret.txt"))
        .send()
        .await;
    assert_eq!(code(copy), "InvalidArgument", "a copy to a climbing key");
    let delete = Delete::builder()
        .objects(
            ObjectIdentifier::builder()
                .key("uploads/../users/bob/secret.txt")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let deleted = client
        .delete_objects()
        .bucket(bucket)
        .delete(delete)
        .send()
        .await;
    assert_eq!(code(deleted), "InvalidArgument", "a multi-object delete");
    let multipart = client
        .create_multipart_upload()
        .bucket(bucket)
        .key("uploads/../users/bob/planted.txt")
        .send()
        .await;
    assert_eq!(code(multipart), "InvalidArgument", "a multipart upload");
    let listing = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix("uploads/../users/bob/")
        .send()
        .await;
    let status = listing
        .unwrap_err()
        .raw_response()
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 400, "a listing under a climbing prefix");
    assert_eq!(planted(&app), Vec::<String>::new());
    assert_eq!(app.all_keys().await, ["users/bob/secret.txt"]);
    assert_eq!(
        crate::helpers::object(&app.storage, "users/bob/secret.txt")
            .await
            .body
            .collect()
            .await
            .unwrap()
            .to_vec(),
        b"bob's"
    );
}

#[tokio::test]
async fn the_app_answers_400_to_climbing_keys_on_every_route_that_takes_a_key() {
    let app = spawn_app().await;
    put_object(&app.storage, "others/secret.txt", b"not yours").await;
    for key in CLIMBING.iter().chain(&["uploads/../others/secret.txt"]) {
        let query: String = url_encode(key);
        let download = app.get(&format!("/uploads/download?key={query}")).await;
        assert_eq!(download.status(), 400, "download {key}");
        assert!(!download.headers().contains_key("location"));
        let text = download.text().await.unwrap();
        assert!(text.contains("cannot be used"), "{text}");
        let confirm = app
            .post_json("/api/uploads/confirm", &json!({ "key": key }))
            .await;
        assert_eq!(confirm.status(), 400, "confirm {key}");
        let body: serde_json::Value = confirm.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("cannot be used"),
            "{body}"
        );
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The S3 error code of an SDK call that must have failed.
fn code<T, E: ProvideErrorMetadata + std::fmt::Debug>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => panic!("the bucket accepted it"),
        Err(error) => error.code().unwrap_or_default().to_owned(),
    }
}

/// Status and S3 error code of `method url` sent byte for byte: HTTP clients resolve
/// `..` in URLs (WHATWG), an attacker's client need not.
async fn raw_request(method: &str, url: &str, body: &[u8]) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, target) = rest.split_at(rest.find('/').unwrap());
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let status = answer[9..12].parse().unwrap();
    (status, xml_text(&answer, "Code").unwrap_or_default())
}

#[tokio::test]
async fn the_embedded_bucket_serves_its_own_bucket_only_and_creates_no_other() {
    const OTHER: &str = "no-such-bucket-here";
    let app = local_app().await;
    put_object(&app.storage, "uploads/mine.txt", b"mine").await;
    let client = app.storage.client();
    let bucket = app.storage.bucket();

    // The page's form posted to another bucket: its policy names this one.
    let mut form = app.upload_form().await;
    form.action = form.action.replacen(bucket, OTHER, 1);
    assert!(form.action.contains(OTHER), "{}", form.action);
    let posted = form.post("planted.txt", b"planted".to_vec()).await;
    assert_eq!(
        posted.refusal(),
        app.backend.failed_condition(),
        "an edited form"
    );
    // A form signed for the other bucket, as `postbox doctor`'s probe signs one.
    let other = signed_for_another_bucket(&app.storage, OTHER).await;
    assert_eq!(
        (
            other.status,
            xml_text(&other.body, "Code").unwrap_or_default()
        ),
        (404, "NoSuchBucket".to_owned()),
        "a form signed for it: {}",
        other.body
    );

    let put = client
        .put_object()
        .bucket(OTHER)
        .key("uploads/planted.txt")
        .body(b"planted".to_vec().into())
        .send()
        .await;
    assert_eq!(code(put), "NoSuchBucket", "a PUT");
    let copy_out = client
        .copy_object()
        .bucket(OTHER)
        .key("uploads/planted.txt")
        .copy_source(format!("{bucket}/uploads/mine.txt"))
        .send()
        .await;
    assert_eq!(code(copy_out), "NoSuchBucket", "a copy into another bucket");
    let copy_in = client
        .copy_object()
        .bucket(bucket)
        .key("uploads/planted.txt")
        .copy_source(format!("{OTHER}/uploads/mine.txt"))
        .send()
        .await;
    assert_eq!(code(copy_in), "NoSuchBucket", "a copy from another bucket");
    let multipart = client
        .create_multipart_upload()
        .bucket(OTHER)
        .key("uploads/planted.txt")
        .send()
        .await;
    assert_eq!(code(multipart), "NoSuchBucket", "a multipart upload");

    let head = client.head_bucket().bucket(OTHER).send().await;
    let status = head.unwrap_err().raw_response().unwrap().status().as_u16();
    assert_eq!(status, 404, "HeadBucket after the writes");
    let mut folders = vec![app.data_dir().to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            assert!(!path.to_string_lossy().contains(OTHER), "{path:?}");
            if path.is_dir() {
                folders.push(path);
            }
        }
    }
    assert_eq!(planted(&app), Vec::<String>::new());
    assert!(client.head_bucket().bucket(bucket).send().await.is_ok());
}

/// A one-byte form signed with `storage`'s credentials for `bucket`, posted to it.
async fn signed_for_another_bucket(
    storage: &postbox::storage::Storage,
    bucket: &str,
) -> postbox::storage::PostAnswer {
    use postbox::domain::{KeyPrefix, PolicyTtl};
    use postbox::policy::{PolicySigner, UploadRules};
    let credentials = storage.credentials().await.unwrap();
    let endpoint = storage
        .form_url()
        .trim_end_matches('/')
        .strip_suffix(storage.bucket())
        .unwrap();
    let other = postbox::storage::Storage::with_static_credentials(
        bucket,
        storage.region(),
        endpoint,
        &credentials,
    );
    let prefix = KeyPrefix::parse("uploads/").unwrap();
    let rules = UploadRules {
        bucket,
        prefix: &prefix,
        key_suffix: "planted.txt",
        exact_key: true,
        min_size: 1,
        max_size: 1,
        content_type_prefix: "",
        content_type: "text/plain",
        uploader: "test",
    };
    let form = PolicySigner::new(storage.region())
        .sign(
            other.form_url().to_owned(),
            &rules,
            &credentials,
            time::OffsetDateTime::now_utc(),
            PolicyTtl::from_secs(120).unwrap(),
        )
        .unwrap();
    other
        .post_form(&form, "planted.txt", b"!".to_vec())
        .await
        .unwrap()
}
