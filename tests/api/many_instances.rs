//! Two `postbox serve` processes on one database (PostgreSQL with
//! POSTBOX_TEST_DATABASE=postgres, else one SQLite file) share accounts and sessions.

use std::process::{Command, Stdio};

use postbox::accounts::{NewUser, Role, UserStore};
use postbox::db::Database;
use postbox::domain::{ByteSize, KeyPrefix, Username};

use crate::helpers::{
    Server, free_port, meta_csrf, new_client, sign_in_at, test_database_url, within_a_second,
};

const SECRET: &str = "one session secret shared by every instance of this test";

/// A `postbox serve` process on `database_url`, with the shared session secret.
async fn serve(database_url: &str) -> Instance {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_postbox"));
    command
        .arg("serve")
        .current_dir(data.path())
        .env("POSTBOX_LISTEN", format!("127.0.0.1:{port}"))
        .env("POSTBOX_DATABASE_URL", database_url)
        .env("POSTBOX_SESSION_SECRET", SECRET)
        .env("POSTBOX_DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Instance {
        server: Server::start(command, port).await,
        _data: data,
    }
}

/// A served instance and its data folder.
struct Instance {
    server: Server,
    _data: tempfile::TempDir,
}

impl std::ops::Deref for Instance {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.server
    }
}

/// Signs `client` in at `address` through the login form.
async fn sign_in(client: &reqwest::Client, address: &str, name: &str, password: &str) {
    let response = sign_in_at(client, address, name, password).await;
    assert_eq!(response.status(), 303, "{name} signs in at {address}");
}

