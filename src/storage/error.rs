/// Why the bucket could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The credential chain found nothing usable.
    #[error(
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         or AWS_PROFILE ({0})"
    )]
    NoCredentials(String),
    /// A presigning request was malformed (bad expiry, for example).
    #[error("cannot presign this request: {0}")]
    Presign(String),
    /// The bucket did not answer, or refused the app's own call; the text says which.
    #[error("{0}")]
    Unavailable(String),
}

/// An error with its sources, one line, for messages people read.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
