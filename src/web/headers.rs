//! Browser hardening on every answer, pages and error pages included: a
//! Content-Security-Policy with no inline script that lets forms and scripts reach only
//! the app and the bucket, `nosniff`, a same-origin referrer, and HSTS when the app is
//! served over https. One middleware, outermost, so 404s, extractor refusals, `/api`
//! errors and static files carry them too.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use anyhow::Context;

use crate::domain::origin;

/// HSTS for a year, subdomains included (sent only when the public URL is https).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// The headers every answer carries, built once at startup.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    /// The headers for an app whose forms post to `form_url` (the bucket), served over
    /// https when `https` (then browsers are told to keep to https).
    pub fn new(form_url: &str, https: bool) -> anyhow::Result<Self> {
        let bucket = origin(form_url)
            .with_context(|| format!("the bucket's form URL {form_url} has no http(s) origin"))?;
        let policy = content_security_policy(&bucket);
        let mut headers = vec![
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_str(&policy)
                    .with_context(|| format!("{policy} is not a header value"))?,
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ),
        ];
        if https {
            headers.push((
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
            ));
        }
        Ok(Self { headers })
    }

    fn apply(&self, map: &mut HeaderMap) {
        for (name, value) in &self.headers {
            map.insert(name.clone(), value.clone());
        }
    }
}

/// Scripts, styles and everything else from the app only; the page's script may talk
/// to the bucket and its form may post there; no framing, no `<base>`, no plugins.
pub fn content_security_policy(bucket_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
         connect-src 'self' {bucket_origin}; form-action 'self' {bucket_origin}; \
         frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// Middleware: adds the [`SecurityHeaders`] to every answer, also to an error an inner
/// middleware returns instead of a response (its page is rendered here to carry them).
pub async fn secure(
    headers: web::Data<SecurityHeaders>,
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match next.call(request).await {
        Ok(mut response) => {
            headers.apply(response.headers_mut());
            Ok(response)
        }
        Err(error) => {
            let mut answer = error.error_response();
            headers.apply(answer.headers_mut());
            Err(InternalError::from_response(error, answer).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::test::{self as actix_test, TestRequest};
    use actix_web::{App, HttpResponse};

    use super::*;

    #[test]
    fn a_bucket_url_without_an_http_origin_is_refused() {
        assert!(SecurityHeaders::new("/bucket/", false).is_err());
    }

    #[test]
    fn the_policy_lets_forms_and_scripts_reach_the_bucket_and_runs_no_inline_script() {
        let policy = content_security_policy("https://b.s3.eu-west-1.amazonaws.com");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(
            policy.contains("connect-src 'self' https://b.s3.eu-west-1.amazonaws.com;"),
            "{policy}"
        );
        assert!(
            policy.contains("form-action 'self' https://b.s3.eu-west-1.amazonaws.com;"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
    }

    async fn refuse(
        _: ServiceRequest,
        _: Next<impl MessageBody + 'static>,
    ) -> Result<ServiceResponse, actix_web::Error> {
        Err(actix_web::error::ErrorForbidden(
            "refused by an inner middleware",
        ))
    }

    #[actix_web::test]
    async fn an_error_from_an_inner_middleware_carries_the_headers_too() {
        let headers = SecurityHeaders::new("http://127.0.0.1:9000/b/", true).unwrap();
        let app = actix_test::init_service(
            App::new()
                .wrap(from_fn(refuse))
                .wrap(from_fn(secure))
                .app_data(web::Data::new(headers))
                .route("/", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let error = actix_test::try_call_service(&app, TestRequest::get().to_request())
            .await
            .err()
            .expect("the inner middleware refuses");
        let answer = error.error_response();
        assert_eq!(answer.status(), 403);
        let value = |name| answer.headers().get(name).unwrap().to_str().unwrap();
        let policy = value(header::CONTENT_SECURITY_POLICY);
        assert!(
            policy.contains("form-action 'self' http://127.0.0.1:9000;"),
            "{policy}"
        );
        assert_eq!(value(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(value(header::REFERRER_POLICY), "same-origin");
        assert_eq!(
            value(header::STRICT_TRANSPORT_SECURITY),
            STRICT_TRANSPORT_SECURITY
        );
    }

    #[actix_web::test]
    async fn hsts_is_sent_only_over_https() {
        for (https, expected) in [(false, None), (true, Some(STRICT_TRANSPORT_SECURITY))] {
            let headers = SecurityHeaders::new("http://127.0.0.1:9000/b/", https).unwrap();
            let app = actix_test::init_service(
                App::new()
                    .wrap(from_fn(secure))
                    .app_data(web::Data::new(headers))
                    .route("/", web::get().to(HttpResponse::Ok)),
            )
            .await;
            let response = actix_test::call_service(&app, TestRequest::get().to_request()).await;
            let hsts = response
                .headers()
                .get(header::STRICT_TRANSPORT_SECURITY)
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(hsts.as_deref(), expected, "https: {https}");
        }
    }
}
