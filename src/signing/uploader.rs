//! Who uploads and what they may upload now: their limits, and with a quota, what the
//! usage ledger says is left of it.

use crate::accounts::User;
use crate::domain::ByteSize;
use crate::storage::{Storage, StoredObject};
use crate::usage::{Reservation, StoredFile, UsageLedger};

use super::SigningError;

/// Who uploads, and what they may upload.
#[derive(Debug, Clone)]
pub struct Uploader {
    /// Recorded on each object as `x-amz-meta-uploader`.
    pub name: String,
    /// Every key they write starts with this.
    pub prefix: crate::domain::KeyPrefix,
    /// Their largest file (with a quota and [`Uploader::for_user`], no more than what
    /// is left of it).
    pub max_size: ByteSize,
    /// Content types they may upload start with this ("" for any).
    pub content_type_prefix: String,
    /// Their quota, if they have one.
    pub quota: Option<ByteSize>,
    /// What is left of it, when it was read ([`Uploader::for_user`]); `None` without a
    /// quota or when nothing was read ([`Uploader::unread`]).
    pub left: Option<ByteSize>,
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
        let mut left = None;
        if let Some(quota) = user.quota {
            // Forms that expired hold nothing any more: settled first (one indexed
            // read when there are none), so what is left is exact.
            settle_expired(user, ledger, storage, now).await?;
            let bytes = left_of(user, quota, ledger, storage).await?;
            if bytes == 0 {
                return Err(SigningError::QuotaUsedUp(quota));
            }
            let bytes = ByteSize::from_bytes(bytes);
            max_size = max_size.min(bytes);
            left = Some(bytes);
        }
        Ok(Self {
            left,
            max_size,
            ..Self::unread(user)
        })
    }

    /// What `user` may upload as far as their account says, reading nothing: with a
    /// quota, what is left is not known (the reservation finds out, see
    /// [`FormSigner::sign_counted`](super::FormSigner::sign_counted)).
    pub fn unread(user: &User) -> Self {
        Self {
            name: user.name.to_string(),
            prefix: user.prefix.clone(),
            max_size: user.max_size,
            content_type_prefix: user.content_type_prefix.clone(),
            quota: user.quota,
            left: None,
        }
    }

    /// Whether a refusal met with this uploader may be out of date: it has a quota and
    /// nothing was read ([`Uploader::unread`]), so expired forms were not settled and an
    /// old account not counted. Ask again with [`Uploader::for_user`].
    pub fn unsure(&self) -> bool {
        self.quota.is_some() && self.left.is_none()
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
    let settle = async |reservation: &Reservation, found: Option<StoredObject>| {
        let file = found.as_ref().map(|object| StoredFile {
            key: &object.key,
            size: object.size,
            content_type: &object.content_type,
        });
        ledger
            .settle(reservation, file)
            .await
            .map_err(SigningError::from)
    };
    storage
        .settle_expired(&expired, |reservation| &reservation.key, settle)
        .await
}
