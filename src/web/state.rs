//! The app's state: what every request handler may ask for as `web::Data<…>`, built
//! once at start-up from the settings, the bucket and the database, and handed to the
//! app by [`AppState::configure`].

use actix_web::web;

use crate::accounts::{LoginLimiter, UserStore};
use crate::config::{Settings, UploadMethod};
use crate::db::{Database, redact};
use crate::doctor::Doctor;
use crate::domain::ByteSize;
use crate::files::Files;
use crate::links::LinkStore;
use crate::metrics::Metrics;
use crate::signing::{Clock, FormSigner};
use crate::storage::Storage;
use crate::tokens::TokenStore;
use crate::usage::UsageLedger;

/// Everything the handlers share; clones share it too.
#[derive(Clone)]
pub struct AppState {
    clock: web::Data<Clock>,
    forms: web::Data<FormSigner>,
    files: web::Data<Files>,
    users: web::Data<UserStore>,
    limiter: web::Data<LoginLimiter>,
    defaults: web::Data<AccountDefaults>,
    metrics: web::Data<Metrics>,
    doctor: web::Data<Doctor>,
    facts: web::Data<SystemFacts>,
    tokens: web::Data<TokenStore>,
    upload_method: web::Data<UploadMethod>,
    links: web::Data<LinkStore>,
    public_url: web::Data<PublicUrl>,
}

impl AppState {
    /// The state of an app built from `settings` on `storage` and `db` (reached at
    /// `database_url`), its accounts in `users`, its forms signed by `clock`.
    pub fn new(
        settings: &Settings,
        storage: &Storage,
        db: &Database,
        database_url: &str,
        users: &UserStore,
        clock: Clock,
    ) -> Self {
        let metrics = Metrics::new();
        let forms = FormSigner::new(
            storage.clone(),
            UsageLedger::new(db.clone()),
            settings.policy_ttl,
            clock.clone(),
            metrics.clone(),
        );
        let doctor = Doctor::new(
            storage.clone(),
            settings.bucket.is_none(),
            settings.public_url.as_deref(),
            settings.policy_ttl,
        );
        Self {
            clock: web::Data::new(clock),
            forms: web::Data::new(forms),
            files: web::Data::new(Files::new(
                storage.clone(),
                UsageLedger::new(db.clone()),
                users.clone(),
            )),
            users: web::Data::new(users.clone()),
            limiter: web::Data::new(LoginLimiter::new(db.clone())),
            defaults: web::Data::new(AccountDefaults {
                max_size: settings.max_size,
            }),
            metrics: web::Data::new(metrics),
            doctor: web::Data::new(doctor),
            facts: web::Data::new(SystemFacts::new(settings, database_url, db.kind(), storage)),
            tokens: web::Data::new(TokenStore::new(db.clone(), users.clone())),
            upload_method: web::Data::new(settings.upload_method),
            links: web::Data::new(LinkStore::new(db.clone(), users.clone())),
            public_url: web::Data::new(PublicUrl(settings.public_url.clone())),
        }
    }

    /// Hands every part to the app's handlers.
    pub fn configure(&self, app: &mut web::ServiceConfig) {
        app.app_data(self.clock.clone())
            .app_data(self.forms.clone())
            .app_data(self.files.clone())
            .app_data(self.users.clone())
            .app_data(self.limiter.clone())
            .app_data(self.defaults.clone())
            .app_data(self.metrics.clone())
            .app_data(self.doctor.clone())
            .app_data(self.facts.clone())
            .app_data(self.tokens.clone())
            .app_data(self.upload_method.clone())
            .app_data(self.links.clone())
            .app_data(self.public_url.clone());
    }
}

/// What a new account gets when the form leaves a setting empty.
#[derive(Debug, Clone, Copy)]
pub struct AccountDefaults {
    /// Largest file (`POSTBOX_MAX_SIZE`).
    pub max_size: ByteSize,
}

/// `POSTBOX_PUBLIC_URL`, when set: where guest links point.
#[derive(Debug, Clone)]
pub struct PublicUrl(pub Option<String>);

/// What the page says about the running app, gathered at start-up.
#[derive(Debug, Clone)]
pub struct SystemFacts {
    /// `postbox 0.1.0`.
    pub version: String,
    /// `SQLite (data/postbox.sqlite3)` or `PostgreSQL (postgres://app:***@db/postbox)`.
    pub database: String,
    /// The bucket's name, and whether it is the embedded one.
    pub bucket: String,
    /// Where forms post.
    pub form_url: String,
    /// `600s`.
    pub form_ttl: String,
    /// `POSTBOX_PUBLIC_URL`, or what it falls back to.
    pub public_url: String,
    /// `S3 3s to connect, 10s a call; database 5s`.
    pub timeouts: String,
}

impl SystemFacts {
    /// What the page says about an app built from `settings`.
    pub fn new(settings: &Settings, database_url: &str, kind: &str, storage: &Storage) -> Self {
        let bucket = match &settings.bucket {
            Some(bucket) => format!("{bucket} (region {})", storage.region()),
            None => format!(
                "{} — the embedded local bucket, in {}",
                storage.bucket(),
                settings.data_dir.join("bucket").display()
            ),
        };
        Self {
            version: format!("postbox {}", env!("CARGO_PKG_VERSION")),
            database: format!("{kind} ({})", redact(database_url)),
            bucket,
            form_url: storage.form_url().to_owned(),
            form_ttl: settings.policy_ttl.to_string(),
            public_url: settings.public_url.clone().unwrap_or_else(|| {
                format!("http://{} (POSTBOX_PUBLIC_URL is not set)", settings.listen)
            }),
            timeouts: format!(
                "S3 {} to connect, {} a call; database {}",
                settings.s3_connect_timeout, settings.s3_timeout, settings.database_timeout
            ),
        }
    }
}
