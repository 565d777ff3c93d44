//! `postbox usage recount [NAME]`: rebuilds accounts' usage in the ledger from a listing
//! of the bucket, for files that arrived outside postbox (or were posted with the plain
//! form and never confirmed).

use clap::{Args, Subcommand};

use crate::accounts::{User, UserStore};
use crate::config::Settings;
use crate::db::Database;
use crate::domain::Username;
use crate::files::Files;
use crate::startup::open_bucket;
use crate::usage::{Usage, UsageLedger};

/// `postbox usage …`.
#[derive(Debug, Args)]
pub struct UsageCommand {
    #[command(subcommand)]
    action: UsageAction,
}

#[derive(Debug, Subcommand)]
enum UsageAction {
    /// Count each account's files in the bucket again and store the totals.
    Recount {
        /// Only this account (default: every account).
        name: Option<Username>,
        /// The bucket and database, as `postbox serve` reads them.
        #[command(flatten)]
        settings: Box<Settings>,
    },
}

/// Runs a usage command and returns what to print.
pub async fn run(command: UsageCommand) -> anyhow::Result<String> {
    let UsageAction::Recount { name, settings } = command.action;
    let url = Database::url_or_default(settings.database_url.as_deref(), &settings.data_dir);
    let db = Database::connect(&url).await?;
    let users = UserStore::new(db.clone());
    let accounts: Vec<User> = match &name {
        Some(name) => vec![super::user::account(&users, name).await?],
        None => users.list().await?,
    };
    // The embedded bucket, when no bucket is configured: started for this command on a
    // free loopback port over the same folder `postbox serve` uses.
    let (storage, _local_bucket) = open_bucket(&settings).await?;
    let ledger = UsageLedger::new(db);
    let files = Files::new(storage, ledger.clone(), users);
    let mut lines = Vec::new();
    for user in &accounts {
        let before = ledger.usage(user.name.as_str()).await?;
        let after = files.recount(user).await?;
        lines.push(line(user, before.as_ref(), &after));
    }
    Ok(lines.join("\n"))
}

/// `alice: 1.2 MB in 3 files (was 1.0 MB in 2 files)`.
fn line(user: &User, before: Option<&Usage>, after: &Usage) -> String {
    let now = Usage::describe(Some(after));
    let was = Usage::describe(before);
    if before == Some(after) {
        format!("{}: {now} (unchanged)", user.name)
    } else {
        format!("{}: {now} (was {was})", user.name)
    }
}
