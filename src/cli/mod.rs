//! The command line: `serve`, `presign post|get|put`, `user add|list|set|disable`,
//! `token create|list|revoke`, `link create|list|revoke`, `usage recount`, `doctor`.

mod doctor;
mod link;
mod token;
mod usage;
mod user;

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use crate::config::Settings;
use crate::domain::{ByteSize, KeyPrefix, PolicyTtl};
use crate::policy::{PolicySigner, UploadRules};
use crate::signing::{DEFAULT_CONTENT_TYPE, unique_key_suffix};
use crate::startup::Application;
use crate::storage::Storage;

/// Upload files straight from the browser into a private S3 bucket.
#[derive(Debug, Parser)]
#[command(name = "postbox", version, about)]
pub struct Cli {
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app.
    Serve(Box<Settings>),
    /// Print presigned forms and URLs.
    #[command(subcommand)]
    Presign(Presign),
    /// Manage accounts.
    User(user::UserCommand),
    /// Manage personal API tokens.
    Token(token::TokenCommand),
    /// Manage guest upload links.
    Link(link::LinkCommand),
    /// Recount what accounts store, from the bucket.
    Usage(usage::UsageCommand),
    /// Check the bucket (credentials, region, CORS, a live upload, public access, clock)
    /// and say what to fix.
    Doctor(doctor::DoctorCommand),
}

/// `postbox presign …`.
#[derive(Debug, Subcommand)]
pub enum Presign {
    /// Print a signed POST form as JSON {"url", "fields"}, like boto3's generate_presigned_post.
    Post(PresignPost),
    /// Print a URL that downloads an object.
    Get(PresignGet),
    /// Print a URL that uploads an object with PUT.
    Put(PresignPut),
}

/// Flags every presign command shares.
#[derive(Debug, Args)]
pub struct Target {
    /// Address the bucket path-style (`<endpoint>/<bucket>/`).
    #[arg(
        long,
        env = "POSTBOX_FORCE_PATH_STYLE",
        default_value_t = false,
        global = true
    )]
    pub force_path_style: bool,
}

/// `postbox presign post`.
#[derive(Debug, Args)]
pub struct PresignPost {
    /// Bucket to post into.
    #[arg(long)]
    pub bucket: String,
    /// Keys must start with this (ends with '/').
    #[arg(long)]
    pub prefix: KeyPrefix,
    /// Largest file: 10MB, 10MiB, 1048576.
    #[arg(long)]
    pub max_size: ByteSize,
    /// Smallest file, in bytes or with a unit.
    #[arg(long, default_value = "0")]
    pub min_size: ByteSize,
    /// Lifetime of the form: seconds, or 10m, 1h, 7d.
    #[arg(long, default_value = "3600")]
    pub expires_in: PolicyTtl,
    /// Content-Type must start with this; the form's Content-Type field starts as this
    /// value (or application/octet-stream) and the client sets the real type.
    #[arg(long, default_value = "")]
    pub content_type_prefix: String,
    /// Recorded on the object as x-amz-meta-uploader.
    #[arg(long, default_value = "postbox-cli")]
    pub uploader: String,
    #[command(flatten)]
    pub target: Target,
}

/// `postbox presign get`.
#[derive(Debug, Args)]
pub struct PresignGet {
    /// The object, as s3://BUCKET/KEY.
    pub object: S3Url,
    /// Lifetime of the URL: seconds, or 10m, 1h, 7d.
    #[arg(long, default_value = "3600")]
    pub expires_in: PolicyTtl,
    /// Have browsers save the download under this name.
    #[arg(long)]
    pub download_as: Option<String>,
    #[command(flatten)]
    pub target: Target,
}

