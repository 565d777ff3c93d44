//! Extractors that say in a handler's signature what it needs: [`SignedIn`] (the live
//! account behind the request), [`Admin`] (the same, an admin), and [`Csrf`] (a form or
//! JSON body whose request carried this session's CSRF token). No handler reads the
//! session or compares tokens itself.

use std::future::{Ready, ready};
use std::ops::Deref;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::AppError;
use super::api::answer;
use super::bodies::unreadable_query;
use super::session::{self, EPOCH, USER};
use super::session_cookie::Session;
use crate::accounts::{User, UserStore};
use crate::tokens::{TokenError, TokenStore};

/// The signed-in account, as the database has it now (read through the instance's
/// memory of accounts, which a change forgets: see `accounts::cache`): a disabled
/// account, or a session older than a password reset, is refused (and the session
/// ended). Two ways in: the session cookie, or on `/api/*` an `Authorization: Bearer`
/// API token (then cookies are ignored and no CSRF token is needed: see [`Csrf`]).
#[derive(Debug, Clone)]
pub struct SignedIn(Arc<User>);

impl Deref for SignedIn {
    type Target = User;

    fn deref(&self) -> &User {
        &self.0
    }
}

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Read once per request, however many extractors ask.
        if let Some(found) = request.extensions().get::<SignedIn>() {
            let found = found.clone();
            return Box::pin(async move { Ok(found) });
        }
        let request = request.clone();
        Box::pin(async move {
            let user = match request.headers().get(header::AUTHORIZATION) {
                Some(value) if by_token(&request) => from_token(value, &request).await,
                _ => match request.app_data::<web::Data<UserStore>>() {
                    Some(users) => from_session(&Session::of(&request), users).await,
                    None => Err(AppError::internal(anyhow::anyhow!(
                        "no user store is configured"
                    ))),
                },
            };
            let signed_in = SignedIn(user.map_err(|error| answer(&request, error))?);
            request.extensions_mut().insert(signed_in.clone());
            Ok(signed_in)
        })
    }
}

/// Whether `request` is signed in by an API token: an `/api` call with an
/// `Authorization` header (its cookies are then ignored).
fn by_token(request: &HttpRequest) -> bool {
    request.path().starts_with("/api/") && request.headers().contains_key(header::AUTHORIZATION)
}

/// The account an `Authorization: Bearer <token>` header names, if the token is live.
async fn from_token(
    value: &header::HeaderValue,
    request: &HttpRequest,
) -> Result<Arc<User>, AppError> {
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            AppError::BadToken("The Authorization header must be \"Bearer <token>\".".to_owned())
        })?;
    let tokens = request
        .app_data::<web::Data<TokenStore>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no token store is configured")))?;
    match tokens.authenticate(token).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(AppError::BadToken(
            "This API token does not work: it is unknown, revoked or expired, or its account \
             is disabled."
                .to_owned(),
        )),
        Err(TokenError::Accounts(error)) => Err(error.into()),
        Err(other) => Err(AppError::internal(other)),
    }
}

/// The account the session names, if it is enabled and its sessions were not ended
/// since (password reset, disabled).
async fn from_session(session: &Session, users: &UserStore) -> Result<Arc<User>, AppError> {
    let name = session.get::<String>(USER).ok().flatten();
    let epoch = session.get::<i64>(EPOCH).ok().flatten();
    let (Some(name), Some(epoch)) = (name, epoch) else {
        return Err(AppError::SignInRequired);
    };
    match users.signed_in(&name).await? {
        Some(user) if !user.disabled && user.session_epoch == epoch => Ok(user),
        _ => {
            session.purge();
            Err(AppError::SignInRequired)
        }
    }
}

/// A signed-in admin: strangers are sent to sign in, everyone else gets 403.
#[derive(Debug, Clone)]
pub struct Admin(SignedIn);

impl Deref for Admin {
    type Target = User;

    fn deref(&self) -> &User {
        &self.0
    }
}

impl FromRequest for Admin {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(request, payload);
        let path = request.path().to_owned();
        Box::pin(async move {
            let signed_in = signed_in.await?;
            if !signed_in.is_admin() {
                tracing::info!(user = %signed_in.name, %path, "refused a non-admin");
                return Err(AppError::Forbidden(
                    "Only admins can open the admin pages.".to_owned(),
                )
                .into());
            }
            Ok(Admin(signed_in))
        })
    }
}

