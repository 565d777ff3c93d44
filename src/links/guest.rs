//! What a guest's request needs of its link: the open link a token names and its
//! owner, its password tried (rate limited like signing in), and its expired forms
//! settled with what the bucket holds.

use std::sync::Arc;

use secrecy::SecretString;

use super::{Link, LinkError, LinkForm, LinkState, LinkStore};
use crate::accounts::{Attempt, LoginLimiter, User};
use crate::storage::{Storage, StoredObject};

impl LinkStore {
    /// The open link `token` names and its enabled owner.
    pub async fn open(&self, token: &str, now: i64) -> Result<(Link, Arc<User>), LinkError> {
        let link = self.by_token(token).await?.ok_or(LinkError::UnknownToken)?;
        match link.state(now) {
            LinkState::Open => {}
            LinkState::Expired => return Err(LinkError::Expired),
            LinkState::Revoked => return Err(LinkError::Withdrawn),
        }
        // The account behind every guest request: from memory, as a signed-in one.
        match self.users.signed_in(&link.owner).await? {
            Some(owner) if !owner.disabled => Ok((link, owner)),
            _ => Err(LinkError::NoLongerWorks),
        }
    }

    /// Whether `given` is `link`'s password, tried from `client`: refused while too
    /// many tries failed lately, as signing in is.
    pub async fn try_password(
        &self,
        link: &Link,
        given: SecretString,
        client: &str,
        limiter: &LoginLimiter,
    ) -> Result<bool, LinkError> {
        let account = format!("link:{}", link.id);
        let check =
            async || Ok::<_, LinkError>(self.check_password(&link.id, given).await?.then_some(()));
        match limiter.attempt(&account, client, check).await? {
            Attempt::Passed(()) => Ok(true),
            Attempt::Failed => Ok(false),
            Attempt::Wait(seconds) => Err(LinkError::TooManyAttempts(seconds)),
        }
    }

    /// `link` after settling its expired forms with what the bucket holds, so what is
    /// left is exact (read again only when a form was settled).
    pub async fn settled(
        &self,
        link: Link,
        storage: &Storage,
        now: i64,
    ) -> Result<Link, LinkError> {
        let expired = self.expired_forms(&link.id, now).await?;
        if expired.is_empty() {
            return Ok(link);
        }
        let settle = async |form: &LinkForm, found: Option<StoredObject>| {
            self.settle(&link.id, form, found.map(|object| object.size))
                .await
        };
        storage
            .settle_expired(&expired, |form| &form.key, settle)
            .await?;
        Ok(self.get(&link.id).await?.unwrap_or(link))
    }
}
