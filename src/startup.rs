//! The one place where the app is put together: bucket, state, routes, middleware.
//! Tests build the very same app on port 0.

use std::net::TcpListener;

use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::SameSite;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Logger, Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;

use crate::auth::{self, LoginLimiter};
use crate::config::Settings;
use crate::db::Database;
use crate::domain::{ByteSize, KeyPrefix, Username};
use crate::error::{ApiError, AppError};
use crate::forms::{Clock, FormSigner};
use crate::local_bucket::{self, LocalBucket};
use crate::metrics::{self, Metrics};
use crate::routes;
use crate::routes::admin::{self, AccountDefaults};
use crate::storage::Storage;
use crate::uploads::UploadStore;
use crate::users::{NewUser, Role, UserStore, generate_password};

/// The app never receives files; no request body it takes comes near this.
pub const MAX_REQUEST_BODY: usize = 16 * 1024;

/// A built app, bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    storage: Storage,
    local_bucket: Option<LocalBucket>,
}

impl Application {
    /// Builds the app from `settings` with the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds the app with the given clock (tests sign forms in the past with it).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let (storage, local_bucket) = match &settings.bucket {
            Some(bucket) => (
                Storage::from_env(bucket, settings.force_path_style).await,
                None,
            ),
            None => {
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
                );
                (storage, Some(local))
            }
        };
        // Missing credentials may appear later (a profile written, a role attached):
        // keep serving, say so now, and answer each signing request with the reason.
        if let Err(error) = storage.credentials().await {
            tracing::warn!(%error, "uploads are unavailable until credentials are found");
        }

        let database_url =
            Database::url_or_default(settings.database_url.as_deref(), &settings.data_dir);
        let db = Database::connect(&database_url).await?;
        let users = UserStore::new(db.clone());
        let uploads = web::Data::new(UploadStore::new(db.clone()));
        let limiter = web::Data::new(LoginLimiter::new(db));
        ensure_first_admin(&users, settings.max_size).await?;
        let session_key = match &settings.session_secret {
            Some(secret) => auth::session_key(secret)?,
            None if settings.is_embedded_default() => {
                auth::session_key(&auth::stored_secret(&settings.data_dir)?)?
            }
            None => anyhow::bail!(
                "POSTBOX_SESSION_SECRET is not set: with a real bucket or PostgreSQL every \
                 instance needs the same secret of at least {} characters \
                 (generate one with: openssl rand -base64 48)",
                auth::MIN_SECRET_LEN
            ),
        };
        let secure_cookies = settings
            .public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"));

        let metrics = Metrics::new();
        let forms = web::Data::new(FormSigner::new(
            storage.clone(),
            settings.policy_ttl,
            clock,
            metrics.clone(),
        ));
        let users = web::Data::new(users);
        let defaults = web::Data::new(AccountDefaults {
            max_size: settings.max_size,
        });
        let metrics = web::Data::new(metrics);

        let listener = TcpListener::bind(settings.listen)
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let address = listener.local_addr()?;
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(refuse_large_bodies))
                .wrap(from_fn(metrics::track))
                .wrap(
                    SessionMiddleware::builder(CookieSessionStore::default(), session_key.clone())
                        .cookie_name("postbox_session".to_owned())
                        .cookie_secure(secure_cookies)
                        .cookie_same_site(SameSite::Lax)
                        .cookie_content_security(CookieContentSecurity::Private)
                        .build(),
                )
                .wrap(Logger::new("%a \"%r\" %s %b %Dms"))
                .app_data(json_config())
                .app_data(web::PayloadConfig::new(MAX_REQUEST_BODY))
                .app_data(forms.clone())
                .app_data(users.clone())
                .app_data(uploads.clone())
                .app_data(defaults.clone())
                .app_data(limiter.clone())
                .app_data(form_config())
                .app_data(metrics.clone())
                .route("/healthz", web::get().to(routes::health))
                .route("/metrics", web::get().to(metrics::endpoint))
                .route("/", web::get().to(home))
                .route("/upload", web::get().to(routes::upload::page))
                .route("/uploads", web::get().to(routes::uploads::page))
                .route(
                    "/uploads/download",
                    web::get().to(routes::uploads::download),
                )
                .route("/login", web::get().to(routes::login::page))
                .route("/login", web::post().to(routes::login::submit))
                .route("/logout", web::post().to(routes::login::logout))
                .route("/static/{name}", web::get().to(routes::assets::asset))
                .service(
                    web::scope("/api")
                        .route("/presign", web::post().to(routes::presign::presign))
                        .route("/uploads/confirm", web::post().to(routes::uploads::confirm)),
                )
                .service(
                    web::scope("/admin")
                        .wrap(from_fn(auth::require_admin))
                        .route("", web::get().to(admin::home))
                        .route("/", web::get().to(admin::home))
                        .route("/users", web::get().to(admin::users::list))
                        .route("/users", web::post().to(admin::users::create))
                        .route("/users/{name}", web::get().to(admin::user::edit))
                        .route("/users/{name}", web::post().to(admin::user::update))
                        .route("/audit", web::get().to(admin::audit::page))
                        .default_service(web::to(routes::not_found)),
                )
                .default_service(web::to(routes::not_found))
        })
        .listen(listener)?
        .run();
        tracing::info!(url = %format!("http://{address}/upload"), bucket = storage.bucket(), "postbox is serving");
        Ok(Self {
            port: address.port(),
            server,
            storage,
            local_bucket,
        })
    }

    /// The port the app listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The bucket the app signs forms for.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The embedded local bucket, when no bucket was configured.
    pub fn local_bucket(&self) -> Option<&LocalBucket> {
        self.local_bucket.as_ref()
    }

    /// Serves until the process is asked to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // Keeps the local bucket running as long as the app.
        let _local_bucket = self.local_bucket;
        self.server.await
    }
}

