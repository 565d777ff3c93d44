//! `/api/*` answers errors as JSON: one middleware on the scope turns every error
//! response (from a handler or an extractor) into `{"error": "<sentence>"}` with the
//! error's own status, so handlers and extractors return the same [`AppError`] as
//! pages do.

use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

use super::AppError;

/// Middleware: the error of any response becomes a JSON body.
pub async fn json_errors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(request).await?.map_into_boxed_body();
    let Some(error) = response.response().error() else {
        return Ok(response);
    };
    let (status, sentence) = match error.as_error::<AppError>() {
        // Its page answer may be a redirect (sign in); a program needs the status.
        Some(error) => (error.status_code(), error.to_string()),
        None if error.as_response_error().status_code().is_server_error() => (
            error.as_response_error().status_code(),
            AppError::internal(anyhow::anyhow!("{error}")).to_string(),
        ),
        None => (
            error.as_response_error().status_code(),
            format!("The request could not be read: {error}."),
        ),
    };
    let body = serde_json::to_string(&ErrorBody { error: sentence }).unwrap_or_default();
    Ok(response.map_into_boxed_body().map_body(|head, _| {
        head.status = status;
        head.headers.remove(header::LOCATION);
        head.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // No or bad credentials: say how to authenticate.
        if status == actix_web::http::StatusCode::UNAUTHORIZED {
            head.headers
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        BoxBody::new(body)
    }))
}

/// Every `/api` error: one sentence saying what went wrong and what to do. The
/// document describes it and the answers are written from it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The sentence.
    #[schema(example = "report.pdf is 14.2 MB; the limit is 10 MB.")]
    pub error: String,
}
