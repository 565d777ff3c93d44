use std::path::PathBuf;

use postbox::config::Settings;
use postbox::domain::{ByteSize, KeyPrefix, PolicyTtl};
use postbox::signing::Clock;
use postbox::startup::Application;
use postbox::storage::Storage;
use reqwest::multipart::{Form, Part};
use scraper::{Html, Selector};

use crate::backend::{self, Backend};

/// A running app with its own bucket: a local one in a temporary folder, or a fresh
/// bucket on radosgw with `POSTBOX_TEST_S3=ceph` (see `backend.rs`). A clone is the
/// same app; give it a new client to be another browser.
#[derive(Clone)]
pub struct TestApp {
    pub database_url: String,
    pub address: String,
    pub csrf_token: String,
    pub storage: Storage,
    pub client: reqwest::Client,
    pub prefix: String,
    pub backend: Backend,
    _data: std::sync::Arc<tempfile::TempDir>,
}

/// How a test wants its app.
pub struct Options {
    pub max_size: &'static str,
    pub policy_ttl: &'static str,
    pub clock: Clock,
    /// Where the app reaches the local bucket (a closed port plays a bucket that is down).
    pub bucket_url: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_size: "1MB",
            policy_ttl: "10m",
            clock: Clock::system(),
            bucket_url: None,
        }
    }
}

pub fn settings(data_dir: PathBuf, options: &Options) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: None,
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
    }
}

