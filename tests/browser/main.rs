//! Real-browser tests: headless Chromium, driven through chromedriver, signs in,
//! uploads through the page (with and without JavaScript) into the test app's bucket,
//! and leaves screenshots in `target/browser-screenshots/`.
//! Needs Debian's chromium and chromium-driver: `scripts/install-browser.sh`.

mod driver;
// The integration suite's app helpers, so these tests run against whatever bucket
// `spawn_app` gives (the local bucket by default).
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
mod sign_in;
mod upload_page;
mod without_javascript;
