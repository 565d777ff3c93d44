//! Accounts in the database (SQLite by default, PostgreSQL with
//! POSTBOX_TEST_DATABASE=postgres), through the store and the command line.

use postbox::accounts::{AccountsError, NewUser, Role, UserChanges, UserStore};
use postbox::db::Database;
use postbox::domain::{ByteSize, KeyPrefix, Username};
use secrecy::SecretString;

use crate::helpers::test_database_url;

struct Store {
    users: UserStore,
    db: Database,
    url: String,
    _dir: tempfile::TempDir,
}

async fn store() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let url = test_database_url(dir.path()).await;
    let db = Database::connect(&url).await.unwrap();
    Store {
        users: UserStore::new(db.clone()),
        db,
        url,
        _dir: dir,
    }
}

fn new_user(name: &str, prefix: &str) -> NewUser {
    NewUser {
        name: Username::parse(name).unwrap(),
        role: Role::User,
        prefix: KeyPrefix::parse(prefix).unwrap(),
        max_size: ByteSize::parse("10MB").unwrap(),
        content_type_prefix: String::new(),
        quota: None,
        password: SecretString::from("correct horse battery"),
    }
}

#[tokio::test]
async fn creating_a_user_stores_their_prefix_and_limits_and_audits_it() {
    let s = store().await;
    let mut alice = new_user("alice", "users/alice/");
    alice.quota = Some(ByteSize::parse("1GB").unwrap());
    alice.content_type_prefix = "image/".into();
    s.users.create("admin", alice).await.unwrap();

    let stored = s.users.get("alice").await.unwrap().unwrap();
    assert_eq!(stored.prefix.as_str(), "users/alice/");
    assert_eq!(stored.max_size.bytes(), 10_000_000);
    assert_eq!(stored.quota.map(ByteSize::bytes), Some(1_000_000_000));
    assert_eq!(stored.content_type_prefix, "image/");
    assert!(!stored.disabled);
    let log = s.users.audit_log(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].actor.as_str(),
            log[0].action.as_str(),
            log[0].subject.as_str()
        ),
        ("admin", "create user", "alice")
    );
    assert!(log[0].after.as_deref().unwrap().contains("users/alice/"));
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes_only() {
    let s = store().await;
    s.users
        .create("admin", new_user("alice", "users/alice/"))
        .await
        .unwrap();
    let row = sqlx::query("SELECT password_hash FROM users WHERE name = 'alice'")
        .fetch_one(s.db.pool())
        .await
        .unwrap();
    let hash: String = sqlx::Row::get(&row, "password_hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));
}

#[tokio::test]
async fn a_prefix_inside_or_around_another_users_prefix_is_refused_naming_them() {
    let s = store().await;
    s.users
        .create("admin", new_user("alice", "users/alice/"))
        .await
        .unwrap();
    for prefix in ["users/alice/photos/", "users/", "users/alice/"] {
        let error = s
            .users
            .create("admin", new_user("bob", prefix))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, AccountsError::PrefixOverlaps { other, .. } if other == "alice"),
            "{prefix}: {error}"
        );
        assert!(error.to_string().contains("\"alice\""));
    }
    // A sibling whose name merely starts the same is fine: prefixes end with '/'.
    s.users
        .create("admin", new_user("al", "users/al/"))
        .await
        .unwrap();
    // Moving an existing user into another's space is refused too.
    let error = s
        .users
        .update(
            "admin",
            "al",
            UserChanges {
                prefix: Some(KeyPrefix::parse("users/alice/al/").unwrap()),
                ..UserChanges::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(error, AccountsError::PrefixOverlaps { .. }));
}

