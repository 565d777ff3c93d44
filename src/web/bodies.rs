//! What the app accepts as a request body: small forms and JSON, never a file.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use super::AppError;

/// The app never receives files; no request body it takes comes near this.
pub const MAX_REQUEST_BODY: usize = 16 * 1024;

fn too_large_message() -> String {
    "postbox never receives files itself: they go straight to the bucket through a signed form."
        .to_owned()
}

/// JSON bodies are small; anything else is a mistake and gets a sentence.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_REQUEST_BODY)
        .error_handler(|error, request| {
            let error = match &error {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => AppError::TooLarge(too_large_message()),
                JsonPayloadError::ContentType => AppError::BadRequest(
                    "Send JSON with Content-Type: application/json.".to_owned(),
                ),
                other => AppError::BadRequest(format!(
                    "The request is not valid JSON for this call ({other})."
                )),
            };
            super::api::answer(request, error)
        })
}

/// A form postbox did not send (a missing or unknown field) gets the error page.
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(MAX_REQUEST_BODY)
        .error_handler(|error, _| {
            AppError::BadRequest(format!(
                "This form could not be read ({error}). Reload the page and try again."
            ))
            .into()
        })
}

/// A query string a route cannot read (a missing `key`, say) gets a sentence.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|error, request| super::api::answer(request, unreadable_query(&error)))
}

/// The answer to a query string that does not fit the route.
pub fn unreadable_query(error: &actix_web::error::QueryPayloadError) -> AppError {
    AppError::BadRequest(format!(
        "The address is missing something this call needs ({error})."
    ))
}

/// Middleware: refuses upload-sized bodies before any handler sees them.
pub async fn refuse_large_bodies(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > crate::domain::to_u64(MAX_REQUEST_BODY)) {
        let response = HttpResponse::PayloadTooLarge()
            .insert_header((header::CONNECTION, "close"))
            .json(super::api::ErrorBody {
                error: too_large_message(),
            });
        return Ok(request.into_response(response).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}
