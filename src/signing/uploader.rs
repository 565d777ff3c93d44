//! Who uploads and what they may upload now: their limits, and with a quota, what the
//! usage ledger says is left of it.

use crate::accounts::User;
use crate::domain::ByteSize;
use crate::storage::Storage;
use crate::usage::{StoredFile, UsageLedger};

use super::SigningError;

/// Who uploads, and what they may upload.
#[derive(Debug, Clone)]
pub struct Uploader {
    /// Recorded on each object as `x-amz-meta-uploader`.
    pub name: String,
    /// Every key they write starts with this.
    pub prefix: crate::domain::KeyPrefix,
    /// Their largest file (with a quota, no more than what is left of it).
    pub max_size: ByteSize,
    /// Content types they may upload start with this ("" for any).
    pub content_type_prefix: String,
    /// With a quota: how much of it is left, and the quota.
    pub quota_left: Option<(ByteSize, ByteSize)>,
}

impl Uploader {
    /// What `user` may upload now: their limits, the size capped at what remains of
    /// their quota. Refused when the quota is used up. Without a quota this reads and
    /// writes nothing. (Disabled accounts never get this far: the web layer's
    /// `SignedIn` refuses them.)
    pub async fn for_user(
        user: &User,
        ledger: &UsageLedger,
        storage: &Storage,
        now: i64,
    ) -> Result<Self, SigningError> {
        let mut max_size = user.max_size;
        let mut quota_left = None;
        if let Some(quota) = user.quota {
            // Forms that expired hold nothing any more: settled first (one indexed
            // read when there are none), so what is left is exact.
            settle_expired(user, ledger, storage, now).await?;
            let left = left_of(user, quota, ledger, storage).await?;
            if left == 0 {
                return Err(SigningError::QuotaUsedUp(quota));
            }
            let left = ByteSize::from_bytes(left);
            max_size = max_size.min(left);
            quota_left = Some((left, quota));
        }
        Ok(Self {
            name: user.name.to_string(),
            prefix: user.prefix.clone(),
            max_size,
            content_type_prefix: user.content_type_prefix.clone(),
            quota_left,
        })
    }

    /// What `user` may upload as far as their account says, reading nothing: with a
    /// quota, the largest file is capped at the whole quota and what is left is not
    /// known (the reservation finds out). For calls that sign one described file.
    pub fn unread(user: &User) -> Self {
        let max_size = user.quota.map_or(user.max_size, |q| user.max_size.min(q));
        Self {
            name: user.name.to_string(),
            prefix: user.prefix.clone(),
            max_size,
            content_type_prefix: user.content_type_prefix.clone(),
            quota_left: user.quota.map(|quota| (quota, quota)),
        }
    }

    /// The whole quota, when there is one.
    pub fn quota(&self) -> Option<ByteSize> {
        self.quota_left.map(|(_, quota)| quota)
    }
}

/// Bytes of `quota` not stored or reserved. An account the ledger has not counted yet
/// (from before the ledger) is counted once from the bucket.
async fn left_of(
    user: &User,
    quota: ByteSize,
    ledger: &UsageLedger,
    storage: &Storage,
) -> Result<u64, SigningError> {
    let name = user.name.as_str();
    let usage = match ledger.usage(name).await? {
        Some(usage) => usage,
        None => crate::files::count(user, ledger, storage, true).await?,
    };
    Ok(quota.bytes().saturating_sub(usage.counted()))
}

/// Settles `user`'s reservations whose forms expired: what the bucket holds at each
/// key is stored (at its real size), an absent key frees its bytes.
async fn settle_expired(
    user: &User,
    ledger: &UsageLedger,
    storage: &Storage,
    now: i64,
) -> Result<(), SigningError> {
    let expired = ledger.expired(user.name.as_str(), now).await?;
    for reservation in &expired {
        let found = storage.head(&reservation.key).await?;
        let file = found.as_ref().map(|object| StoredFile {
            key: &object.key,
            size: object.size,
            content_type: &object.content_type,
        });
        ledger.settle(reservation, file).await?;
    }
    Ok(())
}