#[tokio::test]
async fn only_the_right_password_of_an_enabled_account_authenticates() {
    let s = store().await;
    s.users
        .create("admin", new_user("alice", "users/alice/"))
        .await
        .unwrap();
    let right = || SecretString::from("correct horse battery");
    assert!(
        s.users
            .authenticate("alice", right())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        s.users
            .authenticate("alice", SecretString::from("wrong horse battery"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.users
            .authenticate("nobody", right())
            .await
            .unwrap()
            .is_none()
    );

    let disabled = UserChanges {
        disabled: Some(true),
        ..UserChanges::default()
    };
    let before = s.users.get("alice").await.unwrap().unwrap().session_epoch;
    s.users.update("admin", "alice", disabled).await.unwrap();
    assert!(
        s.users
            .authenticate("alice", right())
            .await
            .unwrap()
            .is_none()
    );
    let after = s.users.get("alice").await.unwrap().unwrap().session_epoch;
    assert!(after > before, "disabling ends existing sessions");
    let log = s.users.audit_log(10).await.unwrap();
    assert_eq!(log[0].action, "disable user");
}

#[tokio::test]
async fn the_audit_log_lists_changes_made_within_one_second_newest_first() {
    let s = store().await;
    for name in ["ann", "bob", "cyd", "dee"] {
        s.users
            .create("admin", new_user(name, &format!("users/{name}/")))
            .await
            .unwrap();
    }
    let log = s.users.audit_log(4).await.unwrap();
    let subjects: Vec<&str> = log.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["dee", "cyd", "bob", "ann"]);
}

#[tokio::test]
async fn a_password_reset_ends_sessions_and_refuses_short_passwords() {
    let s = store().await;
    s.users
        .create("admin", new_user("alice", "users/alice/"))
        .await
        .unwrap();
    let error = s
        .users
        .set_password("admin", "alice", SecretString::from("short"))
        .await
        .unwrap_err();
    assert!(matches!(error, AccountsError::WeakPassword));
    let before = s.users.get("alice").await.unwrap().unwrap().session_epoch;
    s.users
        .set_password(
            "admin",
            "alice",
            SecretString::from("a brand new passphrase"),
        )
        .await
        .unwrap();
    assert!(s.users.get("alice").await.unwrap().unwrap().session_epoch > before);
    assert!(
        s.users
            .authenticate("alice", SecretString::from("a brand new passphrase"))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn user_commands_add_list_set_and_disable_accounts() {
    let s = store().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_postbox"))
            .args(args)
            .current_dir(dir.path())
            .env("POSTBOX_DATABASE_URL", &s.url)
            .env("RUST_LOG", "error")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (code, out) = run(
        &[
            "user",
            "add",
            "Carol",
            "--max-size",
            "5MiB",
            "--password-stdin",
        ],
        "a long password\n",
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("created carol (user) with prefix users/carol/"),
        "{out}"
    );
    let (code, out) = run(
        &[
            "user",
            "add",
            "dave",
            "--prefix",
            "users/carol/x/",
            "--password-stdin",
        ],
        "a long password\n",
    );
    assert_eq!(code, Some(1));
    assert!(out.contains("overlaps \"carol\""), "{out}");
    let (code, out) = run(
        &[
            "user",
            "add",
            "eve",
            "--prefix",
            "users//eve/",
            "--password-stdin",
        ],
        "",
    );
    assert_eq!(code, Some(2));
    assert!(out.contains("empty segment"), "{out}");
    let (code, _) = run(
        &[
            "user",
            "set",
            "carol",
            "--quota",
            "1GB",
            "--content-type-prefix",
            "image/",
        ],
        "",
    );
    assert_eq!(code, Some(0));
    let (code, _) = run(&["user", "disable", "carol"], "");
    assert_eq!(code, Some(0));
    let (_, out) = run(&["user", "list"], "");
    let line = out.lines().find(|l| l.starts_with("carol")).unwrap();
    assert!(
        line.contains("users/carol/") && line.contains("5.2 MB") && line.contains("1 GB"),
        "{line}"
    );
    assert!(
        line.contains("image/") && line.contains("disabled"),
        "{line}"
    );

    let carol = s.users.get("carol").await.unwrap().unwrap();
    assert!(carol.disabled);
    assert_eq!(carol.max_size.bytes(), 5 * 1024 * 1024);
}
