//! Spawning a test app: its own port, data folder, database and bucket, and a browser
//! signed in as [`USER`].

use std::path::PathBuf;

use postbox::accounts::Role;
use postbox::config::Settings;
use postbox::db::Database;
use postbox::domain::{ByteSize, PolicyTtl};
use postbox::signing::Clock;
use postbox::startup::Application;
use postbox::storage::Storage;

use super::database::{new_user, test_database_url};
use super::http::new_client;
use crate::backend::{self, Backend};

/// A running app with its own bucket: a local one in a temporary folder, or a fresh
/// bucket on radosgw with `POSTBOX_TEST_S3=ceph` (see `backend.rs`). A clone is the
/// same app; give it a new client to be another browser.
#[derive(Clone)]
pub struct TestApp {
    pub address: String,
    pub csrf_token: String,
    pub storage: Storage,
    pub client: reqwest::Client,
    pub prefix: String,
    pub backend: Backend,
    /// The test's own connection to the app's database, opened once.
    pub(super) database: Database,
    /// Its URL (`POSTBOX_DATABASE_URL`), for the command line.
    pub database_url: String,
    /// The app's data folder (the local bucket's files are under `bucket/`).
    pub(super) data: std::sync::Arc<tempfile::TempDir>,
    /// The app's own account store: a change through it is a change on this instance.
    pub(super) users: postbox::accounts::UserStore,
}

/// How a test wants its app.
pub struct Options {
    pub max_size: &'static str,
    pub policy_ttl: &'static str,
    pub clock: Clock,
    /// Where the app reaches the local bucket (a closed port plays a bucket that is down).
    pub bucket_url: Option<&'static str>,
    /// `POSTBOX_PUBLIC_URL` (none by default: plain http on 127.0.0.1).
    pub public_url: Option<&'static str>,
    /// The embedded local bucket whatever the backend under test: for tests of the
    /// local bucket itself.
    pub local_bucket: bool,
    /// `POSTBOX_S3_TIMEOUT`, in seconds.
    pub s3_timeout: u64,
    /// The app's database instead of the test's own (a proxy to one, say).
    pub database_url: Option<String>,
    /// `POSTBOX_UPLOAD_METHOD`.
    pub upload_method: postbox::config::UploadMethod,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_size: "1MB",
            policy_ttl: "10m",
            clock: Clock::system(),
            bucket_url: None,
            public_url: None,
            local_bucket: false,
            s3_timeout: 10,
            database_url: None,
            upload_method: postbox::config::UploadMethod::Post,
        }
    }
}

fn settings(data_dir: PathBuf, options: &Options) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: options.public_url.map(str::to_owned),
        bucket: None,
        force_path_style: false,
        policy_ttl: PolicyTtl::parse(options.policy_ttl).unwrap(),
        max_size: ByteSize::parse(options.max_size).unwrap(),
        data_dir,
        local_bucket_listen: "127.0.0.1:0".parse().unwrap(),
        local_bucket_url: options.bucket_url.map(str::to_owned),
        local_bucket_name: "postbox-test".into(),
        database_url: None,
        session_secret: Some("a test session secret, long enough to key cookies".into()),
        s3_connect_timeout: postbox::domain::Timeout::secs(3),
        s3_timeout: postbox::domain::Timeout::secs(options.s3_timeout),
        database_timeout: postbox::domain::Timeout::secs(5),
        upload_method: options.upload_method,
    }
}

/// The prefix of the account every test app signs in with.
const PREFIX: &str = "uploads/";
/// The account every test app signs in with.
pub const USER: &str = "tess";
/// Its password.
pub const PASSWORD: &str = "tess password 1";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// An app whose clock the test moves on (to let forms and reservations expire).
pub async fn spawn_app_with_clock() -> (TestApp, postbox::signing::ClockHandle) {
    let (clock, handle) = Clock::adjustable();
    let app = spawn_app_with(Options {
        clock,
        ..Options::default()
    })
    .await;
    (app, handle)
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let mut settings = settings(data.path().to_owned(), &options);
    let database_url = match options.database_url.clone() {
        Some(url) => url,
        None => test_database_url(data.path()).await,
    };
    settings.database_url = Some(database_url.clone());
    let database = Database::connect(&database_url).await.unwrap();
    postbox::accounts::UserStore::new(database.clone())
        .create(
            "test",
            new_user(USER, Role::User, PREFIX, settings.max_size),
        )
        .await
        .unwrap();
    // A bucket that is down is played by an unreachable local-bucket address, whatever
    // the backend under test: it tests the app, not the S3 implementation.
    let backend = if options.bucket_url.is_some() || options.local_bucket {
        Backend::Local
    } else {
        Backend::current()
    };
    if backend == Backend::Ceph {
        // As an operator runs it: the bucket exists first, found through aws-config.
        let bucket = backend::new_ceph_bucket().await;
        settings.bucket = Some(bucket.bucket().to_owned());
        settings.force_path_style = true;
    }
    let app = Application::build_with_clock(settings, options.clock.clone())
        .await
        .expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let storage = app.storage().clone();
    if backend == Backend::Ceph {
        // The page's JavaScript posts from the app's origin.
        backend::allow_cors(&storage, &address).await;
    }
    let users = app.users().clone();
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp {
        address,
        csrf_token: String::new(),
        storage,
        client: new_client(),
        prefix: PREFIX.to_owned(),
        backend,
        database,
        database_url,
        data: std::sync::Arc::new(data),
        users,
    };
    app.sign_in(USER, PASSWORD).await;
    app
}

impl TestApp {
    /// The app's data folder (`POSTBOX_DATA_DIR`).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data.path()
    }

    /// Every file under the app's data folder (the local bucket's objects and its
    /// metadata), as paths relative to it.
    pub fn files_on_disk(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, root: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, found);
                } else {
                    let relative = path.strip_prefix(root).unwrap();
                    found.push(relative.to_string_lossy().into_owned());
                }
            }
        }
        let mut found = Vec::new();
        walk(self.data.path(), self.data.path(), &mut found);
        found
    }
}
