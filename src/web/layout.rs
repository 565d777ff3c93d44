//! What every page's layout needs: the session's CSRF token (the `csrf-token` meta tag
//! and the sign-out form) and, for a signed-in person, the navigation bar.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::session;
use super::session_cookie::Session;
use crate::accounts::User;

/// The layout's part of a page template (the `layout` field of every page).
pub struct Layout {
    /// This session's CSRF token; empty on pages that have no session (error pages).
    pub csrf_token: String,
    /// The top bar of a signed-in person.
    pub nav: Option<Nav>,
}

/// What the top bar shows a signed-in person: their pages, and a sign-out button.
pub struct Nav {
    /// Who is signed in.
    pub user: String,
    /// Whether to show the admin pages.
    pub admin: bool,
    /// The page being shown, marked in the bar.
    pub current: Page,
}

/// The pages of the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/upload`.
    Upload,
    /// `/uploads`.
    MyFiles,
    /// `/links`.
    Links,
    /// `/account/tokens`.
    Tokens,
    /// `/admin/users`.
    Users,
    /// `/admin/audit`.
    Audit,
    /// `/admin/system`.
    System,
}

impl Layout {
    /// The layout of a page outside any session: no token, no bar.
    pub fn bare() -> Self {
        Self {
            csrf_token: String::new(),
            nav: None,
        }
    }
}

/// Extractor: the request's page context. It reads the CSRF token when a page is
/// rendered, not before, so a page rendered after signing in carries the new session's.
pub struct PageContext {
    session: Session,
}

impl PageContext {
    /// The layout for a page anyone may see (signing in).
    pub fn anonymous(&self) -> Layout {
        Layout {
            csrf_token: session::csrf_token(&self.session),
            nav: None,
        }
    }

    /// The layout for `user` on the page `current`.
    pub fn signed_in(&self, user: &User, current: Page) -> Layout {
        Layout {
            csrf_token: session::csrf_token(&self.session),
            nav: Some(Nav {
                user: user.name.to_string(),
                admin: user.is_admin(),
                current,
            }),
        }
    }

    /// The message a form left for this page (see [`session::set_flash`]), once.
    pub fn take_flash(&self) -> Option<String> {
        session::take_flash(&self.session)
    }

    /// Leaves `message` for the page the browser is sent to next.
    pub fn set_flash(&self, message: &str) {
        session::set_flash(&self.session, message);
    }

    /// The session, for the handlers that sign in or out.
    pub fn session(&self) -> &Session {
        &self.session
    }
}

impl FromRequest for PageContext {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self {
            session: Session::of(request),
        }))
    }
}
