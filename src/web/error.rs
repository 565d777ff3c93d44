//! The app's answer to anything that went wrong: each error of the layers below is a
//! finished sentence, and here it gets its status (never a change of words); a 500
//! never shows internals (the log has them). Pages answer with `error.html`; the JSON
//! calls answer the same error as JSON through [`ApiError`](super::api::ApiError).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::layout::Layout;
use crate::accounts::AccountsError;
use crate::files::FilesError;
use crate::links::LinkError;
use crate::policy::PolicyError;
use crate::signing::SigningError;
use crate::storage::StorageError;
use crate::tokens::TokenError;
use crate::usage::UsageError;

/// What went wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// The file is larger than the limit.
    #[error("{0}")]
    TooLarge(String),
    /// The request cannot be met as things stand (a link that has all its files); the
    /// message says why.
    #[error("{0}")]
    Conflict(String),
    /// The page needs a signed-in user.
    #[error("Your session has ended. Sign in again.")]
    SignInRequired,
    /// An API token that does not work (or a malformed `Authorization` header).
    #[error("{0}")]
    BadToken(String),
    /// Signed in, but not allowed (not an admin, a bad CSRF token, a used-up quota).
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins: wait this many seconds.
    #[error("Too many failed sign-ins. Try again in {} minutes.", .0.div_ceil(60))]
    TooManyAttempts(u64),
    /// Nothing at this address, or the thing asked for (a file, an account) is not
    /// there; the message names it.
    #[error("{0}")]
    NotFound(String),
    /// It was here and is no longer (an expired or revoked link); the message says so.
    #[error("{0}")]
    Gone(String),
    /// The bucket or the usage ledger cannot be used right now (no credentials, for
    /// example); the message says why.
    #[error("Uploads are unavailable. {0}")]
    Unavailable(String),
    /// The database cannot be reached or did not answer in time; the cause goes to
    /// the log only.
    #[error(
        "postbox cannot reach its database right now. Nothing was changed; try again in a minute."
    )]
    DatabaseDown(String),
    /// A bug or an unexpected failure; details go to the log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// Nothing at this address.
    pub fn no_page() -> Self {
        Self::NotFound("There is no page at this address.".to_owned())
    }

    /// An unexpected failure (a database query, say): a 500 page, details in the log.
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }

    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::SignInRequired | Self::BadToken(_) => "sign_in_required",
            Self::Forbidden(_) => "forbidden",
            Self::TooManyAttempts(_) => "too_many_attempts",
            Self::TooLarge(_) => "too_large",
            Self::Conflict(_) => "conflict",
            Self::NotFound(_) => "not_found",
            Self::Gone(_) => "gone",
            Self::Unavailable(_) => "unavailable",
            Self::DatabaseDown(_) => "database_unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "That did not work",
            Self::SignInRequired => "Please sign in",
            Self::BadToken(_) => "Not signed in",
            Self::Forbidden(_) => "Not allowed",
            Self::TooManyAttempts(_) => "Too many attempts",
            Self::TooLarge(_) => "File too large",
            Self::Conflict(_) => "Not possible now",
            Self::NotFound(_) => "Not found",
            Self::Gone(_) => "This link no longer works",
            Self::Unavailable(_) => "Uploads are unavailable",
            Self::DatabaseDown(_) => "Database unavailable",
            Self::Internal(_) => "Something went wrong",
        }
    }

    /// Writes what the log should know: internals of a 500, the reason of a 503.
    pub(super) fn log(&self) {
        match self {
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed")
            }
            Self::Unavailable(reason) => tracing::warn!(%reason, "storage unavailable"),
            Self::DatabaseDown(reason) => tracing::warn!(%reason, "database unavailable"),
            _ => {}
        }
    }
}

impl From<AccountsError> for AppError {
    fn from(error: AccountsError) -> Self {
        match error {
            AccountsError::Database(cause) if crate::db::is_unreachable(&cause) => {
                Self::DatabaseDown(format!("{cause:#}"))
            }
            other => Self::Internal(other.into()),
        }
    }
}

