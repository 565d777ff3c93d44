//! Guests' forms: one file under a link's folder, within the link's limits and its
//! owner's, held in the link's ledger before the form is handed out.

use crate::accounts::User;
use crate::domain::ByteSize;
use crate::links::{Link, LinkForm, LinkStore};
use crate::policy::PostForm;

use super::{FileAsked, FormFile, FormSigner, SigningError, unique_key_suffix};

impl FormSigner {
    /// A form for the file `asked` describes, sent through `link` (open, of `owner`),
    /// and the largest file the guest may send. The link's expired forms are settled
    /// first; the file is checked against the link's limits and the owner's, held in
    /// the link's ledger, then signed (the hold given back if signing fails).
    pub async fn sign_for_link(
        &self,
        links: &LinkStore,
        link: Link,
        owner: &User,
        asked: &FileAsked<'_>,
    ) -> Result<(PostForm, u64), SigningError> {
        let now = self.clock.now();
        let link = links
            .settled(link, &self.storage, now.unix_timestamp())
            .await?;
        let mut uploader = self.uploader(owner).await?;
        uploader.prefix = link.folder(&owner.prefix);
        uploader.max_size = uploader.max_size.min(ByteSize::from_bytes(link.max_size));
        let (name, content_type) = uploader.check(asked)?;
        let key_suffix = unique_key_suffix(now, name.as_str());
        let held = LinkForm {
            key: format!("{}{key_suffix}", uploader.prefix),
            size: asked.size,
        };
        // A second later than the form itself, so the hold never ends before the form.
        let expires_at = self.expiry_from_now() + 1;
        links
            .reserve(
                &link.id,
                &held,
                name.as_str(),
                now.unix_timestamp(),
                expires_at,
            )
            .await?;
        let file = FormFile::Guest {
            key_suffix: &key_suffix,
            content_type,
            size: asked.size,
        };
        match self.sign(&uploader, file).await {
            Ok(form) => Ok((form, uploader.max_size.bytes())),
            Err(error) => {
                links.release(&link.id, &held.key).await?;
                Err(error)
            }
        }
    }
}
