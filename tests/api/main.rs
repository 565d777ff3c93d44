//! The integration suite: one binary, each test on its own app, port and bucket.

mod admin;
mod backend;
mod cli;
mod deleting;
mod doctor;
mod hardening;
mod health;
mod helpers;
mod literal_keys;
mod many_instances;
mod no_file_bytes;
mod openapi;
mod outages;
mod page_script;
mod prefixes;
mod presign_api;
mod quota;
mod shutdown;
mod sign_in;
mod strict_s3;
mod system_page;
mod tokens;
mod upload_form;
mod uploads;
mod usage_visible;
mod users;
