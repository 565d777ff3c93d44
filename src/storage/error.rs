/// Why the bucket could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The credential chain found nothing usable.
    #[error(
        "No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         or AWS_PROFILE ({0})."
    )]
    NoCredentials(String),
    /// A presigning request was malformed (bad expiry, for example).
    #[error("This request cannot be presigned ({0}).")]
    Presign(String),
    /// The bucket did not answer, or refused the app's own call; the text says which.
    #[error("The bucket call failed: {0}.")]
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

/// What S3 said, shortly: `NoSuchBucket: The specified bucket does not exist`, or the
/// HTTP status when it said nothing more, or the error's own text when it was not
/// reached at all.
pub fn s3_said<E>(
    error: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> String
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_s3::error::ProvideErrorMetadata;
    match (error.code(), error.message()) {
        (Some(code), Some(message)) if !message.is_empty() => format!("{code}: {message}"),
        (Some(code), _) => code.to_owned(),
        (None, _) => match error.raw_response() {
            Some(raw) => format!("HTTP {}", raw.status().as_u16()),
            None => error_chain(error),
        },
    }
}
