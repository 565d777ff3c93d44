//! `postbox link create|list|revoke`: guest upload links from the command line.
//! `create` prints the link's URL alone on stdout; its token is never shown again.

use std::net::SocketAddr;

use clap::{Args, Subcommand};

use super::user::DatabaseArgs;
use crate::accounts::UserStore;
use crate::db::Database;
use crate::domain::{ByteSize, Lifetime, Username};
use crate::links::{Link, LinkStore, NewLink};

/// `postbox link …`.
#[derive(Debug, Args)]
pub struct LinkCommand {
    #[command(subcommand)]
    action: LinkAction,
    #[command(flatten)]
    database: DatabaseArgs,
    /// The URL people reach the app at; links are `<it>/u/<token>`.
    #[arg(long, env = "POSTBOX_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// Where the app listens (the links' address when no public URL is set).
    #[arg(
        long,
        env = "POSTBOX_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    listen: SocketAddr,
}

#[derive(Debug, Subcommand)]
enum LinkAction {
    /// Make a guest upload link for an account; prints its URL alone.
    Create(CreateArgs),
    /// List an account's links (never their tokens).
    List {
        /// The account.
        name: Username,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a link by its ID or its whole URL.
    Revoke {
        /// The ID (first column of `link list`) or the URL.
        link: String,
    },
}

// `link create`'s arguments; the variant's comment is its help.
#[derive(Debug, Args)]
struct CreateArgs {
    /// The account whose space guests upload into.
    name: Username,
    /// What the link is for (guests see it).
    #[arg(long, default_value = "Files for me")]
    label: String,
    /// Largest file (default: the account's own limit).
    #[arg(long)]
    max_size: Option<ByteSize>,
    /// Most files (default 100).
    #[arg(long)]
    max_files: Option<u64>,
    /// Most bytes in all (default: the account's quota, or 1 GB).
    #[arg(long)]
    max_total: Option<ByteSize>,
    /// How long it works: 90s, 10m, 12h, 7d (default 7d, at most 30d).
    #[arg(long)]
    expires_in: Option<Lifetime>,
    /// Read a password guests must give first from standard input.
    #[arg(long)]
    password_stdin: bool,
}

fn row(link: &Link, now: i64) -> String {
    let state = link.state(now).as_str();
    format!(
        "{:<14} {:<8} {:>6}/{:<6} {:>10}/{:<10} {}",
        link.id,
        state,
        link.files_held,
        link.max_files,
        ByteSize::from_bytes(link.bytes_held).to_string(),
        ByteSize::from_bytes(link.max_total).to_string(),
        link.label
    )
}

/// Runs a link command and returns what to print.
pub async fn run(command: LinkCommand) -> anyhow::Result<String> {
    let db = Database::connect(&command.database.url()).await?;
    let users = UserStore::new(db.clone());
    let links = LinkStore::new(db, users.clone());
    match command.action {
        LinkAction::Create(args) => {
            let base = command
                .public_url
                .unwrap_or_else(|| format!("http://{}", command.listen));
            create(&links, &users, args, &base).await
        }
        LinkAction::List { name, json } => list(&links, &name, json).await,
        LinkAction::Revoke { link } => revoke(&links, link).await,
    }
}

async fn create(
    links: &LinkStore,
    users: &UserStore,
    args: CreateArgs,
    base: &str,
) -> anyhow::Result<String> {
    let owner = super::user::account(users, &args.name).await?;
    let new = NewLink {
        label: args.label,
        max_size: args.max_size,
        max_files: args.max_files,
        max_total: args.max_total,
        lifetime_secs: args.expires_in.map(|l| l.duration().as_secs()),
        password: if args.password_stdin {
            Some(super::user::read_password()?)
        } else {
            None
        },
    };
    let (_, token) = links.create(&super::user::actor(), &owner, new).await?;
    Ok(crate::links::url(base, &token))
}

async fn list(links: &LinkStore, name: &Username, json: bool) -> anyhow::Result<String> {
    let list = links.list(name.as_str()).await?;
    if json {
        return Ok(serde_json::to_string_pretty(&list)?);
    }
    let now = crate::db::unix_now();
    let mut out = format!(
        "{:<14} {:<8} {:>13} {:>21} {}",
        "ID", "STATE", "FILES", "BYTES", "LABEL"
    );
    for link in &list {
        out.push('\n');
        out.push_str(&row(link, now));
    }
    Ok(out)
}

/// Revokes the link `link` names: its ID or its whole URL.
async fn revoke(links: &LinkStore, link: String) -> anyhow::Result<String> {
    let id = match crate::links::token_in(&link) {
        Some(token) => links
            .by_token(token)
            .await?
            .map(|found| found.id)
            .ok_or_else(|| anyhow::anyhow!("there is no link with that URL"))?,
        None => link,
    };
    let revoked = links.revoke(&super::user::actor(), &id, None).await?;
    Ok(format!(
        "revoked {} ({}) of {}",
        revoked.id, revoked.label, revoked.owner
    ))
}
