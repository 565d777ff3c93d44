//! The parts of AWS Signature Version 4 a POST policy needs: the derived signing key,
//! cached per day and region, and HMAC-SHA256.

use std::sync::RwLock;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The SigV4 signing key: HMAC chain over date (`yyyymmdd`), region, service and
/// `aws4_request`, starting from `"AWS4" + secret`.
pub fn derive_signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// Remembers the last derived S3 signing key: deriving one costs four HMACs, and it only
/// changes when the day, the region or the secret does.
#[derive(Default)]
pub struct SigningKeyCache {
    slot: RwLock<Option<CachedKey>>,
}

struct CachedKey {
    secret: SecretString,
    date: [u8; 8],
    region: String,
    key: [u8; 32],
    /// HMAC keyed with `key`, its pads already hashed: cloning it saves two rounds.
    mac: Hmac<Sha256>,
}

impl SigningKeyCache {
    /// The S3 signing key for `secret` on `date` (`yyyymmdd`) in `region`.
    pub fn get(&self, secret: &SecretString, date: [u8; 8], region: &str) -> [u8; 32] {
        self.with_key(secret, date, region, |cached| cached.key)
    }

    /// HMAC-SHA256 of `data` under the S3 signing key for `secret`, `date`, `region`.
    pub fn sign(
        &self,
        secret: &SecretString,
        date: [u8; 8],
        region: &str,
        data: &[u8],
    ) -> [u8; 32] {
        self.with_key(secret, date, region, |cached| {
            let mut mac = cached.mac.clone();
            mac.update(data);
            mac.finalize().into_bytes().into()
        })
    }

    fn with_key<T>(
        &self,
        secret: &SecretString,
        date: [u8; 8],
        region: &str,
        use_key: impl FnOnce(&CachedKey) -> T,
    ) -> T {
        // A poisoned lock only means another thread panicked mid-write; the value is
        // rederived below, so recover the guard rather than fail.
        if let Some(hit) = self
            .slot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|c| {
                c.date == date
                    && c.region == region
                    && c.secret.expose_secret() == secret.expose_secret()
            })
        {
            return use_key(hit);
        }
        let date_text = std::str::from_utf8(&date).unwrap_or_default();
        let key = derive_signing_key(secret.expose_secret(), date_text, region, "s3");
        let cached = CachedKey {
            secret: secret.clone(),
            date,
            region: region.to_owned(),
            key,
            mac: Hmac::<Sha256>::new_from_slice(&key).expect("HMAC accepts any key length"),
        };
        let result = use_key(&cached);
        *self.slot.write().unwrap_or_else(|e| e.into_inner()) = Some(cached);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS General Reference, "Examples of how to derive a signing key for Signature
    /// Version 4" (../shared/vectors/aws-sigv4.json, signing_key_derivation_example).
    #[test]
    fn derives_the_signing_key_of_the_aws_documentation_example() {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), b"20120215");
        assert_eq!(
            hex::encode(k_date),
            "969fbb94feb542b71ede6f87fe4d5fa29c789342b0f407474670f0c2489e0a0d"
        );
        let k_region = hmac_sha256(&k_date, b"us-east-1");
        assert_eq!(
            hex::encode(k_region),
            "69daa0209cd9c5ff5c8ced464a696fd4252e981430b10e3d3fd8e2f197d7a70c"
        );
        let k_service = hmac_sha256(&k_region, b"iam");
        assert_eq!(
            hex::encode(k_service),
            "f72cfd46f26bc4643f06a11eabb6c0ba18780c19a8da0c31ace671265e3c87fa"
        );
        assert_eq!(
            hex::encode(derive_signing_key(secret, "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn the_cache_follows_the_day_the_region_and_the_secret() {
        let cache = SigningKeyCache::default();
        let one = SecretString::from("secret-one");
        let two = SecretString::from("secret-two");
        let day = *b"20151229";
        let next = *b"20151230";
        let expect = |s: &str, d: &str, r: &str| derive_signing_key(s, d, r, "s3");
        assert_eq!(
            cache.get(&one, day, "us-east-1"),
            expect("secret-one", "20151229", "us-east-1")
        );
        assert_eq!(
            cache.get(&one, day, "us-east-1"),
            expect("secret-one", "20151229", "us-east-1")
        );
        assert_eq!(
            cache.get(&one, next, "us-east-1"),
            expect("secret-one", "20151230", "us-east-1")
        );
        assert_eq!(
            cache.get(&one, next, "eu-west-1"),
            expect("secret-one", "20151230", "eu-west-1")
        );
        assert_eq!(
            cache.get(&two, next, "eu-west-1"),
            expect("secret-two", "20151230", "eu-west-1")
        );
    }
}
