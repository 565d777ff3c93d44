//! Browser hardening on every answer: a Content-Security-Policy without inline script
//! that lets scripts and forms reach only the app and its bucket, `nosniff`, a
//! same-origin referrer; HSTS and `Secure` cookies only when the public URL is https.

use std::collections::BTreeMap;

use serde_json::json;

use crate::helpers::{Options, TestApp, new_client, spawn_app, spawn_app_with};

/// Nothing listens on port 1 of the loopback: a bucket that is down (as in outages.rs).
const DOWN: &str = "http://127.0.0.1:1";

/// The origin (`scheme://host:port`) of `url`, as a browser writes it.
fn origin_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .origin()
        .ascii_serialization()
}

/// The origin the app's upload form posts to.
async fn bucket_origin(app: &TestApp) -> String {
    origin_of(&app.upload_form().await.action)
}

/// The policy's directives, each name with its sources.
fn directives(policy: &str) -> BTreeMap<String, Vec<String>> {
    policy
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace().map(str::to_owned);
            Some((words.next()?, words.collect()))
        })
        .collect()
}

/// The value of `name` in `response`, once at most.
fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    let mut values = response.headers().get_all(name).iter();
    let value = values.next().map(|v| v.to_str().unwrap().to_owned());
    assert!(values.next().is_none(), "{name} is sent once");
    value
}

/// Checks every hardening header of `response` (`what` names it in failures), for an
/// app whose bucket is at `bucket` and which is served over https when `https`.
fn assert_hardened(response: &reqwest::Response, what: &str, bucket: &str, https: bool) {
    let policy = header(response, "content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    assert!(!policy.contains("unsafe"), "{what}: {policy}");
    let directives = directives(&policy);
    let sources = |name: &str| -> Vec<&str> {
        directives
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name} in {policy}"))
            .iter()
            .map(String::as_str)
            .collect()
    };
    assert_eq!(sources("default-src"), ["'self'"], "{what}: {policy}");
    assert_eq!(sources("script-src"), ["'self'"], "{what}: {policy}");
    assert_eq!(sources("style-src"), ["'self'"], "{what}: {policy}");
    assert_eq!(
        sources("connect-src"),
        ["'self'", bucket],
        "{what}: {policy}"
    );
    assert_eq!(
        sources("form-action"),
        ["'self'", bucket],
        "{what}: {policy}"
    );
    assert_eq!(sources("frame-ancestors"), ["'none'"], "{what}: {policy}");
    assert_eq!(sources("base-uri"), ["'none'"], "{what}: {policy}");
    assert_eq!(sources("object-src"), ["'none'"], "{what}: {policy}");
    assert_eq!(
        header(response, "x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(response, "referrer-policy").as_deref(),
        Some("same-origin"),
        "{what}"
    );
    let hsts = header(response, "strict-transport-security");
    if https {
        assert_eq!(
            hsts.as_deref(),
            Some("max-age=31536000; includeSubDomains"),
            "{what}"
        );
    } else {
        assert_eq!(hsts, None, "{what}: HSTS over plain http");
    }
}

#[tokio::test]
async fn every_page_and_error_page_carries_the_policy_nosniff_and_referrer_headers() {
    let app = spawn_app().await;
    let bucket = bucket_origin(&app).await;
    assert!(bucket.starts_with("http"), "{bucket}");
    assert_ne!(
        bucket, app.address,
        "the bucket is another origin than the app"
    );
    let admin = app.admin().await;
    let mut stranger = app.clone();
    stranger.client = new_client();
    let pages = [
        (&stranger, "/login", 200),
        (&stranger, "/no-such-page", 404),
        (&app, "/upload", 200),
        (&app, "/uploads", 200),
        (&app, "/admin/users", 403),
        (&app, "/admin/no-such-page", 403),
        (&admin, "/admin/users", 200),
        (&admin, "/admin/users/tess", 200),
        (&admin, "/admin/users/nobody", 404),
        (&admin, "/admin/audit", 200),
    ];
    for (browser, path, status) in pages {
        let response = browser.get(path).await;
        let what = format!("GET {path}");
        assert_eq!(response.status(), status, "{what}");
        assert!(
            header(&response, "content-type")
                .unwrap_or_default()
                .starts_with("text/html"),
            "{what} is a page"
        );
        assert_hardened(&response, &what, &bucket, false);
    }
}

#[tokio::test]
async fn a_503_page_from_a_bucket_that_is_down_carries_the_headers() {
    let app = spawn_app_with(Options {
        bucket_url: Some(DOWN),
        ..Options::default()
    })
    .await;
    let bucket = bucket_origin(&app).await;
    assert_eq!(bucket, DOWN);
    let response = app.get("/uploads").await;
    assert_eq!(response.status(), 503);
    assert_hardened(&response, "GET /uploads, bucket down", &bucket, false);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Uploads are unavailable")
    );
}

#[tokio::test]
async fn api_errors_static_files_redirects_and_refused_bodies_carry_the_headers_too() {
    let app = spawn_app().await;
    let bucket = bucket_origin(&app).await;
    let mut stranger = app.clone();
    stranger.client = new_client();

    let response = stranger
        .post_json("/api/presign", &json!({"filename": "a.txt", "size": 1}))
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_hardened(&response, "POST /api/presign signed out", &bucket, false);
    assert!(response.json::<serde_json::Value>().await.unwrap()["error"].is_string());

    let response = app.post_json("/api/no-such-call", &json!({})).await;
    assert_eq!(response.status(), 404);
    assert_hardened(&response, "POST /api/no-such-call", &bucket, false);

    let response = app.get("/static/style.css").await;
    assert_eq!(response.status(), 200);
    assert_hardened(&response, "GET /static/style.css", &bucket, false);

    let response = stranger.get("/upload").await;
    assert_eq!(
        response.status(),
        303,
        "signed out, /upload sends to /login"
    );
    assert_hardened(&response, "GET /upload signed out", &bucket, false);

    // Refused by the body-size middleware before any handler runs.
    let response = app
        .client
        .post(format!("{}/login", app.address))
        .body(vec![b'a'; 100_000])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_hardened(&response, "POST /login with 100 kB", &bucket, false);
}

#[tokio::test]
async fn over_plain_http_there_is_no_hsts_and_the_session_cookie_is_not_secure() {
    let app = spawn_app().await;
    let response = new_client()
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "strict-transport-security"), None);
    let cookie = header(&response, "set-cookie").expect("the login page starts a session");
    assert!(cookie.starts_with("postbox_session="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn with_an_https_public_url_every_answer_has_hsts_and_the_session_cookie_is_secure() {
    let app = spawn_app_with(Options {
        public_url: Some("https://postbox.example.com"),
        ..Options::default()
    })
    .await;
    // The test talks plain http to 127.0.0.1, where a `Secure` cookie is not sent back:
    // read the headers as they leave the app.
    let mut stranger = app.clone();
    stranger.client = new_client();
    let response = stranger.get("/login").await;
    assert_eq!(response.status(), 200);
    let cookie = header(&response, "set-cookie").expect("the login page starts a session");
    assert!(cookie.starts_with("postbox_session="), "{cookie}");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{cookie}");
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    // Nobody is signed in here (the cookie is not sent back over http): the bucket's
    // origin comes from where the app's forms post.
    let bucket = origin_of(app.storage.form_url());
    for (path, status) in [("/login", 200), ("/no-such-page", 404), ("/upload", 303)] {
        let response = stranger.get(path).await;
        assert_eq!(response.status(), status, "GET {path}");
        assert_hardened(&response, &format!("GET {path} over https"), &bucket, true);
    }
}
