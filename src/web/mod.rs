//! Everything HTTP, and the only part of postbox that knows actix-web: routes,
//! extractors (who is signed in, CSRF), pages and their layout, error answers, request
//! limits, the security headers on every answer and the metrics middleware. `startup`
//! wires it; services below it never see a request or a status code.

pub mod api;
pub mod bodies;
pub mod error;
pub mod extract;
pub mod headers;
pub mod json_text;
pub mod layout;
pub mod metrics;
pub mod openapi;
pub mod render;
pub mod routes;
pub mod session;
pub mod session_cookie;
pub mod state;

pub use error::AppError;
pub use extract::{Admin, Csrf, NoFields, SignedIn};
pub use layout::{Layout, Page, PageContext};
