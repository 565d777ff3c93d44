//! Feeding the metrics registry from every request, and `GET /metrics`.

use std::future::Future;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use super::AppError;
use crate::metrics::Metrics;

/// Middleware: counts and times every request under its route pattern, so that
/// `/uploads/{key}` is one series, not one per key; counts errors by kind.
pub fn track<B: MessageBody + 'static>(
    request: ServiceRequest,
    next: Next<B>,
) -> impl Future<Output = Result<ServiceResponse<B>, actix_web::Error>> {
    let started = Instant::now();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().clone();
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    async move {
        let response = next.call(request).await?;
        if let Some(metrics) = metrics {
            if let Some(error) = response.response().error() {
                metrics.error(super::api::app_error(error).map_or("http", AppError::kind));
            }
            metrics.request(
                &route,
                method.as_str(),
                response.status().as_str(),
                started.elapsed(),
            );
        }
        Ok(response)
    }
}

/// `GET /metrics`.
pub async fn endpoint(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}
