//! A bucket or database that does not answer: clear sentences, nothing recorded, and no
//! secrets in what people see.

use postbox::accounts::UserChanges;
use serde_json::json;

use crate::helpers::{Options, USER, spawn_app_with};

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
    app.users()
        .update(
            "test",
            USER,
            UserChanges {
                quota: Some(Some(postbox::domain::ByteSize::from_bytes(1_000_000))),
                ..UserChanges::default()
            },
        )
        .await
        .unwrap();
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
