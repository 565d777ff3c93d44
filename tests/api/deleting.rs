//! Deleting files: `POST /uploads/delete` (the My files button) and
//! `DELETE /api/uploads?key=…`. Only the caller's own object goes, the ledger frees its
//! bytes (or holds them while the form that wrote it could post it again), and the
//! audit log says who deleted what.

use postbox::accounts::Role;
use serde_json::json;

use crate::helpers::{TestApp, USER, alert, put_object, spawn_app, spawn_app_with_clock};

/// Uploads `content` as `name` through `/api/presign`, confirms it, returns its key.
async fn upload(app: &TestApp, name: &str, content: &[u8]) -> String {
    let body = json!({"filename": name, "size": content.len(), "content_type": "text/plain"});
    let (form, _) = app.presigned_form(body).await;
    let answer = form.post(name, content.to_vec()).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let key = answer.xml("Key").unwrap();
    let confirmed = app
        .post_json("/api/uploads/confirm", &json!({ "key": key }))
        .await;
    assert_eq!(confirmed.status(), 200);
    key
}

fn error_of(json: &serde_json::Value) -> &str {
    json["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn the_delete_button_removes_only_that_file_and_says_so() {
    let app = spawn_app().await;
    let gone = upload(&app, "gone.txt", b"delete me").await;
    let kept = upload(&app, "kept.txt", b"keep me").await;

    let page = app.get("/uploads").await.text().await.unwrap();
    let document = scraper::Html::parse_document(&page);
    let forms = scraper::Selector::parse("#files details.delete form").unwrap();
    let keys: Vec<_> = document
        .select(&forms)
        .map(|form| {
            let key = scraper::Selector::parse("input[name=key]").unwrap();
            assert_eq!(form.value().attr("action"), Some("/uploads/delete"));
            assert_eq!(form.value().attr("method"), Some("post"));
            let input = form.select(&key).next().unwrap();
            input.value().attr("value").unwrap().to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 2, "a delete form per file: {page}");
    assert!(keys.contains(&gone) && keys.contains(&kept), "{keys:?}");

    let answer = app.post_form("/uploads/delete", &[("key", &gone)]).await;
    assert_eq!(answer.status(), 303);
    assert_eq!(answer.headers()["location"], "/uploads");
    assert_eq!(
        app.keys_under(&app.prefix).await,
        std::slice::from_ref(&kept)
    );

    let page = app.get("/uploads").await.text().await.unwrap();
    assert!(page.contains("Deleted gone.txt (9 bytes)."), "{page}");
    assert!(
        page.contains("kept.txt") && page.contains("1 file"),
        "{page}"
    );
    let again = app.get("/uploads").await.text().await.unwrap();
    assert!(!again.contains("Deleted "), "the message is shown once");

    let log = app.users().audit_log_of(USER, 10).await.unwrap();
    let entry = log
        .iter()
        .find(|entry| entry.action == "delete file")
        .expect("the deletion is in the audit log");
    assert_eq!(entry.actor, USER);
    assert!(entry.after.as_deref().unwrap().contains(&gone), "{entry:?}");
}

#[tokio::test]
async fn the_api_deletes_with_204_and_refuses_what_is_not_the_callers() {
    let app = spawn_app().await;
    let mine = upload(&app, "mine.txt", b"mine").await;
    app.add_user("other", Role::User, "others/other/").await;
    put_object(&app.storage, "others/other/secret.txt", b"not yours").await;
    put_object(&app.storage, "uploads-x/near.txt", b"a prefix look-alike").await;

    for (key, status, says) in [
        ("others/other/secret.txt", 403, "not yours"),
        ("uploads-x/near.txt", 403, "not yours"),
        ("uploads/../others/other/secret.txt", 400, "cannot be used"),
        ("uploads/./mine.txt", 400, "cannot be used"),
        ("uploads/never-uploaded.txt", 404, "There is no file"),
    ] {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("key", key)
            .finish();
        let answer = app.delete_api(&format!("/api/uploads?{query}")).await;
        assert_eq!(answer.status(), status, "{key}");
        let json: serde_json::Value = answer.json().await.unwrap();
        assert!(error_of(&json).contains(says), "{key}: {json}");
    }
    let missing = app.delete_api("/api/uploads").await;
    assert_eq!(missing.status(), 400);
    let json: serde_json::Value = missing.json().await.unwrap();
    assert!(error_of(&json).contains("key"), "{json}");

    // A cookie without the CSRF header is refused, and nothing is deleted.
    let query = format!("/api/uploads?key={}", mine.replace('/', "%2F"));
    let forged = app
        .client
        .delete(format!("{}{query}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // Nor through the page's form, for another's file.
    let page = app
        .post_form("/uploads/delete", &[("key", "others/other/secret.txt")])
        .await;
    assert_eq!(page.status(), 403);
    assert!(alert(&page.text().await.unwrap()).contains("not yours"));

    let everything = app.all_keys().await;
    for key in [&mine, "others/other/secret.txt", "uploads-x/near.txt"] {
        assert!(everything.iter().any(|k| k == key), "{key} is still there");
    }

    let deleted = app.delete_api(&query).await;
    assert_eq!(deleted.status(), 204);
    assert!(app.keys_under(&app.prefix).await.is_empty());
    let again = app.delete_api(&query).await;
    assert_eq!(again.status(), 404, "it is gone");
}

/// A deleted file's bytes are free at once when no form can write it again.
#[tokio::test]
async fn deleting_frees_quota_once_the_form_that_wrote_it_has_expired() {
    let (app, handle) = spawn_app_with_clock().await;
    app.set_quota(3000).await;
    let key = upload(&app, "big.bin", &[7u8; 2000]).await;
    let before = app.usage().await;
    assert_eq!((before.stored_bytes, before.stored_files), (2000, 1));
    let refused = app
        .presign(json!({"filename": "b.bin", "size": 2000, "content_type": "text/plain"}))
        .await;
    assert_eq!(refused.status(), 413, "2000 + 2000 > 3000");

    handle.advance(time::Duration::minutes(11));
    let deleted = app.delete_api(&format!("/api/uploads?key={key}")).await;
    assert_eq!(deleted.status(), 204);
    let after = app.usage().await;
    assert_eq!(
        (after.stored_bytes, after.stored_files),
        (0, 0),
        "{after:?}"
    );
    upload(&app, "b.bin", &[8u8; 2000]).await;
}

/// While the form that wrote a file can still be posted, deleting the file moves its
/// bytes back to that form's reservation: a re-post cannot take the account past its
/// quota. Once the form expires, they are free.
#[tokio::test]
async fn a_deleted_file_whose_form_is_still_open_holds_its_bytes_until_it_expires() {
    let (app, handle) = spawn_app_with_clock().await;
    app.set_quota(3000).await;
    let body = json!({"filename": "a.bin", "size": 2000, "content_type": "text/plain"});
    let (form, _) = app.presigned_form(body).await;
    let key = form.field("key").to_owned();
    assert_eq!(form.post("a.bin", vec![1u8; 2000]).await.status, 201);
    let confirm = json!({ "key": key });
    let confirmed = app.post_json("/api/uploads/confirm", &confirm).await;
    assert_eq!(confirmed.status(), 200);

    let answer = app.post_form("/uploads/delete", &[("key", &key)]).await;
    assert_eq!(answer.status(), 303);
    let held = app.usage().await;
    assert_eq!(held.stored_bytes, 0);
    assert_eq!(held.reserved_bytes, 2000, "{held:?}");
    let page = app.get("/uploads").await.text().await.unwrap();
    assert!(page.contains("free again at"), "{page}");
    let refused = app
        .presign(json!({"filename": "b.bin", "size": 2000, "content_type": "text/plain"}))
        .await;
    assert_eq!(
        refused.status(),
        413,
        "the open form still holds 2000 bytes"
    );

    // The old form posted again lands on its own key, within what it holds.
    assert_eq!(form.post("a.bin", vec![2u8; 2000]).await.status, 201);
    let confirmed = app.post_json("/api/uploads/confirm", &confirm).await;
    assert_eq!(confirmed.status(), 200);
    let counted = app.usage().await;
    assert_eq!(counted.counted(), 2000, "{counted:?}");

    let answer = app.post_form("/uploads/delete", &[("key", &key)]).await;
    assert_eq!(answer.status(), 303);
    handle.advance(time::Duration::minutes(11));
    // The form has expired: the next signing settles it (absent: freed).
    upload(&app, "b.bin", &[3u8; 2000]).await;
    let after = app.usage().await;
    assert_eq!(
        (after.stored_bytes, after.stored_files),
        (2000, 1),
        "{after:?}"
    );
}
