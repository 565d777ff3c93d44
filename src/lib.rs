//! postbox: upload files straight from the browser into a private S3 bucket, through
//! forms whose POST policy the server signed.
//!
//! The modules are layers, listed here bottom first; each uses only those of the layers
//! below it (see `docs/ARCHITECTURE.md`, checked by `tests/layers.rs`). Only `web` and
//! `startup` know actix-web.

// Layer 0: values and plumbing with no knowledge of the app.
/// The database: SQLite or PostgreSQL, one code path and one set of migrations.
pub mod db;
/// Validated values: user names, key prefixes, file names, sizes, lifetimes.
pub mod domain;
/// Prometheus metrics: the registry and its counters.
pub mod metrics;

// Layer 1: settings, and the pure POST policy engine.
/// Settings from defaults, `.env`, the environment and flags.
pub mod config;
/// The POST policy engine and SigV4: pure, tested against AWS's vectors.
pub mod policy;

// Layer 2: the bucket, the embedded bucket, the accounts and their usage.
/// Accounts, passwords, the audit log, the sign-in limiter, the account cache.
pub mod accounts;
/// The embedded local S3 bucket.
pub mod local_bucket;
/// The bucket: credentials, form URL, look-ups, listings, presigned GET and PUT.
pub mod storage;
/// The usage ledger: bytes stored and reserved per account, confirmed uploads; the
/// quota invariant.
pub mod usage;

// Layer 3: a person's files, the operator's checks, guest links, API tokens.
/// `postbox doctor` and `/admin/system`: what the configured bucket lacks, and the fix.
pub mod doctor;
/// A person's files: the page of them, confirm, delete, recount; keys checked first.
pub mod files;
/// Guest upload links: made, listed, revoked, and their files-and-bytes ledger.
pub mod links;
/// Personal API tokens: made, listed, revoked, and signing requests in.
pub mod tokens;

// Layer 4: an account and a request in, a signed form out.
/// Signing upload forms for an account, with the injected clock.
pub mod signing;

// Layer 5: everything HTTP.
/// Everything HTTP: routes, extractors, pages, errors, middleware.
pub mod web;

// Layers 6 and 7: wiring the app together, and the command line on top.
/// Wiring the app together: bucket, database, state, middleware and the route table.
pub mod startup;

/// The command line: `serve`, `presign`, `user`, `token`, `link`, `usage`, `doctor`.
pub mod cli;
