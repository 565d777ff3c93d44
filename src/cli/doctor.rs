//! `postbox doctor [--fix-cors] [--json]`: checks the configured bucket (or the
//! embedded one) and says what to fix. Exit status 1 when a check fails.

use std::process::ExitCode;

use clap::Args;

use crate::config::Settings;
use crate::doctor::Doctor;
use crate::startup::open_bucket;

/// `postbox doctor`.
#[derive(Debug, Args)]
pub struct DoctorCommand {
    /// Add a CORS rule for POSTBOX_PUBLIC_URL's origin when none allows it (other rules
    /// are kept).
    #[arg(long)]
    fix_cors: bool,
    /// Print {"checks":[{"name","status","detail","fix"}]} instead of text.
    #[arg(long)]
    json: bool,
    /// The bucket, public URL and form lifetime, as `postbox serve` reads them.
    #[command(flatten)]
    settings: Box<Settings>,
}

/// Runs the checks, prints the report, and says how to exit.
pub async fn run(command: DoctorCommand) -> anyhow::Result<ExitCode> {
    let settings = command.settings;
    let (storage, _local_bucket) = open_bucket(&settings).await?;
    let doctor = Doctor::new(
        storage,
        settings.bucket.is_none(),
        settings.public_url.as_deref(),
        settings.policy_ttl,
    );
    let report = doctor.run(command.fix_cors).await;
    if command.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
