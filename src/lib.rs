//! postbox: upload files straight from the browser into a private S3 bucket, through
//! forms whose POST policy the server signed.

/// Sessions, CSRF and sign-in limits.
pub mod auth;
/// The command line: `serve`, `presign post|get|put`.
pub mod cli;
/// Settings from defaults, `.env`, the environment and flags.
pub mod config;
/// The database: SQLite or PostgreSQL.
pub mod db;
/// Validated values: key prefixes, file names, sizes, lifetimes.
pub mod domain;
/// The app's errors and how they are answered.
pub mod error;
/// Signing forms for an uploader, with the injected clock.
pub mod forms;
/// The embedded local S3 bucket.
pub mod local_bucket;
/// Prometheus metrics.
pub mod metrics;
/// The POST policy engine.
pub mod policy;
/// HTTP handlers.
pub mod routes;
/// Wiring the app together.
pub mod startup;
/// The bucket: credentials, form URL, presigned GET and PUT.
pub mod storage;
/// The record of confirmed uploads.
pub mod uploads;
/// Accounts and the audit log.
pub mod users;
