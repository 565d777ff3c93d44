//! Guest upload links: made on the command line (the URL alone on stdout), a guest's
//! page and per-file forms under `<owner prefix>links/<id>/`, limits that hold against
//! re-posted forms and concurrent requests, 404 for unknown tokens and 410 for expired
//! or revoked links, and the owner sees the files.

use serde_json::{Value, json};

use crate::backend::{postbox, run};
use crate::helpers::{
    BrowserForm, TestApp, USER, meta_csrf, new_client, spawn_app, spawn_app_with_clock,
};

async fn link_cli(app: &TestApp, args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = postbox(dir.path());
    command
        .arg("link")
        .args(args)
        .env("POSTBOX_DATABASE_URL", &app.database_url)
        .env("POSTBOX_PUBLIC_URL", &app.address);
    let output = run(command).await;
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    (
        output.status.code(),
        out + &String::from_utf8_lossy(&output.stderr),
    )
}

async fn new_link(app: &TestApp, extra: &[&str]) -> String {
    let mut args = vec!["create", USER, "--label", "Photos from the trip"];
    args.extend_from_slice(extra);
    let (code, out) = link_cli(app, &args).await;
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.lines().count(), 1, "the URL alone: {out}");
    let url = out.trim().to_owned();
    assert!(url.starts_with(&format!("{}/u/", app.address)), "{url}");
    url
}

/// A guest's browser on the link: its page, and its per-file presign.
struct Guest {
    client: reqwest::Client,
    url: String,
    csrf: String,
}

impl Guest {
    async fn open(url: &str) -> (Self, reqwest::Response) {
        let client = new_client();
        let page = client.get(url).send().await.unwrap();
        let guest = Self {
            client,
            url: url.to_owned(),
            csrf: String::new(),
        };
        (guest, page)
    }

    async fn arrive(url: &str) -> Self {
        let (mut guest, page) = Self::open(url).await;
        assert_eq!(page.status(), 200);
        guest.csrf = meta_csrf(&page.text().await.unwrap());
        guest
    }

    async fn presign(&self, name: &str, size: usize) -> reqwest::Response {
        self.client
            .post(format!("{}/presign", self.url))
            .header("x-csrf-token", &self.csrf)
            .json(&json!({"filename": name, "size": size, "content_type": "text/plain"}))
            .send()
            .await
            .unwrap()
    }

    async fn form(&self, name: &str, size: usize) -> BrowserForm {
        let answer = self.presign(name, size).await;
        assert_eq!(answer.status(), 200);
        BrowserForm::from_json(&answer.json::<Value>().await.unwrap())
    }
}

fn link_id(app: &TestApp, key: &str) -> String {
    key.strip_prefix(&format!("{}links/", app.prefix))
        .unwrap_or_else(|| panic!("{key} is in the link's folder"))
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_guest_uploads_into_the_links_folder_and_the_owner_sees_it() {
    let app = spawn_app().await;
    let url = new_link(&app, &[]).await;
    let (_, page) = Guest::open(&url).await;
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Photos from the trip") && html.contains(USER),
        "{html}"
    );
    assert!(html.contains("100 more files"), "{html}");
    let guest = Guest::arrive(&url).await;
    let form = guest.form("beach.txt", 9).await;
    let stored = form.post("beach.txt", b"sand, sea".to_vec()).await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let key = stored.xml("Key").unwrap();
    let id = link_id(&app, &key);
    assert!(key.ends_with("/beach.txt"), "{key}");

    // An edited key outside the link's folder is refused by the bucket.
    let mut edited = guest.form("other.txt", 5).await;
    edited.set("key", &format!("{}stolen.txt", app.prefix));
    let refused = edited.post("other.txt", b"12345".to_vec()).await;
    assert!(refused.status >= 400, "{}", refused.body);
    let keys = app.keys_under(&app.prefix).await;
    assert_eq!(keys, std::slice::from_ref(&key), "nothing else landed");

    let confirm = |key: String| {
        guest
            .client
            .post(format!("{url}/confirm"))
            .header("x-csrf-token", &guest.csrf)
            .json(&json!({ "key": key }))
            .send()
    };
    let confirmed = confirm(key.clone()).await.unwrap();
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(
        confirmed,
        json!({"name": "beach.txt", "size": 9}),
        "nothing of the owner's space"
    );
    let foreign = confirm(format!("{}elsewhere.txt", app.prefix))
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);

    let mine = app.get("/uploads").await.text().await.unwrap();
    assert!(mine.contains("from “Photos from the trip”"), "{mine}");
    assert!(
        mine.contains("beach.txt") && mine.contains(&format!("links/{id}")),
        "{mine}"
    );
    let log = app.users().audit_log_of(USER, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "create link"), "{log:?}");
    let received = log
        .iter()
        .find(|e| e.action == "receive file")
        .expect("each received file is logged");
    assert!(received.actor.starts_with("link:"), "{received:?}");
    assert!(
        received.after.as_deref().unwrap().contains("beach.txt"),
        "{received:?}"
    );
}

