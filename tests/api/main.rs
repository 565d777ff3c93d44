//! The integration suite: one binary, each test on its own app, port and bucket.

mod backend;
mod cli;
mod health;
mod helpers;
mod no_file_bytes;
mod presign_api;
mod sign_in;
mod strict_s3;
mod upload_form;
mod users;
