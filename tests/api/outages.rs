//! A bucket or database that does not answer: clear sentences, nothing recorded, and no
//! secrets in what people see; the app comes back when they do.

use serde_json::json;

use crate::helpers::{
    Options, Proxy, USER, alert, new_postgres_database, silent_bucket, spawn_app_with,
    within_a_second,
};

/// Nothing listens on port 1 of the loopback: connections are refused at once.
const DOWN: &str = "http://127.0.0.1:1";

#[tokio::test]
async fn with_the_bucket_down_my_files_and_confirm_say_uploads_are_unavailable() {
    let app = spawn_app_with(Options {
        bucket_url: Some(DOWN),
        ..Options::default()
    })
    .await;
    let response = app.get("/uploads").await;
    assert_eq!(response.status(), 503);
    let page = response.text().await.unwrap();
    assert!(page.contains("Uploads are unavailable"), "{page}");
    assert!(page.contains("cannot list uploads/"), "{page}");

    let response = app
        .post_json("/api/uploads/confirm", &json!({"key": "uploads/a.txt"}))
        .await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("Uploads are unavailable")
    );
    let db = app.database().clone();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM uploads")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(sqlx::Row::get::<i64, _>(&row, "n"), 0);

    let download = app.get("/uploads/download?key=uploads%2Fa.txt").await;
    assert_eq!(download.status(), 503);
}

#[tokio::test]
async fn with_the_bucket_down_a_user_with_a_quota_is_told_why_they_get_no_form() {
    let app = spawn_app_with(Options {
        bucket_url: Some(DOWN),
        ..Options::default()
    })
    .await;
    app.set_quota(1_000_000).await;
    // Usage cannot be read, so no form is signed: a quota is never silently exceeded.
    let response = app.get("/upload").await;
    assert_eq!(response.status(), 503);
    let response = app
        .presign(json!({"filename": "a.txt", "size": 1, "content_type": "text/plain"}))
        .await;
    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn a_database_that_does_not_answer_stops_start_up_with_a_clear_message_and_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_postbox"))
        .arg("serve")
        .current_dir(dir.path())
        .env("POSTBOX_LISTEN", "127.0.0.1:0")
        .env(
            "POSTBOX_DATABASE_URL",
            "postgres://app:hunter2secret@127.0.0.1:1/postbox",
        )
        .env("POSTBOX_SESSION_SECRET", "x".repeat(40))
        .env("RUST_LOG", "error")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "cannot open the postgres database at postgres://app:***@127.0.0.1:1/postbox"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2secret"));
}

/// PostgreSQL (reached through a proxy the test cuts) goes away under a running app:
/// pages, the API and signing in answer a clear 503 within the database timeout, and
/// the app works again once it is back.
#[tokio::test]
async fn with_the_database_down_pages_and_the_api_answer_503_and_recover() {
    let (server, name) = new_postgres_database().await;
    let target = server
        .rsplit('@')
        .next()
        .unwrap()
        .trim_start_matches("postgres://");
    let mut proxy = Proxy::start(target.parse().unwrap()).await;
    let via_proxy = format!("postgres://postgres@127.0.0.1:{}/{name}", proxy.port());
    let app = spawn_app_with(Options {
        database_url: Some(via_proxy),
        ..Options::default()
    })
    .await;
    assert_eq!(app.get("/upload").await.status(), 200);

    proxy.stop();
    let started = std::time::Instant::now();
    // The app may serve the account it remembers for at most 0.7 s after its last
    // successful look at the change counter (accounts::cache); then every request
    // needs the database again.
    let down = within_a_second(|| async { app.get("/upload").await.status() == 503 }).await;
    assert!(
        down,
        "pages answer 503 within a second of the database going away"
    );
    let page = app.get("/upload").await;
    assert_eq!(page.status(), 503);
    let text = alert(&page.text().await.unwrap());
    assert!(text.contains("cannot reach its database"), "{text}");
    assert!(
        !text.contains("127.0.0.1") && !text.contains("postgres"),
        "{text}"
    );
    let api = app
        .post_json(
            "/api/presign",
            &json!({"filename": "a.txt", "size": 3, "content_type": "text/plain"}),
        )
        .await;
    assert_eq!(api.status(), 503);
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("database"),
        "{body}"
    );
    let signed_out = crate::helpers::new_client();
    let login = signed_out
        .post(format!("{}/login", app.address))
        .form(&[("username", USER), ("password", "x"), ("csrf_token", "x")])
        .send()
        .await
        .unwrap();
    assert!(
        matches!(login.status().as_u16(), 403 | 503),
        "{}",
        login.status()
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "answered within the timeouts, not hung: {:?}",
        started.elapsed()
    );

    proxy.resume().await;
    crate::helpers::eventually_status(&app, "/upload", 200).await;
}

/// A bucket that takes connections and never answers (a hung service, a black-holed
/// route): pages that need it answer 503 once `POSTBOX_S3_TIMEOUT` has passed, and
/// signing, which needs no bucket call, goes on working.
#[tokio::test]
async fn with_the_bucket_hanging_pages_answer_503_within_the_timeout_and_signing_works() {
    let silent = silent_bucket();
    let app = spawn_app_with(Options {
        bucket_url: Some(silent),
        s3_timeout: 2,
        ..Options::default()
    })
    .await;

    let started = std::time::Instant::now();
    let form = app.get("/upload").await;
    assert_eq!(form.status(), 200);
    assert!(
        crate::helpers::parse_form(&form.text().await.unwrap())
            .fields
            .iter()
            .any(|(name, _)| name == "policy")
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "signing waits for nothing"
    );

    let started = std::time::Instant::now();
    let page = app.get("/uploads").await;
    let waited = started.elapsed();
    assert_eq!(page.status(), 503);
    assert!(alert(&page.text().await.unwrap()).contains("Uploads are unavailable"));
    assert!(
        waited >= std::time::Duration::from_secs(2) && waited < std::time::Duration::from_secs(8),
        "answered after the 2 s timeout, not hung: {waited:?}"
    );
}
