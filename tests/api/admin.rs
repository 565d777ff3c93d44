//! The admin pages: one admin-only scope, accounts created and changed through forms,
//! every change in the audit log.

use postbox::accounts::Role;
use postbox::domain::ByteSize;

use crate::helpers::{PASSWORD, USER, alert, new_client, spawn_app};

const ADMIN_GETS: [&str; 6] = [
    "/admin",
    "/admin/users",
    "/admin/users/tess",
    "/admin/users/nobody",
    "/admin/audit",
    "/admin/anything-else",
];
const ADMIN_POSTS: [&str; 2] = ["/admin/users", "/admin/users/tess"];

#[tokio::test]
async fn a_non_admin_gets_403_on_every_admin_route() {
    let app = spawn_app().await;
    for path in ADMIN_GETS {
        let response = app.get(path).await;
        assert_eq!(response.status(), 403, "GET {path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Only admins can open the admin pages.")
        );
    }
    for path in ADMIN_POSTS {
        let response = app
            .post_form(
                path,
                &[
                    ("action", "disable"),
                    ("name", "mallory"),
                    ("password", "0123456789"),
                ],
            )
            .await;
        assert_eq!(response.status(), 403, "POST {path}");
    }
    let users = app.users();
    assert!(users.get("mallory").await.unwrap().is_none());
    assert!(!users.get(USER).await.unwrap().unwrap().disabled);
}

#[tokio::test]
async fn strangers_are_sent_to_sign_in_from_every_admin_route() {
    let mut app = spawn_app().await;
    app.client = new_client();
    for path in ADMIN_GETS {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "GET {path}");
        assert_eq!(response.headers()["location"], "/login");
    }
}

