//! postbox: upload files straight from the browser into a private S3 bucket, through
//! forms whose POST policy the server signed.
//!
//! The modules are layers, each using only those listed before it (see
//! `docs/ARCHITECTURE.md`); only `web` and `startup` know actix-web.

/// Accounts, passwords, the audit log, the sign-in limiter, confirmed uploads.
pub mod accounts;
/// The command line: `serve`, `presign`, `user`.
pub mod cli;
/// Settings from defaults, `.env`, the environment and flags.
pub mod config;
/// The database: SQLite or PostgreSQL, one code path and one set of migrations.
pub mod db;
/// Validated values: user names, key prefixes, file names, sizes, lifetimes.
pub mod domain;
/// The embedded local S3 bucket.
pub mod local_bucket;
/// Prometheus metrics: the registry and its counters.
pub mod metrics;
/// The POST policy engine and SigV4: pure, tested against AWS's vectors.
pub mod policy;
/// Signing upload forms for an account, with the injected clock.
pub mod signing;
/// Wiring the app together: the one route table.
pub mod startup;
/// The bucket: credentials, form URL, look-ups, listings, presigned GET and PUT.
pub mod storage;
/// Everything HTTP: routes, extractors, pages, errors, middleware.
pub mod web;