async fn page(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// Whether `GET url` answers `expected`.
async fn status(client: &reqwest::Client, url: String, expected: u16) -> bool {
    client.get(url).send().await.unwrap().status() == expected
}

/// Whether `GET /api/uploads` with `token` at `address` answers `expected`.
async fn bearer(address: &str, token: &str, expected: u16) -> bool {
    let response = reqwest::Client::new()
        .get(format!("{address}/api/uploads"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    response.status() == expected
}

fn account(name: &str, role: Role, prefix: &str) -> NewUser {
    NewUser {
        name: Username::parse(name).unwrap(),
        role,
        prefix: KeyPrefix::parse(prefix).unwrap(),
        max_size: ByteSize::parse("1MB").unwrap(),
        content_type_prefix: String::new(),
        quota: None,
        password: format!("{name}'s long password").into(),
    }
}

/// Instances remember accounts and tokens between requests; a change made on one is
/// seen by its very next request, and by the other within a second: a new prefix, a
/// revoked token, a disabled account.
#[tokio::test]
async fn account_changes_reach_their_instance_at_once_and_the_other_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let url = test_database_url(dir.path()).await;
    let db = Database::connect(&url).await.unwrap();
    let users = UserStore::new(db.clone());
    users
        .create("test", account("boss", Role::Admin, "admins/boss/"))
        .await
        .unwrap();
    let erin = users
        .create("test", account("erin", Role::User, "users/erin/"))
        .await
        .unwrap();
    let (token_info, token) = postbox::tokens::TokenStore::new(db, users)
        .create("test", &erin, "ci", None)
        .await
        .unwrap();
    let (a, b) = (serve(&url).await, serve(&url).await);
    // Erin in two browsers, one on each instance (an ended session on one would
    // otherwise clear the cookie the other is asked with).
    let erin = new_client();
    sign_in(&erin, &a.address, "erin", "erin's long password").await;
    let erin_b = new_client();
    sign_in(&erin_b, &b.address, "erin", "erin's long password").await;
    let boss = new_client();
    sign_in(&boss, &a.address, "boss", "boss's long password").await;

    // Both instances have seen erin and her token, several times over.
    for (instance, browser) in [(&a, &erin), (&b, &erin_b)] {
        for _ in 0..5 {
            let upload = page(browser, &format!("{}/upload", instance.address)).await;
            assert!(upload.contains("users/erin/"), "{upload}");
            assert!(bearer(&instance.address, &token, 200).await);
        }
    }

    // A new prefix, saved on A: A's next page shows it, B's within a second.
    let edit = format!("{}/admin/users/erin", a.address);
    let csrf = meta_csrf(&page(&boss, &edit).await);
    let saved = boss
        .post(&edit)
        .form(&[
            ("action", "save"),
            ("prefix", "users/erin-moved/"),
            ("max_size", "1MB"),
            ("content_type_prefix", ""),
            ("quota", ""),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let on_a = page(&erin, &format!("{}/upload", a.address)).await;
    assert!(on_a.contains("users/erin-moved/"), "at once on A: {on_a}");
    let moved = within_a_second(|| async {
        page(&erin_b, &format!("{}/upload", b.address))
            .await
            .contains("users/erin-moved/")
    })
    .await;
    assert!(moved, "the new prefix on B within a second");

    // Her token, revoked on A's tokens page.
    let tokens = format!("{}/account/tokens", a.address);
    let csrf = meta_csrf(&page(&erin, &tokens).await);
    let revoked = erin
        .post(format!("{tokens}/{}/revoke", token_info.id))
        .form(&[("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 303);
    assert!(bearer(&a.address, &token, 401).await, "at once on A");
    let refused = within_a_second(|| bearer(&b.address, &token, 401)).await;
    assert!(refused, "the revoked token refused on B within a second");

    // Disabled on A: her session ends on A at once, on B within a second.
    let csrf = meta_csrf(&page(&boss, &edit).await);
    let disabled = boss
        .post(&edit)
        .form(&[("action", "disable"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 303);
    assert!(
        status(&erin, format!("{}/upload", a.address), 303).await,
        "at once on A"
    );
    let ended = within_a_second(|| status(&erin_b, format!("{}/upload", b.address), 303)).await;
    assert!(ended, "disabled on A, refused on B within a second");
}

#[tokio::test]
async fn two_instances_on_one_database_share_accounts_and_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let url = test_database_url(dir.path()).await;
    let users = UserStore::new(Database::connect(&url).await.unwrap());
    users
        .create(
            "test",
            NewUser {
                name: Username::parse("boss").unwrap(),
                role: Role::Admin,
                prefix: KeyPrefix::parse("admins/boss/").unwrap(),
                max_size: ByteSize::parse("1MB").unwrap(),
                content_type_prefix: String::new(),
                quota: None,
                password: "the boss's password".into(),
            },
        )
        .await
        .unwrap();
    let (a, b) = (serve(&url).await, serve(&url).await);

    // Signed in on A, the same cookie works on B.
    let browser = new_client();
    sign_in(&browser, &a.address, "boss", "the boss's password").await;
    let on_b = browser
        .get(format!("{}/admin/users", b.address))
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), 200, "A's session is valid on B");
    let csrf = meta_csrf(&on_b.text().await.unwrap());

    // An account created through B signs in on A.
    let created = browser
        .post(format!("{}/admin/users", b.address))
        .form(&[
            ("name", "carol"),
            ("password", "carol's long password"),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    let carol = new_client();
    sign_in(&carol, &a.address, "carol", "carol's long password").await;
    let upload = page(&carol, &format!("{}/upload", b.address)).await;
    assert!(upload.contains("users/carol/"), "carol's page on B");

    // Carol, disabled through A, loses her session on B within a second.
    let csrf = meta_csrf(&page(&browser, &format!("{}/admin/users/carol", a.address)).await);
    let disabled = browser
        .post(format!("{}/admin/users/carol", a.address))
        .form(&[("action", "disable"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 303);
    let refused = within_a_second(|| status(&carol, format!("{}/upload", b.address), 303)).await;
    assert!(refused, "disabled on A, refused on B within a second");

    // Wrong passwords count on every instance: five on A, and B makes the sixth wait.
    let guesser = new_client();
    for (instance, expected) in [
        (&a, 401),
        (&b, 401),
        (&a, 401),
        (&b, 401),
        (&a, 401),
        (&b, 429),
    ] {
        let login = page(&guesser, &format!("{}/login", instance.address)).await;
        let response = guesser
            .post(format!("{}/login", instance.address))
            .form(&[
                ("username", "boss"),
                ("password", "not the password"),
                ("csrf_token", &meta_csrf(&login)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{}", instance.address);
    }
}

#[tokio::test]
async fn two_instances_on_one_database_never_reserve_more_than_a_quota_together() {
    let dir = tempfile::tempdir().unwrap();
    let url = test_database_url(dir.path()).await;
    let db = Database::connect(&url).await.unwrap();
    UserStore::new(db.clone())
        .create(
            "test",
            NewUser {
                name: Username::parse("dana").unwrap(),
                role: Role::User,
                prefix: KeyPrefix::parse("users/dana/").unwrap(),
                max_size: ByteSize::parse("1MB").unwrap(),
                content_type_prefix: String::new(),
                quota: Some(ByteSize::from_bytes(5000)),
                password: "dana's long password".into(),
            },
        )
        .await
        .unwrap();
    let (a, b) = (serve(&url).await, serve(&url).await);
    let browser = new_client();
    sign_in(&browser, &a.address, "dana", "dana's long password").await;
    let csrf = meta_csrf(&page(&browser, &format!("{}/upload", b.address)).await);
    let asked: Vec<_> = (0..20)
        .map(|i| {
            let (browser, csrf) = (browser.clone(), csrf.clone());
            let address = if i % 2 == 0 { &a.address } else { &b.address };
            let url = format!("{address}/api/presign");
            tokio::spawn(async move {
                browser
                    .post(url)
                    .header("x-csrf-token", csrf)
                    .json(&serde_json::json!({"filename": format!("f{i}.bin"), "size": 500}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut signed = 0;
    for request in asked {
        match request.await.unwrap() {
            200 => signed += 1,
            403 | 413 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(
        signed, 10,
        "5000 bytes of quota admit ten 500-byte forms in all"
    );
    let usage = postbox::usage::UsageLedger::new(db)
        .usage("dana")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(usage.reserved_bytes, 5000);
}
