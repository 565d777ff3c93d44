//! Forms that expired, settled with what the bucket holds: whoever held room for a form
//! (an account's quota, a guest link) asks HeadObject at its key whether the file
//! arrived, and at what size, once the form can no longer be posted.

use super::{Storage, StorageError, StoredObject};

impl Storage {
    /// Hands each of `forms` (whose keys `key` reads) to `settle` with what the bucket
    /// holds at its key: the object, or `None` when nothing was posted. Stops at the
    /// first failure.
    pub async fn settle_expired<F, E>(
        &self,
        forms: &[F],
        key: impl Fn(&F) -> &str,
        mut settle: impl AsyncFnMut(&F, Option<StoredObject>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StorageError>,
    {
        for form in forms {
            let found = self.head(key(form)).await?;
            settle(form, found).await?;
        }
        Ok(())
    }
}
