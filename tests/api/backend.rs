//! Which S3 the suite runs against, a fresh bucket on it per test, and the `postbox`
//! binary pointed at that bucket.
//!
//! By default every test gets the embedded local bucket (s3s). With
//! `POSTBOX_TEST_S3=ceph` the same tests run against a Ceph radosgw on 127.0.0.1
//! (`scripts/test-ceph.sh` starts one), reached the way an operator's app reaches it:
//! aws-config's standard chain (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`) read by `Storage::from_env`, path style.

use std::process::{Command, Output};

use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
use postbox::local_bucket::{self, LocalBucket};
use postbox::storage::{Storage, error_chain};
use secrecy::ExposeSecret;

/// The S3 implementation under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded local bucket, one per test (the default).
    Local,
    /// Ceph radosgw named by the `AWS_*` variables, one bucket per test.
    Ceph,
}

impl Backend {
    /// The backend `POSTBOX_TEST_S3` asks for; a typo fails the test instead of
    /// quietly testing the local bucket.
    pub fn current() -> Self {
        match std::env::var("POSTBOX_TEST_S3").as_deref() {
            Err(_) | Ok("" | "local") => Self::Local,
            Ok("ceph") => {
                ceph_endpoint();
                Self::Ceph
            }
            Ok(other) => panic!(
                "POSTBOX_TEST_S3={other:?} is not a backend: use `ceph`, or leave it unset \
                 for the embedded local bucket"
            ),
        }
    }

    /// Status and code for a POST form whose signature does not match its policy: AWS
    /// and s3s say 403 SignatureDoesNotMatch; radosgw says 403 AccessDenied (to
    /// presigned URLs it says SignatureDoesNotMatch, as everyone does).
    pub fn bad_form_signature(self) -> (u16, String) {
        match self {
            Self::Local => (403, "SignatureDoesNotMatch".into()),
            Self::Ceph => (403, "AccessDenied".into()),
        }
    }

    /// Status and code for a POST that breaks a policy condition: AWS and radosgw say
    /// 403 AccessDenied; s3s says 400 InvalidPolicyDocument.
    pub fn failed_condition(self) -> (u16, String) {
        match self {
            Self::Local => (400, "InvalidPolicyDocument".into()),
            Self::Ceph => (403, "AccessDenied".into()),
        }
    }
}

/// The gateway's address from `AWS_ENDPOINT_URL`, checked to be on 127.0.0.1, with
/// the other variables `Storage::from_env` needs present.
pub fn ceph_endpoint() -> String {
    for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] {
        assert!(
            std::env::var_os(name).is_some(),
            "POSTBOX_TEST_S3=ceph needs {name}: run scripts/test-ceph.sh, which starts \
             radosgw and exports its settings"
        );
    }
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_S3").is_none(),
        "AWS_ENDPOINT_URL_S3 would take S3 traffic elsewhere: unset it"
    );
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "POSTBOX_TEST_S3=ceph needs AWS_ENDPOINT_URL=http://127.0.0.1:PORT (tests talk \
         to 127.0.0.1 only), not {endpoint:?}"
    );
    endpoint
}

/// A fresh, empty bucket on the gateway, through the same `Storage::from_env` the app
/// uses with a configured bucket.
pub async fn new_ceph_bucket() -> Storage {
    ceph_endpoint();
    let name = format!("postbox-test-{}", crate::helpers::uuid_like());
    let storage = Storage::from_env(&name, true).await;
    storage
        .client()
        .create_bucket()
        .bucket(&name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("radosgw creates bucket {name}: {}", error_chain(&e)));
    storage
}

/// Lets pages from `origin` post and read, as an operator sets the bucket up for the
/// upload page's JavaScript.
pub async fn allow_cors(storage: &Storage, origin: &str) {
    let rule = CorsRule::builder()
        .allowed_origins(origin)
        .allowed_methods("POST")
        .allowed_methods("PUT")
        .allowed_methods("GET")
        .allowed_headers("*")
        .expose_headers("ETag")
        .expose_headers("Location")
        .max_age_seconds(600)
        .build()
        .unwrap();
    storage
        .client()
        .put_bucket_cors()
        .bucket(storage.bucket())
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(rule)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("radosgw takes the CORS rule: {}", error_chain(&e)));
}

