//! `GET /uploads`, downloads, and `POST /api/uploads/confirm`.

use serde_json::json;

use crate::helpers::{TestApp, new_client, spawn_app};

/// Uploads `content` as `name` through `/api/presign` and returns its key.
async fn upload(app: &TestApp, name: &str, content: &[u8]) -> String {
    let (form, _) = app
        .presigned_form(
            json!({"filename": name, "size": content.len(), "content_type": "text/plain"}),
        )
        .await;
    let answer = form.post(name, content.to_vec()).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.xml("Key").unwrap()
}

#[tokio::test]
async fn my_files_lists_the_users_uploads_with_links_that_download_them() {
    let app = spawn_app().await;
    let first = upload(&app, "first.txt", b"one").await;
    let second = upload(&app, "second report.txt", "twö".as_bytes()).await;
    app.add_user("other", postbox::accounts::Role::User, "others/other/")
        .await;
    crate::helpers::put_object(&app.storage, "others/other/secret.txt", b"not yours").await;

    let page = app.get("/uploads").await.text().await.unwrap();
    let document = scraper::Html::parse_document(&page);
    let links: Vec<String> = document
        .select(&scraper::Selector::parse("#files a.download").unwrap())
        .map(|a| a.value().attr("href").unwrap().to_owned())
        .collect();
    assert_eq!(links.len(), 2, "{page}");
    assert!(page.contains("first.txt") && page.contains("second report.txt"));
    assert!(!page.contains("secret.txt"), "only the user's own files");
    assert!(page.contains("2 files"));

    for (key, content, name) in [
        (&first, "one".as_bytes(), "first.txt"),
        (&second, "twö".as_bytes(), "second report.txt"),
    ] {
        let link = links
            .iter()
            .find(|l| l.contains(key.rsplit('/').nth(1).unwrap()))
            .unwrap_or_else(|| panic!("a link for {key} in {links:?}"));
        let response = app.get(link).await;
        assert_eq!(response.status(), 303);
        let url = response.headers()["location"].to_str().unwrap().to_owned();
        let file = reqwest::get(&url).await.unwrap();
        assert_eq!(file.status(), 200, "{url}");
        let disposition = file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains(&name.replace(' ', "%20")),
            "{disposition}"
        );
        assert_eq!(file.bytes().await.unwrap().as_ref(), content);
    }
}

fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[tokio::test]
async fn my_files_says_so_when_nothing_is_uploaded_yet() {
    let app = spawn_app().await;
    let response = app.get("/uploads").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Nothing uploaded yet.")
    );
}

#[tokio::test]
async fn another_users_file_cannot_be_downloaded_and_a_missing_one_answers_404() {
    let app = spawn_app().await;
    crate::helpers::put_object(&app.storage, "others/secret.txt", b"not yours").await;
    // `uploads/../others/secret.txt` is refused with 400 before its owner is asked
    // (tests/api/literal_keys.rs).
    for key in ["others/secret.txt", "uploadsX/a.txt"] {
        let response = app
            .get(&format!("/uploads/download?key={}", urlencode(key)))
            .await;
        assert_eq!(response.status(), 403, "{key}");
        assert!(!response.headers().contains_key("location"));
    }
    let response = app.get("/uploads/download?key=uploads%2Fnever.txt").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("There is no file"));
}

#[tokio::test]
async fn strangers_cannot_list_download_or_confirm() {
    let mut app = spawn_app().await;
    let key = upload(&app, "a.txt", b"abc").await;
    app.client = new_client();
    assert_eq!(app.get("/uploads").await.status(), 303);
    let download = app
        .get(&format!("/uploads/download?key={}", urlencode(&key)))
        .await;
    assert_eq!(download.status(), 303);
    assert_eq!(download.headers()["location"], "/login");
    let confirm = app
        .post_json("/api/uploads/confirm", &json!({"key": key}))
        .await;
    assert_eq!(confirm.status(), 401);
}

#[tokio::test]
async fn confirming_an_upload_records_it_once_with_its_size_and_type() {
    let app = spawn_app().await;
    let key = upload(&app, "notes.txt", b"hello").await;
    for _ in 0..2 {
        let response = app
            .post_json("/api/uploads/confirm", &json!({"key": key}))
            .await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["key"], key.as_str());
        assert_eq!(body["size"], 5);
        assert_eq!(body["content_type"], "text/plain");
    }
    let db = app.database().clone();
    let rows =
        sqlx::query("SELECT username, size, content_type FROM uploads WHERE object_key = $1")
            .bind(&key)
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    use sqlx::Row;
    assert_eq!(rows[0].get::<String, _>("username"), "tess");
    assert_eq!(rows[0].get::<i64, _>("size"), 5);
}

#[tokio::test]
async fn confirm_refuses_a_key_outside_the_prefix_a_missing_file_and_a_missing_csrf_header() {
    let mut app = spawn_app().await;
    crate::helpers::put_object(&app.storage, "others/secret.txt", b"not yours").await;
    let outside = app
        .post_json("/api/uploads/confirm", &json!({"key": "others/secret.txt"}))
        .await;
    assert_eq!(outside.status(), 403);
    let body: serde_json::Value = outside.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("under uploads/"),
        "{body}"
    );
    let missing = app
        .post_json("/api/uploads/confirm", &json!({"key": "uploads/never.txt"}))
        .await;
    assert_eq!(missing.status(), 404);
    let key = upload(&app, "a.txt", b"abc").await;
    app.csrf_token = "forged".into();
    let forged = app
        .post_json("/api/uploads/confirm", &json!({"key": key}))
        .await;
    assert_eq!(forged.status(), 403);
    let db = app.database().clone();
    let count: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) AS n FROM uploads")
            .fetch_one(db.pool())
            .await
            .unwrap(),
        "n",
    );
    assert_eq!(count, 0, "nothing was recorded");
}