/// `postbox presign put`.
#[derive(Debug, Args)]
pub struct PresignPut {
    /// The object, as s3://BUCKET/KEY.
    pub object: S3Url,
    /// Lifetime of the URL: seconds, or 10m, 1h, 7d.
    #[arg(long, default_value = "3600")]
    pub expires_in: PolicyTtl,
    /// Sign this Content-Type: the upload must send exactly it.
    #[arg(long)]
    pub content_type: Option<String>,
    /// Sign this Content-Length: S3 refuses a body of any other size.
    #[arg(long)]
    pub content_length: Option<u64>,
    #[command(flatten)]
    pub target: Target,
}

/// An `s3://BUCKET/KEY` address.
#[derive(Debug, Clone)]
pub struct S3Url {
    /// The bucket.
    pub bucket: String,
    /// The key, without a leading '/'.
    pub key: String,
}

impl std::str::FromStr for S3Url {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{text:?} is not an s3://BUCKET/KEY address"))?;
        match rest.split_once('/') {
            Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => Ok(Self {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
            }),
            _ => Err(format!("{text:?} names no object: use s3://BUCKET/KEY")),
        }
    }
}

/// Runs the command line; the exit status to end with.
pub async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let output = match cli.command {
        // Reported like any flag error (and exit code 2), as `postbox serve` would.
        None => return serve(Settings::from_env().unwrap_or_else(|e| e.exit())).await,
        Some(Command::Serve(settings)) => return serve(*settings).await,
        Some(Command::Doctor(command)) => return doctor::run(command).await,
        Some(Command::User(command)) => user::run(command).await?,
        Some(Command::Link(command)) => link::run(command).await?,
        Some(Command::Token(command)) => token::run(command).await?,
        Some(Command::Usage(command)) => usage::run(command).await?,
        Some(Command::Presign(Presign::Post(args))) => presign_post(&args).await?,
        Some(Command::Presign(Presign::Get(args))) => presign_get(&args).await?,
        Some(Command::Presign(Presign::Put(args))) => presign_put(&args).await?,
    };
    println!("{output}");
    Ok(std::process::ExitCode::SUCCESS)
}

async fn serve(settings: Settings) -> anyhow::Result<std::process::ExitCode> {
    let app = Application::build(settings).await?;
    app.run_until_stopped().await?;
    Ok(std::process::ExitCode::SUCCESS)
}

async fn presign_get(args: &PresignGet) -> anyhow::Result<String> {
    let storage = Storage::from_env(&args.object.bucket, args.target.force_path_style).await;
    Ok(storage
        .presign_get(
            &args.object.key,
            args.expires_in.duration(),
            args.download_as.as_deref(),
        )
        .await?)
}

async fn presign_put(args: &PresignPut) -> anyhow::Result<String> {
    let storage = Storage::from_env(&args.object.bucket, args.target.force_path_style).await;
    Ok(storage
        .presign_put(
            &args.object.key,
            args.expires_in.duration(),
            args.content_type.as_deref(),
            args.content_length,
        )
        .await?)
}

async fn presign_post(args: &PresignPost) -> anyhow::Result<String> {
    let storage = Storage::from_env(&args.bucket, args.target.force_path_style).await;
    let credentials = storage.credentials().await?;
    let now = time::OffsetDateTime::now_utc();
    let key_suffix = unique_key_suffix(now, "${filename}");
    let content_type = if args.content_type_prefix.is_empty() {
        DEFAULT_CONTENT_TYPE
    } else {
        &args.content_type_prefix
    };
    let rules = UploadRules {
        bucket: &args.bucket,
        prefix: &args.prefix,
        key_suffix: &key_suffix,
        exact_key: false,
        min_size: args.min_size.bytes(),
        max_size: args.max_size.bytes(),
        content_type_prefix: &args.content_type_prefix,
        content_type,
        uploader: &args.uploader,
    };
    let form = PolicySigner::new(storage.region()).sign(
        storage.form_url().to_owned(),
        &rules,
        &credentials,
        now,
        args.expires_in,
    )?;
    Ok(serde_json::to_string_pretty(&json!({
        "url": form.url(),
        "fields": form.fields_json(),
    }))?)
}
