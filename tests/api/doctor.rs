//! `postbox doctor`: every check ok on the embedded bucket; on a bucket of the backend
//! under test (radosgw with POSTBOX_TEST_S3=ceph), a missing CORS rule fails and
//! `--fix-cors` adds one keeping the others, the probe object is deleted, and a missing
//! bucket, bad credentials and a wrong region each fail with a fix.

use std::process::Output;

use serde_json::Value;

use crate::backend::{Backend, TestBucket, postbox, run};

const CHECKS: [&str; 6] = [
    "credentials",
    "bucket",
    "cors",
    "post",
    "public_access",
    "clock",
];

/// The `--json` report of a run: its checks by name, after checking their shape.
fn report(output: &Output) -> Vec<Value> {
    let text = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("doctor --json prints JSON ({e}): {text}"));
    let checks = report["checks"].as_array().expect("a checks array").clone();
    let names: Vec<_> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, CHECKS, "every check, in order");
    for check in &checks {
        let status = check["status"].as_str().unwrap();
        assert!(matches!(status, "ok" | "warn" | "fail"), "{check}");
        assert!(!check["detail"].as_str().unwrap().is_empty(), "{check}");
        assert_eq!(
            check["fix"].is_null(),
            status == "ok",
            "a fix unless ok: {check}"
        );
    }
    checks
}

fn check<'a>(checks: &'a [Value], name: &str) -> &'a Value {
    checks.iter().find(|c| c["name"] == name).unwrap()
}

fn status(checks: &[Value], name: &str) -> String {
    check(checks, name)["status"].as_str().unwrap().to_owned()
}

fn detail(checks: &[Value], name: &str) -> String {
    check(checks, name)["detail"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_check_passes_on_the_embedded_bucket_and_the_probe_leaves_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mut command = postbox(data.path());
    command
        .args(["doctor", "--json"])
        .env("POSTBOX_DATA_DIR", data.path());
    let output = run(command).await;
    let checks = report(&output);
    for name in CHECKS {
        assert_eq!(status(&checks, name), "ok", "{:?}", check(&checks, name));
    }
    assert_eq!(output.status.code(), Some(0));
    assert!(detail(&checks, "post").contains("posted (201) and deleted"));
    let mut left = Vec::new();
    let mut folders = vec![data.path().join("bucket")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.to_string_lossy().contains("postbox-doctor") {
                left.push(path);
            }
        }
    }
    assert!(left.is_empty(), "the probe is deleted: {left:?}");

    // As text: a line per check, and no fix lines when all is well.
    let mut command = postbox(data.path());
    command.arg("doctor").env("POSTBOX_DATA_DIR", data.path());
    let text = String::from_utf8(run(command).await.stdout).unwrap();
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(text.lines().all(|line| line.starts_with("ok ")), "{text}");
}

#[tokio::test]
async fn a_bucket_without_cors_fails_and_fix_cors_adds_a_rule_keeping_the_others() {
    let bucket = TestBucket::new().await;
    let dir = tempfile::tempdir().unwrap();
    let origin = "https://upload.example.com";
    let doctor = |args: &[&str]| {
        let mut command = bucket.command(
            dir.path(),
            &[
                ("POSTBOX_BUCKET", bucket.name()),
                ("POSTBOX_PUBLIC_URL", "https://upload.example.com/"),
                (
                    "POSTBOX_SESSION_SECRET",
                    "a session secret that is long enough",
                ),
            ],
        );
        command.arg("doctor").arg("--json").args(args);
        run(command)
    };
    if Backend::current() == Backend::Local {
        // The local bucket answers CORS itself and has no GetBucketCors: said as such.
        let output = doctor(&[]).await;
        let checks = report(&output);
        assert_eq!(status(&checks, "cors"), "fail");
        assert!(detail(&checks, "cors").contains("could not be read"));
        assert_eq!(status(&checks, "post"), "ok");
        assert_eq!(output.status.code(), Some(1));
        return;
    }
    let other = postbox::storage::CorsRule {
        allowed_origins: vec!["https://other.example.org".into()],
        allowed_methods: vec!["GET".into()],
        ..Default::default()
    };
    bucket
        .storage
        .set_cors_rules(std::slice::from_ref(&other))
        .await
        .unwrap();

    let output = doctor(&[]).await;
    let checks = report(&output);
    assert_eq!(
        status(&checks, "cors"),
        "fail",
        "{:?}",
        check(&checks, "cors")
    );
    assert!(detail(&checks, "cors").contains(origin));
    assert!(
        check(&checks, "cors")["fix"]
            .as_str()
            .unwrap()
            .contains("--fix-cors")
    );
    assert_eq!(output.status.code(), Some(1));
    for name in ["credentials", "bucket", "post", "clock"] {
        assert_eq!(status(&checks, name), "ok", "{:?}", check(&checks, name));
    }

    let fixed = doctor(&["--fix-cors"]).await;
    let checks = report(&fixed);
    assert_eq!(
        status(&checks, "cors"),
        "ok",
        "{:?}",
        check(&checks, "cors")
    );
    assert!(detail(&checks, "cors").contains("Added a CORS rule"));
    let rules = bucket.storage.cors_rules().await.unwrap().unwrap();
    assert!(rules.contains(&other), "the other rule is kept: {rules:?}");
    assert!(
        rules.iter().any(|r| r.allowed_origins == [origin]),
        "{rules:?}"
    );

    let again = doctor(&[]).await;
    let checks = report(&again);
    assert_eq!(status(&checks, "cors"), "ok");
    assert!(!checks.iter().any(|c| c["status"] == "fail"), "{checks:?}");
    assert_eq!(again.status.code(), Some(0));
    assert!(
        bucket.keys_under("postbox-doctor/").await.is_empty(),
        "probes deleted"
    );
}

