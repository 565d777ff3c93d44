//! Each test's own database: a SQLite file in its temporary folder, or a fresh
//! PostgreSQL database on 127.0.0.1:5432 with `POSTBOX_TEST_DATABASE=postgres`.
//! The test's connection is opened (and the schema migrated) once, when the app spawns.

use postbox::accounts::{NewUser, Role, UserStore};
use postbox::db::Database;
use postbox::domain::{ByteSize, KeyPrefix, Username};

use super::{PASSWORD, TestApp};

/// A fresh, empty database for one test: a SQLite file in `dir`, or with
/// `POSTBOX_TEST_DATABASE=postgres` a new PostgreSQL database on 127.0.0.1:5432.
pub async fn test_database_url(dir: &std::path::Path) -> String {
    if std::env::var("POSTBOX_TEST_DATABASE").as_deref() != Ok("postgres") {
        return format!("sqlite://{}/postbox.sqlite3", dir.display());
    }
    let (server, name) = new_postgres_database().await;
    format!("{server}/{name}")
}

/// A new, empty PostgreSQL database on 127.0.0.1:5432: the server's URL and its name.
pub async fn new_postgres_database() -> (String, String) {
    use sqlx::Connection;
    let server = std::env::var("POSTBOX_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let name = format!("postbox_test_{}", uuid_like());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/test"))
        .await
        .expect("PostgreSQL answers on 127.0.0.1:5432");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    (server, name)
}

/// 16 random lowercase letters and digits: unique names for databases and buckets.
pub fn uuid_like() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric
        .sample_string(&mut rand::rng(), 16)
        .to_lowercase()
}

/// An account as tests make them: any content type, no quota, password `PASSWORD`.
pub(super) fn new_user(name: &str, role: Role, prefix: &str, max_size: ByteSize) -> NewUser {
    NewUser {
        name: Username::parse(name).unwrap(),
        role,
        prefix: KeyPrefix::parse(prefix).unwrap(),
        max_size,
        content_type_prefix: String::new(),
        quota: None,
        password: PASSWORD.into(),
    }
}

/// The app's database and accounts, read and written as setup for a test.
impl TestApp {
    /// The app's database (the test's own connection to it).
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// The app's accounts, through the app's own store: what a test changes there, the
    /// app's next request sees (as after a change on an admin page). A change through
    /// another store is a change on another instance (seen within a second).
    pub fn users(&self) -> UserStore {
        self.users.clone()
    }

    /// Gives the test account (`USER`) a quota of `bytes`.
    pub async fn set_quota(&self, bytes: u64) {
        let changes = postbox::accounts::UserChanges {
            quota: Some(Some(ByteSize::from_bytes(bytes))),
            ..Default::default()
        };
        self.users()
            .update("test", super::USER, changes)
            .await
            .unwrap();
    }

    /// What the usage ledger counts for the test account (zeros before it counts it).
    pub async fn usage(&self) -> postbox::usage::Usage {
        postbox::usage::UsageLedger::new(self.database.clone())
            .usage(super::USER)
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Creates an account straight in the database (password: `PASSWORD`).
    pub async fn add_user(&self, name: &str, role: Role, prefix: &str) {
        self.users()
            .create(
                "test",
                new_user(name, role, prefix, ByteSize::parse("1MB").unwrap()),
            )
            .await
            .unwrap();
    }
}