impl From<StorageError> for AppError {
    fn from(error: StorageError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

/// The usage ledger failed: a database that is down is said as such; anything else
/// is logged as an error.
fn ledger_failed(cause: anyhow::Error) -> AppError {
    if crate::db::is_unreachable(&cause) {
        return AppError::DatabaseDown(format!("{cause:#}"));
    }
    tracing::error!(error = %format!("{cause:#}"), "usage ledger unavailable");
    AppError::Unavailable("The usage ledger cannot be read right now.".to_owned())
}

impl From<UsageError> for AppError {
    fn from(error: UsageError) -> Self {
        ledger_failed(anyhow::Error::new(error))
    }
}

impl From<LinkError> for AppError {
    fn from(error: LinkError) -> Self {
        match error {
            LinkError::Invalid(text) => Self::BadRequest(text),
            LinkError::NotFound(_) | LinkError::UnknownToken => Self::NotFound(error.to_string()),
            LinkError::Expired | LinkError::Withdrawn | LinkError::NoLongerWorks => {
                Self::Gone(error.to_string())
            }
            LinkError::Locked => Self::Forbidden(error.to_string()),
            LinkError::TooManyAttempts(seconds) => Self::TooManyAttempts(seconds),
            LinkError::HasAllFiles { .. } => Self::Conflict(error.to_string()),
            LinkError::NoRoom { .. } => Self::TooLarge(error.to_string()),
            LinkError::Storage(error) => error.into(),
            LinkError::Accounts(error) => error.into(),
        }
    }
}

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::BadLabel => Self::BadRequest(error.to_string()),
            TokenError::NotFound(_) => Self::NotFound(error.to_string()),
            TokenError::Accounts(error) => error.into(),
        }
    }
}

impl From<FilesError> for AppError {
    fn from(error: FilesError) -> Self {
        match error {
            FilesError::BadKey { .. } | FilesError::BadCursor(_) => {
                Self::BadRequest(error.to_string())
            }
            FilesError::NotYours(_) | FilesError::NotReceived => Self::Forbidden(error.to_string()),
            FilesError::Missing(_) => Self::NotFound(error.to_string()),
            FilesError::Storage(error) => error.into(),
            FilesError::Ledger(cause) => ledger_failed(cause),
        }
    }
}

impl From<SigningError> for AppError {
    fn from(error: SigningError) -> Self {
        match error {
            SigningError::QuotaUsedUp(_) => Self::Forbidden(error.to_string()),
            SigningError::QuotaShort { .. } => Self::TooLarge(error.to_string()),
            SigningError::NameNeeded
            | SigningError::BadName(_)
            | SigningError::Empty(_)
            | SigningError::BadContentType(_) => Self::BadRequest(error.to_string()),
            SigningError::TooLarge { .. } => Self::TooLarge(error.to_string()),
            SigningError::Link(error) => error.into(),
            SigningError::NotCounted => ledger_failed(anyhow::Error::new(error)),
            SigningError::Ledger(cause) => ledger_failed(cause),
            SigningError::Storage(error) => error.into(),
            SigningError::Policy(
                PolicyError::ContentTypeNotAllowed { .. } | PolicyError::KeyTooLong(_),
            ) => Self::BadRequest(error.to_string()),
            SigningError::Policy(PolicyError::EmptySizeRange { .. }) => {
                Self::Internal(error.into())
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    title: &'a str,
    message: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::SignInRequired | Self::BadToken(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Gone(_) => StatusCode::GONE,
            Self::Unavailable(_) | Self::DatabaseDown(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        if let Self::SignInRequired = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish();
        }
        let status = self.status_code();
        let page = ErrorPage {
            layout: Layout::bare(),
            status: status.as_u16(),
            title: self.title(),
            message: self.to_string(),
        };
        let mut response = HttpResponse::build(status);
        if let Self::TooManyAttempts(seconds) = self {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        match page.render() {
            Ok(html) => response.content_type(ContentType::html()).body(html),
            Err(error) => {
                tracing::error!(%error, "the error page did not render");
                response
                    .content_type(ContentType::plaintext())
                    .body(format!("{}\n\n{}\n", self.title(), self))
            }
        }
    }
}
