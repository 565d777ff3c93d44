//! Personal API tokens and Bearer auth on `/api/*`: made on the command line (shown
//! once, stored hashed), used without cookies or CSRF tokens, refused once revoked,
//! expired or their owner disabled, always with 401 and `WWW-Authenticate: Bearer`.

use postbox::accounts::UserChanges;
use serde_json::{Value, json};

use crate::backend::{postbox, run};
use crate::helpers::{TestApp, USER, new_client, spawn_app, within_a_second};

/// `postbox token ARGS` on the app's database: its exit code and standard output.
async fn token_cli(app: &TestApp, args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = postbox(dir.path());
    command
        .arg("token")
        .args(args)
        .env("POSTBOX_DATABASE_URL", &app.database_url);
    let output = run(command).await;
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), out)
}

async fn new_token(app: &TestApp, extra: &[&str]) -> String {
    let mut args = vec!["create", USER, "--label", "ci job"];
    args.extend_from_slice(extra);
    let (code, out) = token_cli(app, &args).await;
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.lines().count(), 1, "the token alone: {out}");
    out.trim().to_owned()
}

/// A request with only the token: no cookie jar, no CSRF header.
fn bearer(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token)
}

async fn refused_401(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: Value = response.json().await.unwrap();
    body["error"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_token_is_shown_once_stored_hashed_used_and_revoked() {
    let app = spawn_app().await;
    let token = new_token(&app, &[]).await;
    assert!(token.starts_with("pbx_") && token.len() >= 44, "{token}");

    let rows = sqlx::query("SELECT * FROM api_tokens")
        .fetch_all(app.database().pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let stored: String = sqlx::Row::get(&rows[0], "token_hash");
    assert_ne!(stored, token);
    assert!(!stored.contains(&token[4..]), "only a hash is kept");

    let listed = bearer(&app, reqwest::Method::GET, "/api/uploads", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);

    let (code, out) = token_cli(&app, &["list", USER]).await;
    assert_eq!(code, Some(0));
    assert!(out.lines().next().unwrap().starts_with("ID"), "{out}");
    assert!(!out.contains(&token), "lists never show the token");
    let id = out
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(out.contains("ci job") && out.contains("active"), "{out}");
    let (_, json) = token_cli(&app, &["list", USER, "--json"]).await;
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json[0]["id"], id.as_str());
    assert!(json[0]["last_used_at"].is_i64(), "use is recorded: {json}");

    let (code, out) = token_cli(&app, &["revoke", &id]).await;
    assert_eq!(code, Some(0), "{out}");
    // The command line is another process: the app sees its change within a second.
    let refused = within_a_second(|| async {
        let after = bearer(&app, reqwest::Method::GET, "/api/uploads", &token)
            .send()
            .await
            .unwrap();
        after.status() == 401
    })
    .await;
    assert!(
        refused,
        "a token revoked on the command line stops within a second"
    );
    let after = bearer(&app, reqwest::Method::GET, "/api/uploads", &token)
        .send()
        .await
        .unwrap();
    assert!(refused_401(after).await.contains("revoked"));
    let log = app.users().audit_log_of(USER, 10).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"create token") && actions.contains(&"revoke token"),
        "{actions:?}"
    );
    let (code, _) = token_cli(&app, &["revoke", "no-such-id"]).await;
    assert_eq!(code, Some(1));
}