/// With no admin at all, makes one and prints its password, once, on the console.
async fn ensure_first_admin(users: &UserStore, max_size: ByteSize) -> anyhow::Result<()> {
    if users.has_admin().await? {
        return Ok(());
    }
    let password = generate_password();
    let admin = NewUser {
        name: Username::parse("admin")?,
        role: Role::Admin,
        prefix: KeyPrefix::parse("admins/admin/")?,
        max_size,
        content_type_prefix: String::new(),
        quota: None,
        password: password.clone(),
    };
    users.create("postbox (first run)", admin).await?;
    use secrecy::ExposeSecret;
    // Printed, not logged: logs are kept and shipped, this must be seen once only.
    println!(
        "\npostbox: created the first admin account.\n  name:     admin\n  password: {}\n\
         Sign in and change it; it is not shown again.\n",
        password.expose_secret()
    );
    Ok(())
}

async fn home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/upload"))
        .finish()
}

/// JSON bodies are small; anything else is a mistake and gets a JSON answer.
fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_REQUEST_BODY)
        .error_handler(|error, _| {
            let message = match &error {
                actix_web::error::JsonPayloadError::OverflowKnownLength { .. }
                | actix_web::error::JsonPayloadError::Overflow { .. } => {
                    return ApiError(AppError::TooLarge(too_large_message())).into();
                }
                actix_web::error::JsonPayloadError::ContentType => {
                    "Send JSON with Content-Type: application/json.".to_owned()
                }
                other => format!("The request is not valid JSON for this call: {other}."),
            };
            ApiError(AppError::BadRequest(message)).into()
        })
}

/// A form postbox did not send (a missing or unknown field) gets the error page.
fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(MAX_REQUEST_BODY)
        .error_handler(|error, _| {
            AppError::BadRequest(format!(
                "This form could not be read ({error}). Reload the page and try again."
            ))
            .into()
        })
}

fn too_large_message() -> String {
    "postbox never receives files itself: they go straight to the bucket through a signed form."
        .to_owned()
}

/// Refuses upload-sized bodies before any handler sees them.
async fn refuse_large_bodies(
    request: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
        let response = HttpResponse::PayloadTooLarge()
            .insert_header((header::CONNECTION, "close"))
            .json(serde_json::json!({ "error": too_large_message() }));
        return Ok(request.into_response(response).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}
