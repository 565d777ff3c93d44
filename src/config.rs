//! Settings: defaults, then `.env`, then the environment, then flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::domain::{ByteSize, PolicyTtl, Timeout};

/// How `postbox serve` runs. Every flag has a `POSTBOX_*` variable (see `.env.example`).
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to serve the web app on.
    #[arg(long, env = "POSTBOX_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The URL people reach the app at (for links and CORS checks); default: from --listen.
    #[arg(long, env = "POSTBOX_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Bucket to upload into. Without one, an embedded local bucket is started.
    #[arg(long, env = "POSTBOX_BUCKET")]
    pub bucket: Option<String>,

    /// Address forms post to S3 with path-style URLs (`<endpoint>/<bucket>/`).
    #[arg(long, env = "POSTBOX_FORCE_PATH_STYLE", default_value_t = false)]
    pub force_path_style: bool,

    /// How long a signed form stays valid: 600, 10m, 1h, at most 7d.
    #[arg(long, env = "POSTBOX_POLICY_TTL", default_value = "10m")]
    pub policy_ttl: PolicyTtl,

    /// Largest file for new accounts: 10MB, 10MiB, 1048576.
    #[arg(long, env = "POSTBOX_MAX_SIZE", default_value = "10MB")]
    pub max_size: ByteSize,

    /// Folder for the local bucket's objects and the app's own files.
    #[arg(long, env = "POSTBOX_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Address of the local bucket (port 0: any free port).
    #[arg(
        long,
        env = "POSTBOX_LOCAL_BUCKET_LISTEN",
        default_value = "127.0.0.1:0"
    )]
    pub local_bucket_listen: SocketAddr,

    /// The URL browsers reach the local bucket at; default: from its address.
    #[arg(long, env = "POSTBOX_LOCAL_BUCKET_URL")]
    pub local_bucket_url: Option<String>,

    /// sqlite://FILE or postgres://…; default: a SQLite file in the data folder.
    #[arg(long, env = "POSTBOX_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Keys the session cookies (at least 32 characters). Required outside the embedded
    /// default; there, one is made and kept in the data folder.
    #[arg(long, env = "POSTBOX_SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<secrecy::SecretString>,

    /// Longest wait to open a connection to the bucket: 3, 3s, 1m.
    #[arg(long, env = "POSTBOX_S3_CONNECT_TIMEOUT", default_value = "3s")]
    pub s3_connect_timeout: Timeout,

    /// Longest wait for one bucket call, retries included.
    #[arg(long, env = "POSTBOX_S3_TIMEOUT", default_value = "10s")]
    pub s3_timeout: Timeout,

    /// Longest wait for a database connection (PostgreSQL: also for one statement).
    #[arg(long, env = "POSTBOX_DATABASE_TIMEOUT", default_value = "5s")]
    pub database_timeout: Timeout,

    /// How the upload page sends files: `post` (signed POST forms, which also work
    /// without JavaScript) or `put` (presigned PUT, for providers without POST policies,
    /// such as Cloudflare R2 and Backblaze B2; needs JavaScript).
    #[arg(long, env = "POSTBOX_UPLOAD_METHOD", value_enum, default_value_t = UploadMethod::Post)]
    pub upload_method: UploadMethod,

    /// Name of the local bucket.
    #[arg(long, env = "POSTBOX_LOCAL_BUCKET_NAME", default_value = "postbox")]
    pub local_bucket_name: String,
}

/// How the upload page sends files to the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UploadMethod {
    /// Signed POST forms (S3, Ceph, MinIO); the page works without JavaScript too.
    Post,
    /// Presigned PUT URLs, one per file; the page needs JavaScript.
    Put,
}

impl Settings {
    /// The embedded default: local bucket and SQLite file, nothing to configure.
    pub fn is_embedded_default(&self) -> bool {
        self.bucket.is_none()
            && self
                .database_url
                .as_deref()
                .is_none_or(|url| url.starts_with("sqlite:"))
    }

    /// Settings from the environment alone, as `postbox` with no arguments reads them.
    pub fn from_env() -> Result<Self, clap::Error> {
        use clap::{FromArgMatches, Parser};
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            settings: Settings,
        }
        let matches =
            <Only as clap::CommandFactory>::command().try_get_matches_from(["postbox"])?;
        Ok(Only::from_arg_matches(&matches)?.settings)
    }
}