#[tokio::test]
async fn expired_tokens_and_tokens_of_disabled_accounts_answer_401() {
    let app = spawn_app().await;
    let short = new_token(&app, &["--expires-in", "2s"]).await;
    let long = new_token(&app, &["--expires-in", "1d"]).await;
    for token in [&short, &long] {
        let ok = bearer(&app, reqwest::Method::GET, "/api/uploads", token)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let expired = bearer(&app, reqwest::Method::GET, "/api/uploads", &short)
        .send()
        .await
        .unwrap();
    refused_401(expired).await;

    let disable = UserChanges {
        disabled: Some(true),
        ..UserChanges::default()
    };
    app.users().update("test", USER, disable).await.unwrap();
    let disabled = bearer(&app, reqwest::Method::GET, "/api/uploads", &long)
        .send()
        .await
        .unwrap();
    refused_401(disabled).await;
    let enable = UserChanges {
        disabled: Some(false),
        ..UserChanges::default()
    };
    app.users().update("test", USER, enable).await.unwrap();
    let back = bearer(&app, reqwest::Method::GET, "/api/uploads", &long)
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.status(),
        200,
        "the very next request after re-enabling"
    );
}

#[tokio::test]
async fn no_bad_or_malformed_credentials_answer_401_and_a_bearer_request_ignores_cookies() {
    let app = spawn_app().await;
    let anonymous = new_client()
        .get(format!("{}/api/uploads", app.address))
        .send()
        .await
        .unwrap();
    refused_401(anonymous).await;
    let forged = bearer(
        &app,
        reqwest::Method::GET,
        "/api/uploads",
        "pbx_notarealtokenatallnotarealtokenatall1234",
    )
    .send()
    .await
    .unwrap();
    refused_401(forged).await;
    let basic = reqwest::Client::new()
        .get(format!("{}/api/uploads", app.address))
        .header("authorization", "Basic Z3Vlc3Q6cGFzcw==")
        .send()
        .await
        .unwrap();
    assert!(refused_401(basic).await.contains("Bearer"));
    // The signed-in browser's cookie does not rescue a bad token.
    let mixed = app
        .client
        .get(format!("{}/api/uploads", app.address))
        .bearer_auth("pbx_wrong")
        .send()
        .await
        .unwrap();
    refused_401(mixed).await;
}

