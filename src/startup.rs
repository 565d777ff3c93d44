//! The one place where the app is put together: bucket, database, shared state,
//! middleware and the route table. Tests build the very same app on port 0.

use std::net::{SocketAddr, TcpListener};

use actix_web::cookie::Key;
use actix_web::dev::Server;
use actix_web::middleware::{Condition, Logger, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::accounts::{UserStore, ensure_first_admin};
use crate::config::Settings;
use crate::db::Database;
use crate::local_bucket::{self, LocalBucket};
use crate::signing::Clock;
use crate::storage::{Storage, Timeouts};
use crate::web::bodies::{self, MAX_REQUEST_BODY};
use crate::web::headers::{self, SecurityHeaders};
use crate::web::routes;
use crate::web::session;
use crate::web::session_cookie::{self, SessionCookies};
use crate::web::state::AppState;

/// How long a stopping server waits for the requests in flight.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Where actix-web writes the access log (`RUST_LOG=actix_web::middleware::logger=info`).
const ACCESS_LOG: &str = "actix_web::middleware::logger";

/// A built app, bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    storage: Storage,
    local_bucket: Option<LocalBucket>,
    users: UserStore,
    db: Database,
}

impl Application {
    /// Builds the app from `settings` with the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds the app with the given clock (tests sign forms in the past with it).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let (storage, local_bucket) = open_bucket(&settings).await?;
        // Missing credentials may appear later (a profile written, a role attached):
        // keep serving, say so now, and answer each signing request with the reason.
        if let Err(error) = storage.credentials().await {
            tracing::warn!(%error, "uploads are unavailable until credentials are found");
        }
        let database_url =
            Database::url_or_default(settings.database_url.as_deref(), &settings.data_dir);
        let db =
            Database::connect_with(&database_url, settings.database_timeout.duration()).await?;
        let users = UserStore::new(db.clone());
        ensure_first_admin(&users, settings.max_size).await?;
        let state = AppState::new(&settings, &storage, &db, &database_url, &users, clock);
        let (address, server) = serve(&settings, &storage, state)?;
        tracing::info!(url = %format!("http://{address}/upload"), bucket = storage.bucket(), "postbox is serving");
        Ok(Self {
            port: address.port(),
            server,
            storage,
            local_bucket,
            users,
            db,
        })
    }

    /// The app's accounts: changes made through this store are seen by the app's very
    /// next request (as an admin page's are).
    pub fn users(&self) -> &UserStore {
        &self.users
    }

    /// The port the app listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The bucket the app signs forms for.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Serves until the process is asked to stop.
    /// On SIGTERM or SIGINT (actix-web's signal handling) the server stops taking
    /// connections and waits up to [`SHUTDOWN_GRACE`] for the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // Keeps the local bucket running as long as the app.
        let _local_bucket = self.local_bucket;
        // Accounts are remembered between requests while the change counter is read
        // a few times a second (accounts::cache); the reading stops with the server.
        let watch = self.users.freshness().clone().watch(self.db);
        tokio::select! {
            served = self.server => served?,
            () = watch => {}
        }
        tracing::info!("postbox stopped: the requests in flight have finished");
        Ok(())
    }
}

/// The server for `settings` with the app's `state`, listening, and its address.
fn serve(
    settings: &Settings,
    storage: &Storage,
    state: AppState,
) -> anyhow::Result<(SocketAddr, Server)> {
    let session_key = session_key(settings)?;
    // Behind https, cookies are `Secure` and browsers are told to keep to https.
    let https = settings
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"));
    let security_headers = web::Data::new(SecurityHeaders::new(storage.form_url(), https)?);
    let session_cookies = web::Data::new(SessionCookies::new(session_key, https));
    let listener = TcpListener::bind(settings.listen)
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    // The access log costs a formatted line per request: made only when written.
    let access_log = tracing::enabled!(target: ACCESS_LOG, tracing::Level::INFO);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(bodies::refuse_large_bodies))
            .wrap(from_fn(crate::web::metrics::track))
            .wrap(from_fn(session_cookie::sessions))
            .wrap(Condition::new(
                access_log,
                Logger::new("%a \"%r\" %s %b %Dms"),
            ))
            // Outermost, so every answer carries them, errors of the others included.
            .wrap(from_fn(headers::secure))
            .app_data(security_headers.clone())
            .app_data(session_cookies.clone())
            .app_data(bodies::json_config())
            .app_data(bodies::form_config())
            .app_data(bodies::query_config())
            .app_data(web::PayloadConfig::new(MAX_REQUEST_BODY))
            .configure(|app| state.configure(app))
            .configure(routes::table::route_table)
    })
    .listen(listener)?
    .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
    .run();
    Ok((address, server))
}

/// The configured bucket, or the embedded local one when none is configured (kept
/// running while the returned [`LocalBucket`] lives).
pub async fn open_bucket(settings: &Settings) -> anyhow::Result<(Storage, Option<LocalBucket>)> {
    let timeouts = Timeouts {
        connect: settings.s3_connect_timeout.duration(),
        operation: settings.s3_timeout.duration(),
    };
    if let Some(bucket) = &settings.bucket {
        let storage = Storage::from_env(bucket, settings.force_path_style).await;
        return Ok((storage.with_timeouts(timeouts), None));
    }
    let local = LocalBucket::start(
        &settings.data_dir.join("bucket"),
        settings.local_bucket_listen,
        &settings.local_bucket_name,
        settings.local_bucket_url.as_deref(),
    )
    .await?;
    let storage = Storage::with_static_credentials(
        local.bucket(),
        local_bucket::REGION,
        local.endpoint(),
        local.credentials(),
    )
    .with_timeouts(timeouts);
    Ok((storage, Some(local)))
}

/// The session cookies' key: from `POSTBOX_SESSION_SECRET`, or in the embedded default
/// one made once and kept in the data folder.
fn session_key(settings: &Settings) -> anyhow::Result<Key> {
    match &settings.session_secret {
        Some(secret) => session::session_key(secret),
        None if settings.is_embedded_default() => {
            session::session_key(&session::stored_secret(&settings.data_dir)?)
        }
        None => anyhow::bail!(
            "POSTBOX_SESSION_SECRET is not set: with a real bucket or PostgreSQL every \
             instance needs the same secret of at least {} characters \
             (generate one with: openssl rand -base64 48)",
            session::MIN_SECRET_LEN
        ),
    }
}
