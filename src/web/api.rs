//! The JSON calls (`/api/*`, and a guest page's presign and confirm calls) answer
//! errors as JSON `{"error": "<sentence>"}`: their handlers return [`ApiError`], and
//! the extractors they use answer the same way on routes marked [`JsonErrors`]. Pages
//! answer the same [`AppError`] with the error page.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::AppError;
use crate::accounts::AccountsError;
use crate::files::FilesError;
use crate::links::LinkError;
use crate::signing::SigningError;
use crate::storage::StorageError;
use crate::tokens::TokenError;
use crate::usage::UsageError;

/// App data marking routes whose extractors answer errors as JSON: the `/api` scope
/// and a guest page's calls.
#[derive(Debug, Clone, Copy)]
pub struct JsonErrors;

/// An error answered as JSON: the status a page would get, except that a missing
/// sign-in is 401 with `WWW-Authenticate: Bearer` (a program cannot follow a redirect
/// to the sign-in page); the sentence as `error`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(pub AppError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let AppError::TooManyAttempts(seconds) = &self.0 {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(ErrorBody {
            error: self.0.to_string(),
        })
    }
}

/// `error` as the request at hand answers it: JSON on a route marked [`JsonErrors`],
/// the error page anywhere else.
pub fn answer(request: &HttpRequest, error: AppError) -> actix_web::Error {
    if request.app_data::<JsonErrors>().is_some() {
        ApiError(error).into()
    } else {
        error.into()
    }
}

/// The [`AppError`] behind an error response, whichever way it was answered.
pub fn app_error(error: &actix_web::Error) -> Option<&AppError> {
    error
        .as_error::<AppError>()
        .or_else(|| error.as_error::<ApiError>().map(|api| &api.0))
}

/// Any `/api` address with no route.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError(AppError::NotFound(
        "There is no API call at this address.".to_owned(),
    )))
}

macro_rules! answered_as_json {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                Self(error.into())
            }
        }
    )*};
}

answered_as_json!(
    AccountsError,
    FilesError,
    LinkError,
    SigningError,
    StorageError,
    TokenError,
    UsageError,
);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

/// Every JSON error: one sentence saying what went wrong and what to do. The
/// document describes it and the answers are written from it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The sentence.
    #[schema(example = "report.pdf is 14.2 MB; the limit is 10 MB.")]
    pub error: String,
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;

    use super::*;

    #[actix_web::test]
    async fn a_missing_sign_in_is_401_json_asking_for_a_bearer_token() {
        let response = ApiError(AppError::SignInRequired).error_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = response.headers().get(header::WWW_AUTHENTICATE).unwrap();
        assert_eq!(challenge, "Bearer");
        let body = to_bytes(response.into_body()).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "Your session has ended. Sign in again.");
    }
}