#[tokio::test]
async fn an_admin_creates_a_user_who_signs_in_and_uploads_under_their_prefix() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let page = admin.get("/admin/users").await.text().await.unwrap();
    assert!(page.contains(r#"<meta name="csrf-token""#));
    for (name, prefix) in [("tess", "uploads/"), ("boss", "admins/boss/")] {
        assert!(
            page.contains(&format!(r#"<a href="/admin/users/{name}">{name}</a>"#))
                && page.contains(&format!("<code>{prefix}</code>")),
            "lists {name}: {page}"
        );
    }

    let response = admin
        .post_form(
            "/admin/users",
            &[
                ("name", "Alice"),
                ("password", "alice's long password"),
                ("prefix", ""),
                ("max_size", "2KB"),
                ("content_type_prefix", "text/"),
                ("quota", "1MB"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/admin/users/alice?done=created"
    );
    let alice = app.users().get("alice").await.unwrap().unwrap();
    assert_eq!(
        (
            alice.prefix.as_str(),
            alice.max_size.bytes(),
            alice.quota.map(ByteSize::bytes),
            alice.role
        ),
        ("users/alice/", 2000, Some(1_000_000), Role::User)
    );
    assert_eq!(alice.content_type_prefix, "text/");

    let alice = app.browser_of("alice", "alice's long password").await;
    let (form, answer) = alice
        .presigned_form(
            serde_json::json!({"filename": "a.txt", "size": 3, "content_type": "text/plain"}),
        )
        .await;
    assert_eq!(answer["max_size"], 2000);
    let stored = form.post("a.txt", b"abc".to_vec()).await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    assert!(stored.xml("Key").unwrap().starts_with("users/alice/"));
}

#[tokio::test]
async fn a_new_user_with_a_bad_prefix_is_refused_with_the_reason_and_the_form_kept() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cases = [
        ("users/carol", "end with '/'"),
        ("/users/carol/", "starts with '/'"),
        ("users/../carol/", "'..'"),
        ("users//carol/", "empty segment"),
        ("users/ca\u{7}rol/", "control character"),
        ("uploads/carol/", "overlaps"),
    ];
    for (prefix, reason) in cases {
        let response = admin
            .post_form(
                "/admin/users",
                &[
                    ("name", "carol"),
                    ("password", "carol's long password"),
                    ("prefix", prefix),
                    ("max_size", "5MiB"),
                ],
            )
            .await;
        let status = response.status();
        let page = response.text().await.unwrap();
        assert!(status == 400 || status == 409, "{prefix:?}: {status}");
        let alert = alert(&page);
        assert!(
            alert.contains(reason),
            "{prefix:?}: {alert:?} names {reason:?}"
        );
        assert!(
            page.contains(r#"value="carol""#) && page.contains(r#"value="5MiB""#),
            "what was typed stays in the form"
        );
        assert!(
            !page.contains("carol's long password"),
            "passwords are not echoed"
        );
    }
    let overlapping = admin
        .post_form(
            "/admin/users",
            &[
                ("name", "carol"),
                ("password", "carol's long password"),
                ("prefix", "uploads/x/"),
            ],
        )
        .await;
    assert_eq!(overlapping.status(), 409);
    let alert = alert(&overlapping.text().await.unwrap());
    assert!(
        alert.contains(r#"overlaps "tess"'s prefix "uploads/""#),
        "{alert}"
    );
    assert!(app.users().get("carol").await.unwrap().is_none());
}

#[tokio::test]
async fn creating_a_user_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    admin.csrf_token = "forged".into();
    let response = admin
        .post_form(
            "/admin/users",
            &[("name", "carol"), ("password", "carol's long password")],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(app.users().get("carol").await.unwrap().is_none());
}

#[tokio::test]
async fn an_admin_edits_limits_and_the_audit_log_shows_before_and_after() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let page = admin.get("/admin/users/tess").await.text().await.unwrap();
    // Sizes are shown exactly, so saving the form unchanged changes nothing.
    assert!(page.contains(r#"value="1MB""#), "{page}");
    let response = admin
        .post_form(
            "/admin/users/tess",
            &[
                ("action", "save"),
                ("prefix", "uploads/"),
                ("max_size", "5MiB"),
                ("content_type_prefix", "image/"),
                ("quota", "2GB"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let guest = app.users().get(USER).await.unwrap().unwrap();
    assert_eq!(guest.max_size.bytes(), 5 * 1024 * 1024);
    assert_eq!(guest.quota.map(ByteSize::bytes), Some(2_000_000_000));
    assert_eq!(guest.content_type_prefix, "image/");

    let edited = admin
        .get("/admin/users/tess?done=saved")
        .await
        .text()
        .await
        .unwrap();
    assert!(edited.contains("The changes are saved."));
    assert!(edited.contains(r#"value="5MiB""#));
    let audit = admin.get("/admin/audit").await.text().await.unwrap();
    assert!(audit.contains("update user"), "{audit}");
    assert!(audit.contains("max_size: 1000000 → 5242880"), "{audit}");
    assert!(audit.contains("boss"), "names who did it");

    // A bad size is refused naming the field, and nothing changes.
    let response = admin
        .post_form(
            "/admin/users/tess",
            &[
                ("action", "save"),
                ("prefix", "uploads/"),
                ("max_size", "lots"),
                ("quota", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(alert(&page).starts_with("Largest file: "), "{page}");
    assert!(page.contains(r#"value="lots""#));
    let guest = app.users().get(USER).await.unwrap().unwrap();
    assert_eq!(guest.max_size.bytes(), 5 * 1024 * 1024);
}

#[tokio::test]
async fn a_user_disabled_on_the_admin_page_loses_their_session_until_enabled() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    assert_eq!(app.get("/upload").await.status(), 200);

    let response = admin
        .post_form("/admin/users/tess", &[("action", "disable")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.get("/upload").await.status(), 303, "the session ended");
    let mut again = app.clone();
    again.client = new_client();
    assert_eq!(again.sign_in(USER, PASSWORD).await.status(), 401);
    let list = admin.get("/admin/users").await.text().await.unwrap();
    assert!(list.contains("disabled"));

    let response = admin
        .post_form("/admin/users/tess", &[("action", "enable")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(again.sign_in(USER, PASSWORD).await.status(), 303);
    let actions: Vec<String> = app
        .users()
        .audit_log_of(USER, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions[..2], ["enable user", "disable user"]);
}

#[tokio::test]
async fn an_admin_cannot_disable_their_own_account() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .post_form("/admin/users/boss", &[("action", "disable")])
        .await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(alert(&page).contains("You cannot disable your own account"));
    assert_eq!(admin.get("/admin/users").await.status(), 200);
}

#[tokio::test]
async fn a_reset_password_is_shown_once_and_ends_the_users_sessions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .post_form(
            "/admin/users/tess",
            &[("action", "reset_password"), ("password", "")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    let document = scraper::Html::parse_document(&page);
    let password = document
        .select(&scraper::Selector::parse("#new-password code").unwrap())
        .next()
        .expect("the new password is on the page")
        .text()
        .collect::<String>();
    assert_eq!(password.len(), 20);
    assert_eq!(app.get("/upload").await.status(), 303, "old sessions ended");
    let mut fresh = app.clone();
    fresh.client = new_client();
    assert_eq!(fresh.sign_in(USER, PASSWORD).await.status(), 401);
    assert_eq!(fresh.sign_in(USER, &password).await.status(), 303);
    // Not shown again.
    let later = admin.get("/admin/users/tess").await.text().await.unwrap();
    assert!(!later.contains(&password));

    // A typed password that is too short is refused and nothing changes.
    let response = admin
        .post_form(
            "/admin/users/tess",
            &[("action", "reset_password"), ("password", "short")],
        )
        .await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(alert(&page).contains("at least 10 characters"), "{page}");
    assert_eq!(fresh.get("/upload").await.status(), 200);
}

#[tokio::test]
async fn an_admin_resetting_their_own_password_stays_signed_in() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .post_form(
            "/admin/users/boss",
            &[
                ("action", "reset_password"),
                ("password", "the new admin password"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(admin.get("/admin/users").await.status(), 200);
    let other = app.browser_of("boss", "the new admin password").await;
    assert_eq!(other.get("/admin/audit").await.status(), 200);
}

#[tokio::test]
async fn an_unknown_user_page_answers_404() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin.get("/admin/users/nobody").await;
    assert_eq!(response.status(), 404);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("There is no user named")
    );
}

#[tokio::test]
async fn a_form_with_an_unknown_action_gets_a_plain_error_page_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .post_form("/admin/users/tess", &[("action", "delete")])
        .await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("This form could not be read"), "{page}");
    assert!(page.contains("<h1>That did not work</h1>"), "{page}");
    assert!(app.users().get(USER).await.unwrap().is_some());
}
