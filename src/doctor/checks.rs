//! The checks that read: credentials, the bucket and its region, the public access
//! block, the clock.

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;

use super::{Check, Doctor};
use crate::storage::{BucketAnswer, PublicAccess};

/// Beyond this, the clock check warns; beyond [`CLOCK_FAIL`], it fails.
const CLOCK_WARN: Duration = Duration::from_secs(60);
const CLOCK_FAIL: Duration = Duration::from_secs(300);

impl Doctor {
    pub(super) async fn credentials(&self) -> Check {
        const NAME: &str = "credentials";
        if self.embedded {
            return Check::ok(NAME, "The embedded bucket's own keys sign the forms.");
        }
        let source = match self.storage.credential_source().await {
            Ok(source) => source,
            Err(error) => {
                return Check::fail(
                    NAME,
                    format!("No credentials were found. {error}"),
                    "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or give \
                     the machine a role (see docs/deploy.md for the policy).",
                );
            }
        };
        let Some(expires) = source.expires else {
            return Check::ok(
                NAME,
                format!("Long-lived keys from {} sign the forms.", source.provider),
            );
        };
        let at = OffsetDateTime::from(expires);
        let when = crate::policy::timefmt::expiration(at);
        let outlived = SystemTime::now() + self.ttl.duration();
        if expires < outlived {
            return Check::warn(
                NAME,
                format!(
                    "Temporary credentials from {} expire at {when}, before a form signed \
                     now would ({}): such forms are refused by the bucket.",
                    source.provider, self.ttl
                ),
                "Use credentials that are refreshed earlier (a role on the machine renews \
                 itself), or shorten POSTBOX_POLICY_TTL.",
            );
        }
        Check::ok(
            NAME,
            format!(
                "Temporary credentials from {} sign the forms (they expire at {when}, after \
                 any form signed now).",
                source.provider
            ),
        )
    }

    pub(super) async fn bucket(&self) -> Check {
        const NAME: &str = "bucket";
        let bucket = self.storage.bucket();
        let configured = self.storage.region();
        let region_fix = |region: &str| {
            format!("Set AWS_REGION={region}: forms must be signed for the bucket's own region.")
        };
        match self.storage.head_bucket().await {
            Ok(BucketAnswer::Found {
                region: Some(region),
            }) if region != configured => Check::fail(
                NAME,
                format!("The bucket {bucket} is in {region}, but postbox signs for {configured}."),
                region_fix(&region),
            ),
            Ok(BucketAnswer::Found { region }) => Check::ok(
                NAME,
                format!(
                    "HeadBucket on {bucket} answers; region {}.",
                    region.as_deref().map_or_else(
                        || format!("{configured} (the service does not say otherwise)"),
                        str::to_owned
                    )
                ),
            ),
            Ok(BucketAnswer::ElsewhereIn(region)) => Check::fail(
                NAME,
                format!(
                    "The bucket {bucket} is in {region}, but postbox signs for {configured}: \
                     S3 answers with redirects, which browsers refuse."
                ),
                region_fix(&region),
            ),
            Ok(BucketAnswer::Missing) => Check::fail(
                NAME,
                format!("There is no bucket named {bucket}."),
                "Create the bucket, or set POSTBOX_BUCKET to the name of an existing one \
                 (and AWS_ENDPOINT_URL for a service other than AWS).",
            ),
            Ok(BucketAnswer::Refused(reason)) => Check::fail(
                NAME,
                format!("The bucket {bucket} refused these credentials ({reason})."),
                format!(
                    "Check the access key and its secret, and allow s3:ListBucket on \
                     arn:aws:s3:::{bucket} (docs/deploy.md has the whole policy)."
                ),
            ),
            Err(error) => Check::fail(
                NAME,
                format!("The bucket does not answer. {error}"),
                "Check AWS_ENDPOINT_URL, the network and the service's status; postbox waits \
                 POSTBOX_S3_CONNECT_TIMEOUT to connect and POSTBOX_S3_TIMEOUT for a call.",
            ),
        }
    }

    pub(super) async fn public_access(&self) -> Check {
        const NAME: &str = "public_access";
        if self.embedded {
            return Check::ok(
                NAME,
                "The embedded bucket answers nothing without a signature.",
            );
        }
        let block_fix = "Turn on all four Block Public Access settings for the bucket \
                         (PutPublicAccessBlock, or the console's Permissions tab).";
        match self.storage.public_access().await {
            Ok(PublicAccess::Blocked) => {
                Check::ok(NAME, "The bucket blocks every kind of public access.")
            }
            Ok(PublicAccess::PartlyOpen(open)) => Check::warn(
                NAME,
                format!(
                    "The bucket's public access block leaves {} off: a mistaken policy or \
                     ACL could publish files.",
                    open.join(", ")
                ),
                block_fix,
            ),
            Ok(PublicAccess::NotConfigured) => Check::warn(
                NAME,
                "The bucket has no public access block: a mistaken policy or ACL could \
                 publish files.",
                block_fix,
            ),
            Ok(PublicAccess::Unsupported(code)) => Check::warn(
                NAME,
                format!("This service does not support public access blocks ({code})."),
                "Make sure the bucket policy and ACLs grant nothing to anonymous users.",
            ),
            Err(error) => Check::warn(
                NAME,
                format!("The public access block could not be read. {error}"),
                "Allow s3:GetBucketPublicAccessBlock to see it, or check it in the console.",
            ),
        }
    }

    pub(super) async fn clock(&self) -> Check {
        const NAME: &str = "clock";
        if self.embedded {
            return Check::ok(NAME, "The embedded bucket runs on this machine's clock.");
        }
        match self.storage.clock().await {
            Ok(theirs) => clock_check((theirs - OffsetDateTime::now_utc()).unsigned_abs()),
            Err(error) => Check::warn(
                NAME,
                format!("The bucket's clock could not be read. {error}"),
                "Check that the bucket answers (see the bucket check).",
            ),
        }
    }
}

/// The clock check for a difference of `skew` between the bucket's clock and ours.
fn clock_check(skew: Duration) -> Check {
    const NAME: &str = "clock";
    let said = format!(
        "This machine's clock and the bucket's differ by {} s",
        skew.as_secs()
    );
    let fix = "Synchronise this machine's clock (NTP, chrony or systemd-timesyncd): forms \
               expire early or late by the difference, and S3 refuses signatures more than \
               15 minutes off.";
    if skew > CLOCK_FAIL {
        Check::fail(NAME, format!("{said}, more than 5 minutes."), fix)
    } else if skew > CLOCK_WARN {
        Check::warn(NAME, format!("{said}, more than a minute."), fix)
    } else {
        Check::ok(NAME, format!("{said}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    #[test]
    fn clock_skew_warns_beyond_a_minute_and_fails_beyond_five() {
        let status = |secs| clock_check(Duration::from_secs(secs)).status;
        assert_eq!(status(0), Status::Ok);
        assert_eq!(status(60), Status::Ok);
        assert_eq!(status(61), Status::Warn);
        assert_eq!(status(300), Status::Warn);
        assert_eq!(status(301), Status::Fail);
        let failed = clock_check(Duration::from_secs(900));
        assert!(
            failed.detail.contains("differ by 900 s"),
            "{}",
            failed.detail
        );
        assert!(failed.fix.unwrap().contains("NTP"));
    }
}
