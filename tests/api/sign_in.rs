//! Signing in, sessions and CSRF.

use postbox::accounts::UserChanges;
use serde_json::json;

use crate::helpers::{PASSWORD, USER, new_client, spawn_app};

#[tokio::test]
async fn the_upload_page_sends_strangers_to_sign_in() {
    let mut app = spawn_app().await;
    app.client = new_client();
    let response = app.get("/upload").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
    let response = app.presign(json!({"filename": "a.txt", "size": 1})).await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_wrong_password_creates_no_session() {
    let mut app = spawn_app().await;
    app.client = new_client();
    let response = app.sign_in(USER, "not the password").await;
    assert_eq!(response.status(), 401);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The name or the password is wrong.")
    );
    assert_eq!(app.get("/upload").await.status(), 303);
}

#[tokio::test]
async fn sign_in_without_the_csrf_token_is_refused() {
    let mut app = spawn_app().await;
    app.client = new_client();
    let response = app
        .client
        .post(format!("{}/login", app.address))
        .form(&[("username", USER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(app.get("/upload").await.status(), 303);
}

#[tokio::test]
async fn presign_without_the_csrf_header_is_refused() {
    let mut app = spawn_app().await;
    app.csrf_token = "forged".into();
    let response = app.presign(json!({"filename": "a.txt", "size": 1})).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn repeated_wrong_passwords_are_slowed_down_with_a_retry_hint() {
    let mut app = spawn_app().await;
    app.client = new_client();
    for _ in 0..5 {
        assert_eq!(app.sign_in(USER, "wrong password!").await.status(), 401);
    }
    let response = app.sign_in(USER, PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_disabled_users_session_stops_working() {
    let app = spawn_app().await;
    assert_eq!(app.get("/upload").await.status(), 200);
    let users = app.users();
    users
        .update(
            "admin",
            USER,
            UserChanges {
                disabled: Some(true),
                ..UserChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(app.get("/upload").await.status(), 303);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/logout", app.address))
        .form(&[("csrf_token", app.csrf_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(app.get("/upload").await.status(), 303);
}

/// A session that did not change is not sent again: each answer that re-sends the
/// cookie encrypts it anew (and a page read by two tabs at once could undo the other's
/// change). Only a page that changed something (a message shown once) sends it.
#[tokio::test]
async fn pages_that_change_nothing_do_not_send_the_session_cookie_again() {
    let app = spawn_app().await;
    for path in ["/upload", "/uploads", "/account/tokens"] {
        // The first visit may make the page's CSRF token; after that nothing changes.
        assert_eq!(app.get(path).await.status(), 200, "{path}");
        let again = app.get(path).await;
        assert_eq!(again.status(), 200, "{path}");
        assert!(
            again.headers().get("set-cookie").is_none(),
            "{path} re-sent the session: {:?}",
            again.headers().get("set-cookie")
        );
    }
    let presigned = app.presign(json!({"filename": "a.txt", "size": 1})).await;
    assert_eq!(presigned.status(), 200);
    assert!(presigned.headers().get("set-cookie").is_none());
}