/// A bucket of its own for a test that does not need the app (the CLI tests).
pub struct TestBucket {
    pub storage: Storage,
    /// What `postbox` needs in its environment to reach the bucket.
    env: Vec<(&'static str, String)>,
    _local: Option<(LocalBucket, tempfile::TempDir)>,
}

impl TestBucket {
    /// A fresh bucket on the backend under test.
    pub async fn new() -> Self {
        match Backend::current() {
            Backend::Local => {
                let dir = tempfile::tempdir().unwrap();
                let bucket = LocalBucket::start(
                    dir.path(),
                    "127.0.0.1:0".parse().unwrap(),
                    "cli-test",
                    None,
                )
                .await
                .unwrap();
                let storage = Storage::with_static_credentials(
                    bucket.bucket(),
                    local_bucket::REGION,
                    bucket.endpoint(),
                    bucket.credentials(),
                );
                let credentials = bucket.credentials();
                let env = vec![
                    ("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()),
                    (
                        "AWS_SECRET_ACCESS_KEY",
                        credentials.secret_access_key.expose_secret().to_owned(),
                    ),
                    ("AWS_REGION", local_bucket::REGION.to_owned()),
                    ("AWS_ENDPOINT_URL", bucket.endpoint().to_owned()),
                ];
                Self {
                    storage,
                    env,
                    _local: Some((bucket, dir)),
                }
            }
            Backend::Ceph => {
                let storage = new_ceph_bucket().await;
                let mut env: Vec<_> = [
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_REGION",
                    "AWS_ENDPOINT_URL",
                ]
                .into_iter()
                .map(|name| (name, std::env::var(name).unwrap()))
                .collect();
                env.push(("POSTBOX_FORCE_PATH_STYLE", "true".to_owned()));
                Self {
                    storage,
                    env,
                    _local: None,
                }
            }
        }
    }

    /// The bucket's name.
    pub fn name(&self) -> &str {
        self.storage.bucket()
    }

    /// `s3://BUCKET/KEY`.
    pub fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.name())
    }

    /// `postbox` ready to run against this bucket, with `extra` in its environment
    /// after (and so over) the bucket's own.
    pub fn command(&self, dir: &std::path::Path, extra: &[(&str, &str)]) -> Command {
        let mut command = postbox(dir);
        command.envs(self.env.iter().map(|(name, value)| (name, value)));
        command.envs(extra.iter().copied());
        command
    }

    /// `postbox ARGS` against this bucket; its standard output, trimmed.
    pub async fn postbox(&self, args: &[&str]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let mut command = postbox(dir.path());
        command.envs(self.env.iter().map(|(name, value)| (name, value)));
        command.args(args);
        stdout(&run(command).await)
    }

    /// Stores `body` at `key` directly, as setup for a test.
    pub async fn put(&self, key: &str, body: &[u8]) {
        crate::helpers::put_object(&self.storage, key, body).await;
    }

    /// Every key stored under `prefix`.
    pub async fn keys_under(&self, prefix: &str) -> Vec<String> {
        crate::helpers::keys_under(&self.storage, prefix).await
    }

    /// The bytes stored at `key`.
    pub async fn body(&self, key: &str) -> Vec<u8> {
        let object = crate::helpers::object(&self.storage, key).await;
        object.body.collect().await.unwrap().into_bytes().to_vec()
    }
}

/// `postbox` with a clean environment: only what the test gives it, nothing from the
/// developer's shell or AWS files, and no instance metadata lookups.
pub fn postbox(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_postbox"));
    command
        .env_clear()
        .current_dir(dir)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RUST_LOG", "error");
    command
}

/// Runs a command off the async runtime's threads.
pub async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The standard output of a command that must succeed, trimmed.
pub fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "postbox failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .trim()
        .to_owned()
}
