//! `postbox token create|list|revoke`: personal API tokens from the command line.
//! `create` prints the token alone on stdout; it is never shown again.

use clap::{Args, Subcommand};

use super::user::DatabaseArgs;
use crate::accounts::UserStore;
use crate::db::Database;
use crate::domain::{Lifetime, Username};
use crate::tokens::{TokenInfo, TokenStore};

/// `postbox token …`.
#[derive(Debug, Args)]
pub struct TokenCommand {
    #[command(subcommand)]
    action: TokenAction,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Make a token for an account; prints the token alone (it is shown only once).
    Create {
        /// The account.
        name: Username,
        /// What the token is for.
        #[arg(long, default_value = "command line")]
        label: String,
        /// How long it works: 90s, 10m, 12h, 30d (default: until revoked).
        #[arg(long)]
        expires_in: Option<Lifetime>,
    },
    /// List an account's tokens (never the tokens themselves).
    List {
        /// The account.
        name: Username,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its ID.
    Revoke {
        /// The token's ID (first column of `token list`).
        id: String,
    },
}

fn time(at: Option<i64>) -> String {
    at.and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok())
        .map_or_else(|| "-".to_owned(), crate::policy::timefmt::expiration)
}

fn row(token: &TokenInfo, now: i64) -> String {
    let state = token.state(now);
    format!(
        "{:<14} {:<8} {:<26} {:<26} {:<26} {}",
        token.id,
        state,
        time(Some(token.created_at)),
        time(token.last_used_at),
        time(token.expires_at),
        token.label
    )
}

/// Runs a token command and returns what to print.
pub async fn run(command: TokenCommand) -> anyhow::Result<String> {
    let db = Database::connect(&command.database.url()).await?;
    let users = UserStore::new(db.clone());
    let tokens = TokenStore::new(db, users.clone());
    let actor = super::user::actor();
    match command.action {
        TokenAction::Create {
            name,
            label,
            expires_in,
        } => {
            let owner = super::user::account(&users, &name).await?;
            let expires = expires_in.map(Lifetime::duration);
            let (_, token) = tokens.create(&actor, &owner, &label, expires).await?;
            Ok(token)
        }
        TokenAction::List { name, json } => {
            let list = tokens.list(name.as_str()).await?;
            if json {
                return Ok(serde_json::to_string_pretty(&list)?);
            }
            let now = crate::db::unix_now();
            let mut out = format!(
                "{:<14} {:<8} {:<26} {:<26} {:<26} {}",
                "ID", "STATE", "CREATED", "LAST USED", "EXPIRES", "LABEL"
            );
            for token in &list {
                out.push('\n');
                out.push_str(&row(token, now));
            }
            Ok(out)
        }
        TokenAction::Revoke { id } => {
            let token = tokens.revoke(&actor, &id, None).await?;
            Ok(format!(
                "revoked {} ({}) of {}",
                token.id, token.label, token.username
            ))
        }
    }
}
