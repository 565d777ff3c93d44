//! `/admin/*`: accounts, the audit log and the system page. Every route here sits in the admin-only
//! scope (`extract::admin_only` in `routes/table.rs`); handlers take the admin as an
//! [`Admin`](crate::web::Admin). Forms are checked by the same types and store as the CLI.

pub mod audit;
pub mod system;
pub mod user;
pub mod users;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::see_other;
use crate::accounts::AccountsError;
use crate::domain::ByteSize;

/// `GET /admin`: the user list is the admin's home.
pub async fn home() -> HttpResponse {
    see_other("/admin/users")
}

/// A size typed into a form; `label` names the field in the error.
fn parse_size(label: &str, text: &str) -> Result<ByteSize, String> {
    ByteSize::parse(text).map_err(|e| format!("{label}: {e}"))
}

/// A quota typed into a form: empty (or `none`) for no quota.
fn parse_quota(text: &str) -> Result<Option<ByteSize>, String> {
    match text.trim() {
        "" | "none" => Ok(None),
        given => parse_size("Quota", given).map(Some),
    }
}

/// The status a refused account change answers with, and its sentence. A database
/// failure is logged and answered with a plain sentence; the form is shown again.
fn refusal(error: AccountsError) -> (StatusCode, String) {
    let status = match &error {
        AccountsError::Exists(_) | AccountsError::PrefixOverlaps { .. } => StatusCode::CONFLICT,
        AccountsError::NotFound(_) => StatusCode::NOT_FOUND,
        AccountsError::Invalid(_) | AccountsError::WeakPassword => StatusCode::BAD_REQUEST,
        AccountsError::Database(cause) => {
            tracing::error!(error = format!("{cause:#}"), "an account change failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The change could not be saved: the database did not answer. Please try again."
                    .to_owned(),
            );
        }
    };
    (status, error.to_string())
}

/// How a size limit reads in a table: `10 MB`, or `none`.
fn shown(size: Option<ByteSize>) -> String {
    size.map_or_else(|| "none".to_owned(), |s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quotas_and_names_the_field_in_errors() {
        assert_eq!(parse_quota("").unwrap(), None);
        assert_eq!(parse_quota(" none ").unwrap(), None);
        assert_eq!(parse_quota("2GB").unwrap().unwrap().bytes(), 2_000_000_000);
        assert!(parse_quota("lots").unwrap_err().starts_with("Quota: "));
        assert!(
            parse_size("Largest file", "ten")
                .unwrap_err()
                .starts_with("Largest file: ")
        );
    }

    #[test]
    fn answers_store_errors_with_their_sentences() {
        let (status, text) = refusal(AccountsError::Exists("x".to_owned()));
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(text, "A user named \"x\" already exists.");
        let (status, text) = refusal(AccountsError::WeakPassword);
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(text.starts_with("The password must be"));
    }
}
