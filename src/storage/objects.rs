//! Objects in the bucket: one object's metadata, listings, bytes used under a prefix,
//! deleting one.

use super::{Storage, StorageError, error_chain};
use crate::domain::to_u64;

/// An object in the bucket, as listed or looked up.
#[derive(Debug, Clone)]
pub struct StoredObject {
    /// Its full key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its content type (empty when listed: ListObjectsV2 does not say).
    pub content_type: String,
    /// When it was written, in Unix seconds.
    pub modified: Option<i64>,
}

impl Storage {
    /// The object at `key`, or `None` when there is none.
    pub async fn head(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        let found = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        match found {
            Ok(head) => Ok(Some(StoredObject {
                key: key.to_owned(),
                size: to_u64(head.content_length().unwrap_or(0)),
                content_type: head.content_type().unwrap_or_default().to_owned(),
                modified: head.last_modified().map(|t| t.secs()),
            })),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(error) => Err(StorageError::Unavailable(format!(
                "cannot look up {key}: {}",
                error_chain(&error)
            ))),
        }
    }

    /// Deletes the object at `key` (S3 answers the same whether it was there or not).
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                StorageError::Unavailable(format!("cannot delete {key}: {}", error_chain(&e)))
            })?;
        Ok(())
    }

    /// Every object under `prefix`, in key order.
    pub async fn objects(&self, prefix: &str) -> Result<Vec<StoredObject>, StorageError> {
        self.fold_objects(prefix, Vec::new(), |all, object| all.push(object))
            .await
    }

    /// Feeds every object under `prefix` (all pages of ListObjectsV2, 1,000 keys a
    /// call) to `add`, one page in memory at a time.
    pub async fn fold_objects<T>(
        &self,
        prefix: &str,
        mut acc: T,
        mut add: impl FnMut(&mut T, StoredObject),
    ) -> Result<T, StorageError> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                StorageError::Unavailable(format!("cannot list {prefix}: {}", error_chain(&e)))
            })?;
            for object in page.contents() {
                add(
                    &mut acc,
                    StoredObject {
                        key: object.key().unwrap_or_default().to_owned(),
                        size: to_u64(object.size().unwrap_or(0)),
                        content_type: String::new(),
                        modified: object.last_modified().map(|t| t.secs()),
                    },
                );
            }
        }
        Ok(acc)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::policy::Credentials;
    use crate::storage::Timeouts;

    /// A bucket that takes connections and never answers is refused like one that is
    /// down, once the operation timeout has passed, not after the caller gives up.
    #[tokio::test]
    async fn a_bucket_that_never_answers_is_unavailable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let held: Vec<_> = listener.incoming().collect();
            drop(held);
        });
        let storage = Storage::with_static_credentials(
            "silent",
            "us-east-1",
            &format!("http://{address}"),
            &Credentials {
                access_key_id: "test".into(),
                secret_access_key: "test secret".into(),
                session_token: None,
            },
        )
        .with_timeouts(Timeouts {
            connect: Duration::from_millis(200),
            operation: Duration::from_millis(300),
        });
        let answer = tokio::time::timeout(Duration::from_secs(30), storage.head("some/key"))
            .await
            .expect("the call ends by itself");
        let error = answer.expect_err("a silent bucket is an error");
        assert!(matches!(error, StorageError::Unavailable(_)), "{error:?}");
        assert!(
            error.to_string().contains("cannot look up some/key"),
            "{error}"
        );
    }
}
