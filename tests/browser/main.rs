//! Real-browser tests: headless Chromium, driven through chromedriver, signs in,
//! uploads through the page (with and without JavaScript) into the test app's bucket,
//! and leaves screenshots in `target/browser-screenshots/`.
//! Needs Debian's chromium and chromium-driver: `scripts/install-browser.sh`.

// The integration suite's backend choice (local bucket or radosgw) and app helpers.
#[allow(dead_code)]
#[path = "../api/backend.rs"]
mod backend;
mod driver;
// The integration suite's app helpers, so these tests run against whatever bucket
// `spawn_app` gives (the local bucket by default, radosgw with POSTBOX_TEST_S3=ceph).
#[allow(dead_code, unused_imports)]
#[path = "../api/helpers/mod.rs"]
mod helpers;
mod my_files;
mod quota;
mod sign_in;
mod system;
mod upload_page;
mod without_javascript;