/// The prefix of the account every test app signs in with.
pub const PREFIX: &str = "uploads/";
/// The account every test app signs in with.
pub const USER: &str = "guest";
/// Its password.
pub const PASSWORD: &str = "guest password 1";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let mut settings = settings(data.path().to_owned(), &options);
    settings.database_url = Some(test_database_url(data.path()).await);
    let prefix = PREFIX.to_owned();
    let users = postbox::accounts::UserStore::new(
        postbox::db::Database::connect(settings.database_url.as_deref().unwrap())
            .await
            .unwrap(),
    );
    users
        .create(
            "test",
            postbox::accounts::NewUser {
                name: postbox::domain::Username::parse(USER).unwrap(),
                role: postbox::accounts::Role::User,
                prefix: KeyPrefix::parse(PREFIX).unwrap(),
                max_size: settings.max_size,
                content_type_prefix: String::new(),
                quota: None,
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    let database_url = settings.database_url.clone().unwrap();
    // A bucket that is down is played by an unreachable local-bucket address, whatever
    // the backend under test: it tests the app, not the S3 implementation.
    let backend = if options.bucket_url.is_some() {
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
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp {
        database_url,
        address,
        csrf_token: String::new(),
        storage,
        client: new_client(),
        prefix,
        backend,
        _data: std::sync::Arc::new(data),
    };
    app.sign_in(USER, PASSWORD).await;
    app
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The `csrf-token` meta tag of a page.
pub fn meta_csrf(html: &str) -> String {
    let document = Html::parse_document(html);
    document
        .select(&Selector::parse(r#"meta[name="csrf-token"]"#).unwrap())
        .next()
        .and_then(|m| m.value().attr("content"))
        .unwrap_or_default()
        .to_owned()
}

/// The text of a page's alert (`role="alert"`), as a person reads it.
pub fn alert(html: &str) -> String {
    let document = Html::parse_document(html);
    document
        .select(&Selector::parse(r#"[role="alert"]"#).unwrap())
        .next()
        .map(|a| a.text().collect::<String>())
        .unwrap_or_default()
}

/// A form as a browser sees it: where it posts and its fields in order.
#[derive(Debug, Clone)]
pub struct BrowserForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl BrowserForm {
    /// A form from `{"url", "fields"}` JSON (the API's and `presign post`'s shape).
    /// The suite enables serde_json's preserve_order, so fields keep the answer's order.
    pub fn from_json(json: &serde_json::Value) -> Self {
        Self {
            action: json["url"].as_str().unwrap().to_owned(),
            fields: json["fields"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
        }
    }

    pub fn field(&self, name: &str) -> &str {
        &self.fields.iter().find(|(n, _)| n == name).unwrap().1
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.fields.iter_mut().find(|(n, _)| n == name).unwrap().1 = value.to_owned();
    }

    /// Posts the fields, then `file` last, as a browser does.
    pub async fn post(&self, file_name: &str, content: Vec<u8>) -> S3Answer {
        self.post_from(None, file_name, content).await
    }

    /// Posts like [`Self::post`], as a page from `origin` does when given one.
    pub async fn post_from(
        &self,
        origin: Option<&str>,
        file_name: &str,
        content: Vec<u8>,
    ) -> S3Answer {
        let mut form = Form::new();
        for (name, value) in &self.fields {
            form = form.text(name.clone(), value.clone());
        }
        let file_type = self
            .fields
            .iter()
            .find(|(n, _)| n == "Content-Type")
            .map_or("application/octet-stream", |(_, v)| v.as_str())
            .to_owned();
        form = form.part(
            "file",
            Part::bytes(content)
                .file_name(file_name.to_owned())
                .mime_str(&file_type)
                .unwrap(),
        );
        let mut request = reqwest::Client::new().post(&self.action).multipart(form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.expect("the bucket answers");
        S3Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }
}

/// What the bucket answered.
#[derive(Debug)]
pub struct S3Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl S3Answer {
    /// The text of the first `<tag>` in the XML body.
    pub fn xml(&self, tag: &str) -> Option<String> {
        xml_text(&self.body, tag)
    }

    /// Status and error `<Code>` (empty when there is none), to compare at once.
    pub fn refusal(&self) -> (u16, String) {
        (self.status, self.xml("Code").unwrap_or_default())
    }
}

/// The text of the first `<tag>` in an XML body.
pub fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{tag}>"))?;
    Some(body[start..end].to_owned())
}

/// Status and error `<Code>` of an S3 answer read with reqwest.
pub async fn refusal(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    (status, xml_text(&body, "Code").unwrap_or_default())
}

impl TestApp {
    /// The app's database.
    pub async fn database(&self) -> postbox::db::Database {
        postbox::db::Database::connect(&self.database_url)
            .await
            .unwrap()
    }

    /// Signs in through the login form and keeps the session's CSRF token.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> reqwest::Response {
        let login = self.get("/login").await.text().await.unwrap();
        let response = self
            .client
            .post(format!("{}/login", self.address))
            .form(&[
                ("username", name),
                ("password", password),
                ("csrf_token", &meta_csrf(&login)),
            ])
            .send()
            .await
            .unwrap();
        if response.status() == 303 {
            let upload = self.get("/upload").await.text().await.unwrap();
            self.csrf_token = meta_csrf(&upload);
        }
        response
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    /// Loads `/upload` and reads its form as a browser would.
    pub async fn upload_form(&self) -> BrowserForm {
        let response = self.get("/upload").await;
        assert_eq!(response.status(), 200);
        parse_form(&response.text().await.unwrap())
    }

    pub async fn presign(&self, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/presign", self.address))
            .header("x-csrf-token", &self.csrf_token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The form `/api/presign` returns, ready to post.
    pub async fn presigned_form(
        &self,
        body: serde_json::Value,
    ) -> (BrowserForm, serde_json::Value) {
        let response = self.presign(body).await;
        assert_eq!(response.status(), 200);
        let json: serde_json::Value = response.json().await.unwrap();
        (BrowserForm::from_json(&json), json)
    }

    /// Every key stored under `prefix`.
    pub async fn keys_under(&self, prefix: &str) -> Vec<String> {
        keys_under(&self.storage, prefix).await
    }

    pub async fn all_keys(&self) -> Vec<String> {
        self.keys_under("").await
    }

    pub async fn object(&self, key: &str) -> aws_sdk_s3::operation::get_object::GetObjectOutput {
        object(&self.storage, key).await
    }
}

/// Stores `body` at `key` straight in the bucket, as setup for a test.
pub async fn put_object(storage: &Storage, key: &str, body: &[u8]) {
    storage
        .client()
        .put_object()
        .bucket(storage.bucket())
        .key(key)
        .body(body.to_vec().into())
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the bucket stores {key}: {}",
                postbox::storage::error_chain(&e)
            )
        });
}

/// The object at `key` in the bucket of `storage`, which must be there.
pub async fn object(
    storage: &Storage,
    key: &str,
) -> aws_sdk_s3::operation::get_object::GetObjectOutput {
    storage
        .client()
        .get_object()
        .bucket(storage.bucket())
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("object {key} is there: {e:?}"))
}

pub fn parse_form(html: &str) -> BrowserForm {
    let document = Html::parse_document(html);
    let form = document
        .select(&Selector::parse("form#upload-form").unwrap())
        .next()
        .expect("the page has the upload form");
    let action = form.value().attr("action").unwrap().to_owned();
    let fields = form
        .select(&Selector::parse("input[name]").unwrap())
        .filter(|input| input.value().attr("type") != Some("file"))
        .map(|input| {
            (
                input.value().attr("name").unwrap().to_owned(),
                input.value().attr("value").unwrap_or("").to_owned(),
            )
        })
        .collect();
    BrowserForm { action, fields }
}

/// A fresh, empty database for one test: a SQLite file in `dir`, or with
/// `POSTBOX_TEST_DATABASE=postgres` a new PostgreSQL database on 127.0.0.1:5432.
pub async fn test_database_url(dir: &std::path::Path) -> String {
    use sqlx::Connection;
    if std::env::var("POSTBOX_TEST_DATABASE").as_deref() != Ok("postgres") {
        return format!("sqlite://{}/postbox.sqlite3", dir.display());
    }
    let server = std::env::var("POSTBOX_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let name = format!("postbox_test_{}", uuid_like());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/test"))
        .await
        .expect("PostgreSQL answers on 127.0.0.1:5432");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    format!("{server}/{name}")
}

/// Every key stored under `prefix` in the bucket of `storage`.
pub async fn keys_under(storage: &Storage, prefix: &str) -> Vec<String> {
    let listed = storage
        .client()
        .list_objects_v2()
        .bucket(storage.bucket())
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

/// 16 random lowercase letters and digits: unique names for databases and buckets.
pub fn uuid_like() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric
        .sample_string(&mut rand::rng(), 16)
        .to_lowercase()
}

/// Accounts and other browsers.
impl TestApp {
    /// The app's accounts.
    pub async fn users(&self) -> postbox::accounts::UserStore {
        postbox::accounts::UserStore::new(self.database().await)
    }

    /// Creates an account straight in the database (password: `PASSWORD`).
    pub async fn add_user(&self, name: &str, role: postbox::accounts::Role, prefix: &str) {
        self.users()
            .await
            .create(
                "test",
                postbox::accounts::NewUser {
                    name: postbox::domain::Username::parse(name).unwrap(),
                    role,
                    prefix: KeyPrefix::parse(prefix).unwrap(),
                    max_size: ByteSize::parse("1MB").unwrap(),
                    content_type_prefix: String::new(),
                    quota: None,
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
    }

    /// The same app in a new browser, signed in as `name` with `password`.
    pub async fn browser_of(&self, name: &str, password: &str) -> TestApp {
        let mut other = self.clone();
        other.client = new_client();
        other.csrf_token.clear();
        let response = other.sign_in(name, password).await;
        assert_eq!(response.status(), 303, "{name} signs in");
        other
    }

    /// A new admin account, signed in, in a new browser.
    pub async fn admin(&self) -> TestApp {
        self.add_user("boss", postbox::accounts::Role::Admin, "admins/boss/")
            .await;
        self.browser_of("boss", PASSWORD).await
    }

    /// Posts an HTML form with this session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &self.csrf_token));
        self.client
            .post(format!("{}{path}", self.address))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    /// Posts JSON to `/api/*` with this session's CSRF header.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("x-csrf-token", &self.csrf_token)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}