/// What a case changes in the environment, and the detail and the fix it must give.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

#[tokio::test]
async fn a_missing_bucket_bad_credentials_and_a_wrong_region_fail_with_a_fix() {
    let bucket = TestBucket::new().await;
    let dir = tempfile::tempdir().unwrap();
    let doctor = |extra: &[(&str, &str)]| {
        let mut base = vec![
            ("POSTBOX_BUCKET", bucket.name()),
            (
                "POSTBOX_SESSION_SECRET",
                "a session secret that is long enough",
            ),
        ];
        base.extend_from_slice(extra);
        let mut command = bucket.command(dir.path(), &base);
        command.args(["doctor", "--json"]);
        run(command)
    };
    let cases: [Case; 3] = [
        (
            &[("POSTBOX_BUCKET", "no-such-bucket-here")],
            "There is no bucket named",
            "Create the bucket",
        ),
        (
            &[("AWS_SECRET_ACCESS_KEY", "not the secret at all")],
            "refused these credentials",
            "Check the access key",
        ),
        (&[("AWS_REGION", "eu-west-3")], "is in", "Set AWS_REGION="),
    ];
    for (extra, said, fix) in cases {
        let output = doctor(extra).await;
        let checks = report(&output);
        let bucket_check = check(&checks, "bucket");
        assert_eq!(bucket_check["status"], "fail", "{extra:?}: {bucket_check}");
        assert!(detail(&checks, "bucket").contains(said), "{bucket_check}");
        assert!(
            bucket_check["fix"].as_str().unwrap().contains(fix),
            "{bucket_check}"
        );
        assert_eq!(output.status.code(), Some(1), "{extra:?}");
    }
}

/// Serves temporary credentials that expire in `minutes`, as a container credentials
/// endpoint does (aws-config's own provider reads them, on the loopback).
fn credentials_endpoint(minutes: i64) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes);
    let expires = expires
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let body = format!(
                r#"{{"AccessKeyId":"ASIATEMPORARY","SecretAccessKey":"temporary secret","Token":"a session token","Expiration":"{expires}"}}"#
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{address}/credentials")
}

#[tokio::test]
async fn temporary_credentials_that_expire_before_a_form_would_are_a_warning() {
    let bucket = TestBucket::new().await;
    let dir = tempfile::tempdir().unwrap();
    let endpoint = credentials_endpoint(20);
    for (ttl, expected) in [("1h", "warn"), ("10m", "ok")] {
        let mut command = bucket.command(
            dir.path(),
            &[
                ("POSTBOX_BUCKET", bucket.name()),
                ("POSTBOX_POLICY_TTL", ttl),
                (
                    "POSTBOX_SESSION_SECRET",
                    "a session secret that is long enough",
                ),
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &endpoint),
            ],
        );
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .args(["doctor", "--json"]);
        let checks = report(&run(command).await);
        let credentials = check(&checks, "credentials");
        assert_eq!(credentials["status"], expected, "{ttl}: {credentials}");
        let said = detail(&checks, "credentials");
        assert!(said.contains("Temporary credentials from"), "{said}");
        if expected == "warn" {
            assert!(said.contains("before a form signed now would"), "{said}");
            let fix = credentials["fix"].as_str().unwrap();
            assert!(fix.contains("POSTBOX_POLICY_TTL"), "{fix}");
        }
    }
}