/// Middleware for the `/admin` scope: lets only admins through to any address in it
/// (an unknown one included), with the same answer as the [`Admin`] extractor.
pub async fn admin_only(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match request.extract::<Admin>().await {
        Ok(_) => Ok(next.call(request).await?.map_into_left_body()),
        Err(refused) => Ok(request
            .into_response(HttpResponse::from_error(refused))
            .map_into_right_body()),
    }
}

/// A request sent with this session's CSRF token: `Csrf<web::Form<T>>` reads the token
/// from the form's `csrf_token` field, `Csrf<web::Json<T>>` and `Csrf<web::Query<T>>`
/// (a `DELETE` has no body) from the `X-CSRF-Token` header. A missing or wrong token is
/// refused with 403.
#[derive(Debug)]
pub struct Csrf<T>(pub T);

impl<T> Csrf<T> {
    /// The checked body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Csrf<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A form or query with nothing but its CSRF token (a button: revoke, sign out, run):
/// `Csrf<web::Form<NoFields>>`, or `Csrf<web::Query<NoFields>>` for a `DELETE`.
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// A form with its `csrf_token` field taken apart from the rest.
#[derive(Deserialize)]
struct WithToken<T> {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: T,
}

fn refused() -> AppError {
    AppError::Forbidden(
        "This form is out of date or was not sent by postbox. Reload the page and try again."
            .to_owned(),
    )
}

/// Whether `request` needs no CSRF token: an `/api` call with an `Authorization`
/// header. `SignedIn` signs it in by that token alone (or refuses it with 401) and
/// ignores its cookies, so there is nothing a forged cross-site request could borrow.
/// Every `/api` handler that takes a `Csrf` body also takes `SignedIn`.
fn exempt_from_csrf(request: &HttpRequest) -> bool {
    by_token(request)
}

/// Whether the request's `X-CSRF-Token` header is this session's token, or the request
/// is [exempt](exempt_from_csrf).
fn header_token_matches(request: &HttpRequest) -> bool {
    if exempt_from_csrf(request) {
        return true;
    }
    let token = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok());
    session::csrf_matches(&Session::of(request), token)
}

impl<T: DeserializeOwned + 'static> FromRequest for Csrf<web::Form<T>> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = Session::of(request);
        let form = web::Form::<WithToken<T>>::from_request(request, payload);
        Box::pin(async move {
            let WithToken { csrf_token, form } = form.await?.into_inner();
            if !session::csrf_matches(&session, Some(&csrf_token)) {
                return Err(refused().into());
            }
            Ok(Csrf(web::Form(form)))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Csrf<web::Json<T>> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = header_token_matches(request);
        let json = web::Json::<T>::from_request(request, payload);
        let request = request.clone();
        Box::pin(async move {
            // The body first, as for a form: a malformed or oversized body is answered
            // as such (400, 413) whatever its token.
            let json = json.await?;
            if !checked {
                return Err(answer(&request, refused()));
            }
            Ok(Csrf(json))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Csrf<web::Query<T>> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = header_token_matches(request);
        // The query first, as for a body: a malformed one is answered as such (400).
        ready(match web::Query::<T>::from_query(request.query_string()) {
            Err(error) => Err(answer(request, unreadable_query(&error))),
            Ok(_) if !checked => Err(answer(request, refused())),
            Ok(query) => Ok(Csrf(query)),
        })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn only_api_calls_with_an_authorization_header_need_no_csrf_token() {
        let with_token = |path: &str| {
            TestRequest::post()
                .uri(path)
                .insert_header((header::AUTHORIZATION, "Bearer pbx_anything"))
                .to_http_request()
        };
        assert!(exempt_from_csrf(&with_token("/api/presign")));
        assert!(exempt_from_csrf(&with_token("/api/links/abc")));
        for page in ["/upload/one", "/u/token/presign", "/links", "/apis/presign"] {
            assert!(!exempt_from_csrf(&with_token(page)), "{page}");
        }
        let cookie_only = TestRequest::post().uri("/api/presign").to_http_request();
        assert!(!exempt_from_csrf(&cookie_only));
    }
}
