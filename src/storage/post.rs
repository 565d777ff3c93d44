//! Posting a signed form to the bucket as a browser would (the doctor's live probe),
//! and reading the bucket's clock.

use std::time::Duration;

use time::OffsetDateTime;

use super::{Storage, StorageError};
use crate::policy::PostForm;

/// What the bucket answered to a posted form.
#[derive(Debug, Clone)]
pub struct PostAnswer {
    /// The HTTP status (201 when stored, with `success_action_status` 201).
    pub status: u16,
    /// The body: `<PostResponse>` or an XML `<Error>`.
    pub body: String,
}

impl Storage {
    /// Posts `form` with `content` as the file `file_name`, fields first, the file last.
    pub async fn post_form(
        &self,
        form: &PostForm,
        file_name: &str,
        content: Vec<u8>,
    ) -> Result<PostAnswer, StorageError> {
        let mut multipart = reqwest::multipart::Form::new();
        for (name, value) in form.fields() {
            multipart = multipart.text(name.to_owned(), value.to_owned());
        }
        let file = reqwest::multipart::Part::bytes(content).file_name(file_name.to_owned());
        let answer = self
            .http()?
            .post(form.url())
            .multipart(multipart.part("file", file))
            .send()
            .await
            .map_err(|e| unreachable(form.url(), &e))?;
        let status = answer.status().as_u16();
        let body = answer
            .text()
            .await
            .map_err(|e| unreachable(form.url(), &e))?;
        Ok(PostAnswer { status, body })
    }

    /// The bucket's clock: the `Date` of its answer to a plain HEAD of the form URL.
    pub async fn clock(&self) -> Result<OffsetDateTime, StorageError> {
        let answer = self
            .http()?
            .head(self.form_url())
            .send()
            .await
            .map_err(|e| unreachable(self.form_url(), &e))?;
        let date = answer
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| {
                StorageError::Unavailable(format!("{} answered without a Date", self.form_url()))
            })?;
        let format = time::format_description::well_known::Rfc2822;
        OffsetDateTime::parse(date, &format).map_err(|e| {
            StorageError::Unavailable(format!(
                "{} sent a Date postbox cannot read ({date}): {e}",
                self.form_url()
            ))
        })
    }

    fn http(&self) -> Result<reqwest::Client, StorageError> {
        reqwest::Client::builder()
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.operation.max(Duration::from_secs(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| StorageError::Unavailable(format!("cannot make an HTTP client: {e}")))
    }
}

fn unreachable(url: &str, error: &reqwest::Error) -> StorageError {
    StorageError::Unavailable(format!("cannot reach {url}: {}", super::error_chain(error)))
}