#[tokio::test]
async fn limits_hold_against_size_count_total_reposts_and_concurrent_requests() {
    let app = spawn_app().await;
    let url = new_link(
        &app,
        &[
            "--max-size",
            "100",
            "--max-files",
            "3",
            "--max-total",
            "250",
        ],
    )
    .await;
    let guest = Guest::arrive(&url).await;
    assert_eq!(
        guest.presign("big.txt", 101).await.status(),
        413,
        "over the largest file"
    );

    let form = guest.form("a.txt", 100).await;
    for _ in 0..3 {
        assert_eq!(
            form.post("a.txt", vec![b'a'; 100]).await.status,
            201,
            "a re-post overwrites"
        );
    }
    assert_eq!(app.keys_under(&app.prefix).await.len(), 1);

    // 150 bytes and 2 files are left: ask for five 100-byte forms at once.
    let asks: Vec<_> = (0..5).map(|i| {
        let client = guest.client.clone();
        let url = guest.url.clone();
        let csrf = guest.csrf.clone();
        tokio::spawn(async move {
            client
                .post(format!("{url}/presign"))
                .header("x-csrf-token", csrf)
                .json(&json!({"filename": format!("c{i}.txt"), "size": 100, "content_type": "text/plain"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    }).collect();
    let mut statuses = Vec::new();
    for ask in asks {
        statuses.push(ask.await.unwrap());
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 413, 413, 413, 413],
        "only one fits in 150 bytes"
    );
    let answer = guest.presign("d.txt", 50).await;
    assert_eq!(answer.status(), 200, "the last 50 bytes and the third file");
    let full = guest.presign("e.txt", 1).await;
    assert_eq!(
        full.status(),
        409,
        "a link that has all its files is a conflict"
    );
    let body: Value = full.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("has them all"),
        "{body}"
    );

    let no_csrf = guest
        .client
        .post(format!("{url}/presign"))
        .json(&json!({"filename": "x.txt", "size": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
}

#[tokio::test]
async fn unknown_tokens_answer_404_and_revoked_or_expired_links_410() {
    let app = spawn_app().await;
    let url = new_link(&app, &[]).await;
    let guest = Guest::arrive(&url).await;
    let unknown_url = format!("{}/u/notarealtokennotarealtoken", app.address);
    let (_, page) = Guest::open(&unknown_url).await;
    assert_eq!(page.status(), 404);
    // With a valid CSRF token of this browser's session, the unknown link is still 404.
    let unknown = Guest {
        client: guest.client.clone(),
        url: unknown_url,
        csrf: guest.csrf.clone(),
    };
    assert_eq!(unknown.presign("a.txt", 1).await.status(), 404);
    let (code, out) = link_cli(&app, &["revoke", &url]).await;
    assert_eq!(code, Some(0), "{out}");
    let (_, page) = Guest::open(&url).await;
    assert_eq!(page.status(), 410);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("withdrawn") && !html.contains("upload-form"),
        "{html}"
    );
    assert_eq!(guest.presign("a.txt", 1).await.status(), 410);

    let short = new_link(&app, &["--expires-in", "1s"]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (_, page) = Guest::open(&short).await;
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("expired"));

    let (code, out) = link_cli(&app, &["list", USER]).await;
    assert_eq!(code, Some(0));
    assert!(out.lines().next().unwrap().starts_with("ID"), "{out}");
    assert!(out.contains("revoked") && out.contains("expired"), "{out}");
    assert!(
        !out.contains(url.rsplit('/').next().unwrap()),
        "never the token"
    );
    let (_, json) = link_cli(&app, &["list", USER, "--json"]).await;
    let json: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(json[0]["id"].is_string());
    // Limits above the owner's own are refused.
    let (code, out) = link_cli(&app, &["create", USER, "--max-size", "2MB"]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("your own limit"), "{out}");
}

/// A guest form that expires unposted frees its file and bytes; one that was posted
/// stays counted.
#[tokio::test]
async fn expired_guest_forms_are_settled_by_what_the_bucket_holds() {
    let (app, handle) = spawn_app_with_clock().await;
    let url = new_link(&app, &["--max-files", "2", "--max-total", "200"]).await;
    let guest = Guest::arrive(&url).await;
    let posted = guest.form("kept.txt", 100).await;
    assert_eq!(posted.post("kept.txt", vec![b'k'; 100]).await.status, 201);
    let _never_posted = guest.form("lost.txt", 100).await;
    assert_eq!(
        guest.presign("more.txt", 1).await.status(),
        409,
        "both slots held"
    );
    handle.advance(time::Duration::minutes(11));
    let answer = guest.presign("more.txt", 100).await;
    assert_eq!(
        answer.status(),
        200,
        "the unposted form's slot and bytes came back"
    );
    assert_eq!(guest.presign("again.txt", 1).await.status(), 409);
}

#[tokio::test]
async fn the_links_pages_make_show_and_revoke_only_ones_own_links() {
    let app = spawn_app().await;
    let page = app.get("/links").await.text().await.unwrap();
    assert!(page.contains("No links yet."), "{page}");
    let made = app
        .post_form(
            "/links",
            &[
                ("label", "Tax papers"),
                ("max_size", "500"),
                ("max_files", "2"),
                ("max_total", ""),
                ("lifetime", "86400"),
            ],
        )
        .await;
    assert_eq!(made.status(), 200);
    let html = made.text().await.unwrap();
    let document = scraper::Html::parse_document(&html);
    let shown = scraper::Selector::parse("#new-link-url").unwrap();
    let url = document
        .select(&shown)
        .next()
        .expect("the URL is shown")
        .text()
        .collect::<String>();
    assert!(url.starts_with(&format!("{}/u/", app.address)), "{url}");
    let again = app.get("/links").await.text().await.unwrap();
    assert!(!again.contains(&url), "the URL is shown once");
    let id_link = scraper::Html::parse_document(&again);
    let anchor = scraper::Selector::parse("#links a").unwrap();
    let href = id_link
        .select(&anchor)
        .next()
        .unwrap()
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert!(href.starts_with("/links/"), "{href}");

    let guest = Guest::arrive(&url).await;
    let form = guest.form("return.txt", 6).await;
    assert_eq!(
        form.post("return.txt", b"income".to_vec()).await.status,
        201
    );
    let one = app.get(&href).await.text().await.unwrap();
    assert!(
        one.contains("return.txt") && one.contains("1 of 2"),
        "{one}"
    );

    for (field, bad) in [
        ("max_size", "2MB"),
        ("max_files", "many"),
        ("lifetime", "999"),
    ] {
        let mut fields = vec![
            ("label", "x"),
            ("max_size", ""),
            ("max_files", ""),
            ("max_total", ""),
            ("lifetime", "3600"),
        ];
        for f in fields.iter_mut() {
            if f.0 == field {
                f.1 = bad;
            }
        }
        let refused = app.post_form("/links", &fields).await;
        assert_eq!(refused.status(), 400, "{field}={bad}");
    }

    app.add_user("mallory", postbox::accounts::Role::User, "others/mallory/")
        .await;
    let mallory = app.browser_of("mallory", crate::helpers::PASSWORD).await;
    assert_eq!(mallory.get(&href).await.status(), 404);
    assert_eq!(
        mallory
            .post_form(&format!("{href}/revoke"), &[])
            .await
            .status(),
        404
    );
    assert_eq!(
        guest.presign("more.txt", 1).await.status(),
        200,
        "still open"
    );

    let revoked = app.post_form(&format!("{href}/revoke"), &[]).await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(guest.presign("late.txt", 1).await.status(), 410);
    let (_, page) = Guest::open(&url).await;
    assert_eq!(page.status(), 410);
}

#[tokio::test]
async fn the_links_api_makes_lists_and_revokes_with_a_token_or_the_session() {
    let app = spawn_app().await;
    let made = app
        .post_json(
            "/api/links",
            &json!({"label": "From the API", "max_files": 3, "expires_in": 3600}),
        )
        .await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    let url = made["url"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{}/u/", app.address)), "{url}");
    assert_eq!(Guest::open(&url).await.1.status(), 200);

    let listed: Value = app.get("/api/links").await.json().await.unwrap();
    let first = &listed["links"][0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["max_files"], 3);
    assert_eq!(first["revoked"], false);
    assert!(
        first.get("url").is_none(),
        "the URL is known only at creation"
    );

    let too_big = app
        .post_json("/api/links", &json!({"label": "x", "max_size": 2_000_000}))
        .await;
    assert_eq!(too_big.status(), 400, "over the owner's own largest file");
    let no_csrf = app
        .client
        .delete(format!("{}/api/links/{id}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    app.add_user("mallory", postbox::accounts::Role::User, "others/mallory/")
        .await;
    let mallory = app.browser_of("mallory", crate::helpers::PASSWORD).await;
    assert_eq!(
        mallory
            .delete_api(&format!("/api/links/{id}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.delete_api(&format!("/api/links/{id}")).await.status(),
        204
    );
    assert_eq!(Guest::open(&url).await.1.status(), 410);
}

#[tokio::test]
async fn a_password_link_signs_nothing_before_the_password_and_unlocks_that_browser_only() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = postbox(dir.path());
    command
        .args([
            "link",
            "create",
            USER,
            "--label",
            "Private",
            "--password-stdin",
        ])
        .env("POSTBOX_DATABASE_URL", &app.database_url)
        .env("POSTBOX_PUBLIC_URL", &app.address)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"open sesame 42\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = String::from_utf8(output.stdout).unwrap().trim().to_owned();

    let (mut guest, page) = Guest::open(&url).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"type="password""#), "{html}");
    assert!(
        !html.contains("upload-form") && !html.contains("policy"),
        "no signed fields: {html}"
    );
    guest.csrf = meta_csrf(&html);
    assert_eq!(
        guest.presign("a.txt", 1).await.status(),
        403,
        "no signing before the password"
    );
    // Nor any report of a file: confirming a key of the link's folder is refused too.
    let confirm = guest
        .client
        .post(format!("{url}/confirm"))
        .header("x-csrf-token", &guest.csrf)
        .json(&serde_json::json!({ "key": "users/x/links/y/z.txt" }))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 403, "no confirming before the password");
    assert!(
        confirm.text().await.unwrap().contains("password"),
        "refused for the password, not the key"
    );

    let post = |password: &str| {
        guest
            .client
            .post(&url)
            .form(&[("password", password), ("csrf_token", guest.csrf.as_str())])
            .send()
    };
    let wrong = post("not the password").await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(crate::helpers::alert(&wrong.text().await.unwrap()).contains("not right"));
    assert_eq!(guest.presign("a.txt", 1).await.status(), 403);
    let right = post("open sesame 42").await.unwrap();
    assert_eq!(right.status(), 303);
    let page = guest
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("upload-form"), "{page}");
    assert_eq!(guest.presign("a.txt", 1).await.status(), 200);

    // Another browser still has to give it.
    let other = Guest::arrive(&url).await;
    assert_eq!(other.presign("b.txt", 1).await.status(), 403);
    // Guessing is limited like signing in.
    let mut last = 0;
    for _ in 0..12 {
        last = other
            .client
            .post(&url)
            .form(&[("password", "guess"), ("csrf_token", other.csrf.as_str())])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
    }
    assert_eq!(last, 429, "too many wrong passwords");
}
