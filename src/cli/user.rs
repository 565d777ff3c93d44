//! `postbox user add|list|set|disable`: the same validation as the admin pages.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use secrecy::SecretString;

use crate::accounts::{NewUser, Role, User, UserChanges, UserStore};
use crate::db::Database;
use crate::domain::{ByteSize, KeyPrefix, Username};
use crate::usage::{Usage, UsageLedger};

/// Where the accounts are.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// sqlite://FILE or postgres://…; default: a SQLite file in the data folder.
    #[arg(long, env = "POSTBOX_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder of the default SQLite file.
    #[arg(long, env = "POSTBOX_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    /// The database URL these arguments name.
    pub fn url(&self) -> String {
        Database::url_or_default(self.database_url.as_deref(), &self.data_dir)
    }
}

/// `postbox user …`.
#[derive(Debug, Args)]
pub struct UserCommand {
    #[command(subcommand)]
    action: UserAction,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Create an account; the password is read from standard input.
    Add(AddArgs),
    /// List accounts.
    List,
    /// Change an account.
    Set(SetArgs),
    /// Disable an account: it cannot sign in and its sessions end.
    Disable {
        /// Sign-in name.
        name: Username,
    },
}

// `user add`'s arguments; the variant's comment is its help.
#[derive(Debug, Args)]
struct AddArgs {
    /// Sign-in name.
    name: Username,
    /// Make the account an admin.
    #[arg(long)]
    admin: bool,
    /// Key prefix (default users/NAME/).
    #[arg(long)]
    prefix: Option<KeyPrefix>,
    /// Largest file (default: POSTBOX_MAX_SIZE).
    #[arg(long, env = "POSTBOX_MAX_SIZE", default_value = "10MB")]
    max_size: ByteSize,
    /// Allowed content types start with this.
    #[arg(long, default_value = "")]
    content_type_prefix: String,
    /// Most bytes stored in all.
    #[arg(long)]
    quota: Option<ByteSize>,
    /// Read the password from standard input (required).
    #[arg(long, required = true)]
    password_stdin: bool,
}

// `user set`'s arguments; the variant's comment is its help.
#[derive(Debug, Args)]
struct SetArgs {
    /// Sign-in name.
    name: Username,
    /// New key prefix.
    #[arg(long)]
    prefix: Option<KeyPrefix>,
    /// New largest file.
    #[arg(long)]
    max_size: Option<ByteSize>,
    /// New content type prefix ("" for any).
    #[arg(long)]
    content_type_prefix: Option<String>,
    /// New quota, or "none".
    #[arg(long)]
    quota: Option<String>,
    /// Re-enable a disabled account.
    #[arg(long)]
    enable: bool,
    /// Read a new password from standard input.
    #[arg(long)]
    password_stdin: bool,
}

/// Who the audit log says did it: `cli:<login name>`.
pub(super) fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

/// The account named `name`, or an error saying there is none.
pub(super) async fn account(users: &UserStore, name: &Username) -> anyhow::Result<User> {
    users
        .get(name.as_str())
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no account named {name}"))
}

/// A password from standard input, without its line ending.
pub(super) fn read_password() -> anyhow::Result<SecretString> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let password = text.trim_end_matches(['\r', '\n']).to_owned();
    Ok(SecretString::from(password))
}

/// Runs a user command and returns what to print.
pub async fn run(command: UserCommand) -> anyhow::Result<String> {
    let db = Database::connect(&command.database.url()).await?;
    let users = UserStore::new(db.clone());
    match command.action {
        UserAction::Add(args) => add(&users, args).await,
        UserAction::List => list(&users, UsageLedger::new(db)).await,
        UserAction::Set(args) => set(&users, args).await,
        UserAction::Disable { name } => {
            let changes = UserChanges {
                disabled: Some(true),
                ..UserChanges::default()
            };
            users.update(&actor(), name.as_str(), changes).await?;
            Ok(format!("disabled {name}; their sessions have ended"))
        }
    }
}

async fn add(users: &UserStore, args: AddArgs) -> anyhow::Result<String> {
    let prefix = args
        .prefix
        .unwrap_or_else(|| KeyPrefix::for_user(&args.name));
    let user = users
        .create(
            &actor(),
            NewUser {
                name: args.name,
                role: if args.admin { Role::Admin } else { Role::User },
                prefix,
                max_size: args.max_size,
                content_type_prefix: args.content_type_prefix,
                quota: args.quota,
                password: read_password()?,
            },
        )
        .await?;
    Ok(format!(
        "created {} ({}) with prefix {}",
        user.name,
        user.role.as_str(),
        user.prefix
    ))
}

async fn list(users: &UserStore, ledger: UsageLedger) -> anyhow::Result<String> {
    let usage = ledger.all().await?;
    let mut out = format!(
        "{:<20} {:<6} {:<30} {:>10} {:>10} {:<12} {:<8} {}",
        "NAME", "ROLE", "PREFIX", "MAX SIZE", "QUOTA", "TYPES", "STATE", "STORED"
    );
    for user in users.list().await? {
        out.push_str(&format!(
            "\n{:<20} {:<6} {:<30} {:>10} {:>10} {:<12} {:<8} {}",
            user.name,
            user.role.as_str(),
            user.prefix,
            user.max_size.to_string(),
            user.quota.map_or("-".to_owned(), |q| q.to_string()),
            if user.content_type_prefix.is_empty() {
                "any"
            } else {
                &user.content_type_prefix
            },
            if user.disabled { "disabled" } else { "active" },
            Usage::describe(usage.get(user.name.as_str())),
        ));
    }
    Ok(out)
}

async fn set(users: &UserStore, args: SetArgs) -> anyhow::Result<String> {
    let quota = match args.quota.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(text) => Some(Some(ByteSize::parse(text)?)),
    };
    let changes = UserChanges {
        prefix: args.prefix,
        max_size: args.max_size,
        content_type_prefix: args.content_type_prefix,
        quota,
        disabled: args.enable.then_some(false),
        role: None,
    };
    let user = users.update(&actor(), args.name.as_str(), changes).await?;
    if args.password_stdin {
        users
            .set_password(&actor(), args.name.as_str(), read_password()?)
            .await?;
    }
    Ok(format!("updated {}", user.name))
}
