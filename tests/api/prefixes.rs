//! Nobody can write outside their own prefix: not through the page, the API's
//! parameters, or by editing the signed form before posting it to the bucket.

use postbox::accounts::{Role, UserChanges};
use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn each_user_gets_forms_for_their_own_prefix_and_uploader_name() {
    let app = spawn_app().await;
    app.add_user("alice", Role::User, "users/alice/").await;
    app.add_user("bob", Role::User, "users/bob/").await;
    for name in ["alice", "bob"] {
        let browser = app.browser_of(name, PASSWORD).await;
        let form = browser.upload_form().await;
        assert!(form.field("key").starts_with(&format!("users/{name}/")));
        assert_eq!(form.field("x-amz-meta-uploader"), name);
        let answer = form.post("mine.txt", b"x".to_vec()).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    assert_eq!(app.keys_under("users/alice/").await.len(), 1);
    assert_eq!(app.keys_under("users/bob/").await.len(), 1);
}

#[tokio::test]
async fn editing_the_key_to_another_users_prefix_is_refused_by_the_bucket() {
    let app = spawn_app().await;
    app.add_user("alice", Role::User, "users/alice/").await;
    app.add_user("bob", Role::User, "users/bob/").await;
    let alice = app.browser_of("alice", PASSWORD).await;
    let page_form = alice.upload_form().await;
    let (api_form, _) = alice
        .presigned_form(json!({"filename": "a.txt", "size": 1, "content_type": "text/plain"}))
        .await;
    for (mut form, key) in [
        (page_form.clone(), "users/bob/${filename}"),
        (page_form.clone(), "users/bob/planted.txt"),
        (api_form.clone(), "users/bob/a.txt"),
        (api_form, "users/aliceX/a.txt"),
    ] {
        form.set("key", key);
        let answer = form.post("a.txt", b"x".to_vec()).await;
        assert_eq!(
            answer.refusal(),
            app.backend.failed_condition(),
            "{key}: {}",
            answer.body
        );
    }
    assert!(app.keys_under("users/bob/").await.is_empty());
    assert!(app.keys_under("users/aliceX/").await.is_empty());
}

#[tokio::test]
async fn the_api_ignores_prefix_and_key_parameters_and_refuses_path_names() {
    let app = spawn_app().await;
    app.add_user("alice", Role::User, "users/alice/").await;
    let alice = app.browser_of("alice", PASSWORD).await;
    let (form, answer) = alice
        .presigned_form(json!({
            "filename": "a.txt", "size": 1, "content_type": "text/plain",
            "prefix": "uploads/", "key": "uploads/a.txt", "bucket": "elsewhere",
            "max_size": 999_999_999,
        }))
        .await;
    assert!(answer["key"].as_str().unwrap().starts_with("users/alice/"));
    assert_eq!(answer["max_size"], 1_000_000);
    assert!(form.field("key").starts_with("users/alice/"));
    for filename in ["../../uploads/a.txt", "..", "uploads/a.txt"] {
        let response = alice
            .presign(json!({"filename": filename, "size": 1, "content_type": "text/plain"}))
            .await;
        assert_eq!(response.status(), 400, "{filename}");
    }
    assert!(app.keys_under("uploads/").await.is_empty());
}

#[tokio::test]
async fn a_user_limited_to_some_types_gets_a_plain_form_that_asks_for_the_type() {
    let app = spawn_app().await;
    app.users()
        .update(
            "test",
            crate::helpers::USER,
            UserChanges {
                content_type_prefix: Some("text/".into()),
                ..UserChanges::default()
            },
        )
        .await
        .unwrap();
    let response = app.get("/upload").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("types starting with <code>text/</code>"));
    // The type field sits in <noscript>: it is part of the form only without JavaScript.
    assert!(html.contains(r#"<input name="Content-Type" value="text/" required>"#));
    let form = crate::helpers::parse_form(&html);
    assert!(form.fields.iter().all(|(name, _)| name != "Content-Type"));

    let mut plain = form.clone();
    plain
        .fields
        .insert(3, ("Content-Type".into(), "text/plain".into()));
    let answer = plain.post("notes.txt", b"hello".to_vec()).await;
    assert_eq!(answer.status, 201, "{}", answer.body);

    let mut wrong = crate::helpers::parse_form(&app.get("/upload").await.text().await.unwrap());
    wrong
        .fields
        .insert(3, ("Content-Type".into(), "image/png".into()));
    let answer = wrong.post("photo.png", b"png".to_vec()).await;
    assert_eq!(
        answer.refusal(),
        app.backend.failed_condition(),
        "{}",
        answer.body
    );
    assert_eq!(app.keys_under("uploads/").await.len(), 1);

    let response = app
        .presign(json!({"filename": "photo.png", "size": 3, "content_type": "image/png"}))
        .await;
    assert_eq!(response.status(), 400);
}
