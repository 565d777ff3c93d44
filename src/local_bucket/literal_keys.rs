//! Keys are literal: the local bucket stores objects as files (s3s-fs), which would
//! resolve `users/alice/../bob/x` into bob's folder, or next to the bucket's own
//! metadata. [`LiteralKeys`] stands in front of it and refuses, with S3's XML error
//! `InvalidArgument` (400), every key and listing prefix that does not read the same as
//! a string and as a path ([`ObjectKey`]) before the filesystem sees it: object paths,
//! POST form keys (s3s turns a POST into `put_object`), copy sources, multi-object
//! deletes, multipart uploads and listing prefixes. Operations it does not list are
//! not implemented (501), so none reaches s3s-fs unchecked.
//!
//! It also serves its one bucket only: s3s-fs makes a folder for any bucket a write
//! names, so a form posted to a missing bucket would create it (and a HeadBucket after
//! it would answer). Any other bucket name answers `NoSuchBucket` (404), as S3 does.

use s3s::dto::{self, CopySource};
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};

use crate::domain::{ObjectKey, check_list_prefix};

/// An S3 implementation serving one bucket, whose keys are checked before `inner`
/// sees them.
pub struct LiteralKeys<S> {
    inner: S,
    bucket: String,
}

impl<S> LiteralKeys<S> {
    /// `inner`, serving `bucket` alone.
    pub fn new(inner: S, bucket: &str) -> Self {
        Self {
            inner,
            bucket: bucket.to_owned(),
        }
    }

    fn bucket(&self, bucket: &str) -> S3Result<()> {
        if bucket == self.bucket {
            Ok(())
        } else {
            Err(s3_error!(
                NoSuchBucket,
                "The local bucket serves the bucket {:?} only.",
                self.bucket
            ))
        }
    }
}

fn key(key: &str) -> S3Result<()> {
    ObjectKey::parse(key)
        .map(drop)
        .map_err(|e| s3_error!(InvalidArgument, "Object key refused: {}.", e.reason()))
}

fn prefix(prefix: Option<&str>) -> S3Result<()> {
    check_list_prefix(prefix.unwrap_or_default())
        .map_err(|e| s3_error!(InvalidArgument, "Listing prefix refused: {}.", e.reason()))
}

/// Bucket operations name no key.
fn no_key() -> S3Result<()> {
    Ok(())
}

impl<S> LiteralKeys<S> {
    fn copy_source(&self, source: &CopySource) -> S3Result<()> {
        match source {
            CopySource::Bucket {
                bucket,
                key: source,
                ..
            } => self.bucket(bucket).and_then(|()| key(source)),
            _ => Err(s3_error!(
                NotImplemented,
                "The local bucket copies only from bucket/key sources."
            )),
        }
    }
}

/// Each listed operation checks the bucket it names and runs its check on the input,
/// then passes the request on.
macro_rules! checked {
    ($($operation:ident($input:ident) => $output:ident: |$this:tt, $req:ident| $check:expr;)*) => {
        #[async_trait::async_trait]
        impl<S: S3> S3 for LiteralKeys<S> {
            $(
                async fn $operation(
                    &self,
                    $req: S3Request<dto::$input>,
                ) -> S3Result<S3Response<dto::$output>> {
                    self.bucket(&$req.input.bucket)?;
                    let $this = self;
                    $check?;
                    self.inner.$operation($req).await
                }
            )*
        }
    };
}

checked! {
    head_bucket(HeadBucketInput) => HeadBucketOutput: |_, _req| no_key();
    get_bucket_location(GetBucketLocationInput) => GetBucketLocationOutput: |_, _req| no_key();
    get_object(GetObjectInput) => GetObjectOutput: |_, req| key(&req.input.key);
    head_object(HeadObjectInput) => HeadObjectOutput: |_, req| key(&req.input.key);
    put_object(PutObjectInput) => PutObjectOutput: |_, req| key(&req.input.key);
    delete_object(DeleteObjectInput) => DeleteObjectOutput: |_, req| key(&req.input.key);
    delete_objects(DeleteObjectsInput) => DeleteObjectsOutput: |_, req| req
        .input
        .delete
        .objects
        .iter()
        .try_for_each(|object| key(&object.key));
    copy_object(CopyObjectInput) => CopyObjectOutput: |this, req| key(&req.input.key)
        .and_then(|()| this.copy_source(&req.input.copy_source));
    list_objects(ListObjectsInput) => ListObjectsOutput: |_, req| prefix(req.input.prefix.as_deref());
    list_objects_v2(ListObjectsV2Input) => ListObjectsV2Output: |_, req| prefix(req.input.prefix.as_deref());
    create_multipart_upload(CreateMultipartUploadInput) => CreateMultipartUploadOutput: |_, req| key(&req.input.key);
    upload_part(UploadPartInput) => UploadPartOutput: |_, req| key(&req.input.key);
    upload_part_copy(UploadPartCopyInput) => UploadPartCopyOutput: |this, req| key(&req.input.key)
        .and_then(|()| this.copy_source(&req.input.copy_source));
    list_parts(ListPartsInput) => ListPartsOutput: |_, req| key(&req.input.key);
    complete_multipart_upload(CompleteMultipartUploadInput) => CompleteMultipartUploadOutput: |_, req| key(&req.input.key);
    abort_multipart_upload(AbortMultipartUploadInput) => AbortMultipartUploadOutput: |_, req| key(&req.input.key);
}
