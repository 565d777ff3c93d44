//! A person's files in the bucket: the page of them they see, looking one up,
//! confirming an upload, deleting one, and counting them all into the usage ledger.
//! Every key is checked here first: literal (no `..` segments) and under the owner's
//! prefix. The web layer and the CLI come through here; nothing here knows HTTP.

mod listing;

use serde_json::json;

pub use listing::{Cursor, FilePage, PAGE_SIZE};

use crate::accounts::{AccountsError, User, UserStore};
use crate::domain::{KeyPrefix, ObjectKey};
use crate::storage::{Storage, StorageError, StoredObject};
use crate::usage::{Freed, ListedFile, StoredFile, Usage, UsageError, UsageLedger};

/// Why a file could not be listed, found, confirmed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// The key is not one postbox accepts (`..` segments, control characters…).
    #[error("The key {key:?} cannot be used: {reason}.")]
    BadKey {
        /// The first 80 characters of the key sent.
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// The key lies outside the owner's prefix.
    #[error("That file is not yours: your files are under {0}.")]
    NotYours(KeyPrefix),
    /// A guest's key outside their link's folder.
    #[error("That file was not sent through this link.")]
    NotReceived,
    /// Nothing at that key.
    #[error("There is no file {0:?} (it was never uploaded, or it was removed).")]
    Missing(String),
    /// A page address (`after=`) postbox did not make.
    #[error("That page of files does not exist ({0}). Start again from the newest files.")]
    BadCursor(&'static str),
    /// The bucket failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The usage ledger or the audit log failed.
    #[error("The usage ledger is unavailable ({0:#}).")]
    Ledger(anyhow::Error),
}

impl From<UsageError> for FilesError {
    fn from(error: UsageError) -> Self {
        Self::Ledger(anyhow::Error::new(error))
    }
}

impl From<AccountsError> for FilesError {
    fn from(error: AccountsError) -> Self {
        Self::Ledger(anyhow::Error::new(error).context("cannot write the audit log"))
    }
}

/// What a deletion removed and freed.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// The object as it was.
    pub object: StoredObject,
    /// What it did to the usage ledger.
    pub freed: Freed,
}

/// The files of every account, in one bucket, with their ledger.
#[derive(Clone)]
pub struct Files {
    storage: Storage,
    ledger: UsageLedger,
    users: UserStore,
}

impl Files {
    /// Files in `storage`, counted in `ledger`, deletions logged in `users`' audit log.
    pub fn new(storage: Storage, ledger: UsageLedger, users: UserStore) -> Self {
        Self {
            storage,
            ledger,
            users,
        }
    }

    /// The object at `key`, if it is a literal key under `owner`'s prefix and exists.
    pub async fn find(&self, owner: &User, key: &str) -> Result<StoredObject, FilesError> {
        let key = owned_key(owner, key)?;
        self.storage
            .head(key.as_str())
            .await?
            .ok_or_else(|| FilesError::Missing(relative(&owner.prefix, key.as_str()).to_owned()))
    }

    /// A presigned GET of `owner`'s file at `key`, working for `ttl`, that saves it
    /// under its own name.
    pub async fn download_link(
        &self,
        owner: &User,
        key: &str,
        ttl: std::time::Duration,
    ) -> Result<String, FilesError> {
        let object = self.find(owner, key).await?;
        let name = file_name(&object.key);
        Ok(self
            .storage
            .presign_get(&object.key, ttl, Some(name))
            .await?)
    }

    /// Records an upload `owner` says is done, after checking it with HeadObject.
    pub async fn confirm(&self, owner: &User, key: &str) -> Result<StoredObject, FilesError> {
        let object = self.find(owner, key).await?;
        let file = StoredFile {
            key: &object.key,
            size: object.size,
            content_type: &object.content_type,
        };
        self.ledger.record_stored(owner.name.as_str(), file).await?;
        Ok(object)
    }

    /// Records a file a guest says they sent through link `link_id` (whose files land
    /// in `folder` of `owner`'s space), after checking it with HeadObject, and writes it
    /// to the owner's audit log.
    pub async fn confirm_received(
        &self,
        owner: &User,
        link_id: &str,
        folder: &KeyPrefix,
        key: &str,
    ) -> Result<StoredObject, FilesError> {
        if !folder.contains_key(key) {
            return Err(FilesError::NotReceived);
        }
        let object = self.confirm(owner, key).await?;
        let details = json!({ "link": link_id, "key": object.key, "size": object.size });
        let actor = format!("link:{link_id}");
        self.users
            .log_event(&actor, "receive file", &owner.name, details)
            .await?;
        Ok(object)
    }

    /// Deletes `owner`'s file at `key` (`actor` did it; `now` is the app's clock, for
    /// reservations), frees its bytes in the ledger and logs it in the audit log. The
    /// bucket goes first: should the ledger then fail, the account is counted high
    /// (never low) until `postbox usage recount`.
    pub async fn delete(
        &self,
        actor: &str,
        owner: &User,
        key: &str,
        now: i64,
    ) -> Result<Deleted, FilesError> {
        let object = self.find(owner, key).await?;
        self.storage.delete(&object.key).await?;
        let freed = self
            .ledger
            .record_deleted(owner.name.as_str(), &object.key, now)
            .await?;
        let details = json!({ "key": object.key, "size": object.size });
        self.users
            .log_event(actor, "delete file", &owner.name, details)
            .await?;
        Ok(Deleted { object, freed })
    }

    /// Rebuilds `owner`'s usage from a listing of the bucket (files that arrived
    /// outside postbox included).
    pub async fn recount(&self, owner: &User) -> Result<Usage, FilesError> {
        count(owner, &self.ledger, &self.storage, false).await
    }

    /// The usage ledger the files are counted in.
    pub fn ledger(&self) -> &UsageLedger {
        &self.ledger
    }
}

/// Counts `owner`'s files in the bucket into the ledger; with `only_if_new`, only when
/// they have no row yet (the first count of an account), otherwise the row is kept.
pub async fn count(
    owner: &User,
    ledger: &UsageLedger,
    storage: &Storage,
    only_if_new: bool,
) -> Result<Usage, FilesError> {
    let listed_at = crate::db::unix_now();
    let objects = storage.objects(owner.prefix.as_str()).await?;
    let files: Vec<ListedFile<'_>> = objects
        .iter()
        .map(|object| ListedFile {
            key: &object.key,
            size: object.size,
            modified: object.modified.unwrap_or(0),
        })
        .collect();
    let name = owner.name.as_str();
    Ok(ledger.recount(name, &files, listed_at, only_if_new).await?)
}

/// `key` as a literal key under `owner`'s prefix, or why not.
fn owned_key(owner: &User, key: &str) -> Result<ObjectKey, FilesError> {
    // S3 keys are literal, but a filesystem bucket, browsers and tools that show keys
    // as paths would let `prefix/../other/x` climb out of the prefix: refused first.
    let parsed = ObjectKey::parse(key).map_err(|e| FilesError::BadKey {
        key: key.chars().take(80).collect(),
        reason: e.reason(),
    })?;
    if !owner.prefix.contains_key(parsed.as_str()) {
        return Err(FilesError::NotYours(owner.prefix.clone()));
    }
    Ok(parsed)
}

/// The file's name: the last segment of `key`.
pub fn file_name(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// `key` without `prefix`, as the owner reads it.
pub fn relative<'a>(prefix: &KeyPrefix, key: &'a str) -> &'a str {
    key.strip_prefix(prefix.as_str()).unwrap_or(key)
}
