//! A quota caps each form at what is left of it, and no form is signed once it is used.

use postbox::accounts::UserChanges;
use postbox::domain::ByteSize;
use serde_json::json;

use crate::helpers::{USER, spawn_app};

#[tokio::test]
async fn forms_are_capped_at_what_is_left_of_the_quota_until_it_is_used_up() {
    let app = spawn_app().await;
    app.users()
        .update(
            "test",
            USER,
            UserChanges {
                quota: Some(Some(ByteSize::from_bytes(5000))),
                ..UserChanges::default()
            },
        )
        .await
        .unwrap();
    let page = app.get("/upload").await.text().await.unwrap();
    assert!(page.contains("5 KB left of your 5 KB quota"), "{page}");

    let (form, answer) = app
        .presigned_form(
            json!({"filename": "a.bin", "size": 4000, "content_type": "application/octet-stream"}),
        )
        .await;
    assert_eq!(answer["max_size"], 5000, "capped below the 1 MB limit");
    assert_eq!(form.post("a.bin", vec![1; 4000]).await.status, 201);

    // 1000 bytes are left: a larger file gets no form, and the page says so.
    let page = app.get("/upload").await.text().await.unwrap();
    assert!(page.contains("1 KB left of your 5 KB quota"), "{page}");
    let response = app
        .presign(
            json!({"filename": "b.bin", "size": 1001, "content_type": "application/octet-stream"}),
        )
        .await;
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["error"],
        "b.bin is 1,001 bytes; the limit is 1,000 bytes."
    );
    // A form signed while room was left cannot store more than that room either.
    let form = app.upload_form().await;
    let answer = form.post("c.bin", vec![1; 1001]).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.xml("Code").as_deref(), Some("EntityTooLarge"));
    assert_eq!(
        app.upload_form()
            .await
            .post("d.bin", vec![1; 1000])
            .await
            .status,
        201
    );

    // Used up: no form at all, with the reason.
    let response = app.get("/upload").await;
    assert_eq!(response.status(), 403);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Your storage quota of 5 KB is used up."),
        "{page}"
    );
    let response = app
        .presign(json!({"filename": "e.bin", "size": 1, "content_type": "text/plain"}))
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.keys_under("uploads/").await.len(), 2);
}