#[tokio::test]
async fn with_a_token_a_program_presigns_uploads_confirms_lists_downloads_and_deletes() {
    let app = spawn_app().await;
    let token = new_token(&app, &[]).await;
    // No CSRF header: a Bearer request carries no cookie to forge.
    let presigned = bearer(&app, reqwest::Method::POST, "/api/presign", &token)
        .json(&json!({"filename": "notes.txt", "size": 5, "content_type": "text/plain"}))
        .send()
        .await
        .unwrap();
    assert_eq!(presigned.status(), 200);
    let presigned: Value = presigned.json().await.unwrap();
    let form = crate::helpers::BrowserForm::from_json(&presigned);
    let stored = form.post("notes.txt", b"hello".to_vec()).await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let key = stored.xml("Key").unwrap();
    assert!(key.starts_with(&app.prefix), "{key}");

    let confirmed = bearer(&app, reqwest::Method::POST, "/api/uploads/confirm", &token)
        .json(&json!({ "key": key }))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    crate::helpers::put_object(&app.storage, "others/x.txt", b"not theirs").await;
    let listed: Value = bearer(&app, reqwest::Method::GET, "/api/uploads", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys: Vec<_> = listed["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [key.as_str()], "only the caller's files");
    assert_eq!(listed["uploads"][0]["name"], "notes.txt");
    assert_eq!(listed["uploads"][0]["size"], 5);
    assert!(listed["next"].is_null());

    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("key", &key)
        .finish();
    let link: Value = bearer(
        &app,
        reqwest::Method::GET,
        &format!("/api/uploads/download?{query}"),
        &token,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let body = reqwest::get(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(body.bytes().await.unwrap().as_ref(), b"hello");

    let foreign = bearer(
        &app,
        reqwest::Method::DELETE,
        "/api/uploads?key=others%2Fx.txt",
        &token,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(foreign.status(), 403);
    let deleted = bearer(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/uploads?{query}"),
        &token,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(app.keys_under(&app.prefix).await.is_empty());
}

#[tokio::test]
async fn presign_put_admits_exactly_the_signed_length_and_keeps_the_quota() {
    let app = spawn_app().await;
    let body =
        json!({"filename": "data.bin", "size": 6, "content_type": "application/octet-stream"});
    let signed = app.post_json("/api/presign-put", &body).await;
    assert_eq!(signed.status(), 200);
    let signed: Value = signed.json().await.unwrap();
    assert_eq!(signed["method"], "PUT");
    assert_eq!(signed["headers"]["Content-Length"], "6");
    let key = signed["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with(&app.prefix), "{key}");
    let url = signed["url"].as_str().unwrap();
    let put = |content: Vec<u8>| {
        reqwest::Client::new()
            .put(url)
            .header("content-type", "application/octet-stream")
            .body(content)
            .send()
    };
    let wrong = put(b"longer than six".to_vec()).await.unwrap();
    assert!(wrong.status().is_client_error(), "{}", wrong.status());
    assert!(
        app.keys_under(&app.prefix).await.is_empty(),
        "nothing stored"
    );
    let right = put(b"sixsix".to_vec()).await.unwrap();
    assert!(right.status().is_success(), "{}", right.status());
    assert_eq!(app.keys_under(&app.prefix).await, [key]);

    app.set_quota(3000).await;
    let body =
        json!({"filename": "a.bin", "size": 2000, "content_type": "application/octet-stream"});
    assert_eq!(app.post_json("/api/presign-put", &body).await.status(), 200);
    let over = app.post_json("/api/presign-put", &body).await;
    assert_eq!(
        over.status(),
        413,
        "the first request holds 2000 of 3000 bytes"
    );
}

#[tokio::test]
async fn the_tokens_page_makes_a_token_shown_once_and_revokes_only_ones_own() {
    let app = spawn_app().await;
    let page = app.get("/account/tokens").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("No tokens yet."));

    let made = app
        .post_form(
            "/account/tokens",
            &[("label", "backup script"), ("days", "30")],
        )
        .await;
    assert_eq!(made.status(), 200);
    let html = made.text().await.unwrap();
    let document = scraper::Html::parse_document(&html);
    let shown = scraper::Selector::parse("#new-token code").unwrap();
    let token = document
        .select(&shown)
        .next()
        .expect("the new token is shown")
        .text()
        .collect::<String>();
    assert!(token.starts_with("pbx_"), "{token}");
    let again = app.get("/account/tokens").await.text().await.unwrap();
    assert!(!again.contains(&token), "shown once only");
    assert!(
        again.contains("backup script") && again.contains("active"),
        "{again}"
    );
    let used = bearer(&app, reqwest::Method::GET, "/api/uploads", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(used.status(), 200);

    for (label, days) in [("", "30"), ("fine", "7")] {
        let refused = app
            .post_form("/account/tokens", &[("label", label), ("days", days)])
            .await;
        assert_eq!(refused.status(), 400, "{label:?} {days}");
    }

    // Another person cannot revoke it, even knowing its ID.
    let id = sqlx::query("SELECT id FROM api_tokens")
        .fetch_one(app.database().pool())
        .await
        .map(|row| sqlx::Row::get::<String, _>(&row, "id"))
        .unwrap();
    app.add_user("mallory", postbox::accounts::Role::User, "others/mallory/")
        .await;
    let mallory = app.browser_of("mallory", crate::helpers::PASSWORD).await;
    let path = format!("/account/tokens/{id}/revoke");
    assert_eq!(mallory.post_form(&path, &[]).await.status(), 404);
    let forged = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&[("csrf_token", "no")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let still = bearer(&app, reqwest::Method::GET, "/api/uploads", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200);

    let revoked = app.post_form(&path, &[]).await;
    assert_eq!(revoked.status(), 303);
    let gone = bearer(&app, reqwest::Method::GET, "/api/uploads", &token)
        .send()
        .await
        .unwrap();
    refused_401(gone).await;
    let page = app.get("/account/tokens").await.text().await.unwrap();
    assert!(page.contains("revoked"), "{page}");
}
