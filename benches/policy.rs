//! Building and signing one upload policy. Target: ≤ 2 µs median on the reference
//! machine (boto3 ≈ 90 µs, the JS SDK ≈ 40 µs, the cryptographic floor ≈ 1.5 µs).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use postbox::domain::{KeyPrefix, PolicyTtl};
use postbox::policy::sigv4::derive_signing_key;
use postbox::policy::{Credentials, PolicySigner, UploadRules};
use postbox::signing::unique_key_suffix;
use time::OffsetDateTime;

fn signing(c: &mut Criterion) {
    let signer = PolicySigner::new("eu-west-1");
    let credentials = Credentials {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        session_token: None,
    };
    let prefix = KeyPrefix::parse("users/alice/").unwrap();
    let url = "https://photos.s3.eu-west-1.amazonaws.com/";
    let now = OffsetDateTime::now_utc();

    c.bench_function("sign one policy (unique key, day key cached)", |b| {
        b.iter(|| {
            let key_suffix = unique_key_suffix(now, "report.pdf");
            let rules = UploadRules {
                bucket: "photos",
                prefix: &prefix,
                key_suffix: &key_suffix,
                exact_key: false,
                min_size: 1,
                max_size: 10_000_000,
                content_type_prefix: "",
                content_type: "application/pdf",
                uploader: "alice",
            };
            signer
                .sign(
                    url.to_owned(),
                    black_box(&rules),
                    &credentials,
                    now,
                    PolicyTtl::DEFAULT,
                )
                .unwrap()
        })
    });

    let policy = "x".repeat(760);
    let key = [7u8; 32];
    c.bench_function("floor: HMAC-SHA256 of a 760-byte policy", |b| {
        b.iter(|| {
            postbox::policy::sigv4::hmac_sha256(black_box(&key), black_box(policy.as_bytes()))
        })
    });

    c.bench_function("derive the day's signing key", |b| {
        b.iter(|| {
            derive_signing_key(
                black_box("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                "20261123",
                "eu-west-1",
                "s3",
            )
        })
    });
}

criterion_group!(benches, signing);
criterion_main!(benches);
