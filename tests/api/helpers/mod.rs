//! What the integration and browser suites share, one file per concern: `app` spawns a
//! test app (its own port, database and bucket), `database` makes each test's own
//! database, `bucket` reads the test bucket and posts forms to it as a browser does,
//! `http` drives the app as a browser would (sign in, forms, JSON, page parsing),
//! `process` runs `postbox serve` as its own process, and `proxy` plays a server that
//! goes down and comes back.

mod app;
mod bucket;
mod database;
mod http;
mod process;
mod proxy;

pub use app::{Options, PASSWORD, TestApp, USER, spawn_app, spawn_app_with, spawn_app_with_clock};
pub use bucket::{BrowserForm, keys_under, object, put_object, refusal, xml_text};
pub use database::{new_postgres_database, test_database_url, uuid_like};
pub use http::{
    alert, eventually_status, meta_csrf, new_client, parse_form, sign_in_at, within_a_second,
};
pub use process::{Server, free_port, silent_bucket};
pub use proxy::Proxy;
