//! The `postbox` binary: presign post/get/put against a bucket of the backend under
//! test (see `backend.rs`), and its errors.

use crate::backend::{TestBucket, postbox, run};
use crate::helpers::{BrowserForm, refusal};

#[tokio::test]
async fn presign_post_prints_a_form_the_bucket_accepts() {
    let b = TestBucket::new().await;
    let printed = b
        .postbox(&[
            "presign",
            "post",
            "--bucket",
            b.name(),
            "--prefix",
            "users/alice/",
            "--max-size",
            "1KiB",
            "--min-size",
            "2",
            "--expires-in",
            "120",
        ])
        .await;
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let form = BrowserForm::from_json(&json);
    assert_eq!(form.action, b.storage.form_url());
    assert!(
        form.action.starts_with("http://127.0.0.1:")
            && form.action.ends_with(&format!("/{}/", b.name())),
        "path style on the test endpoint: {}",
        form.action
    );
    assert!(form.field("key").starts_with("users/alice/"));

    let stored = form.post("cli.txt", b"from the cli".to_vec()).await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let too_big = form.post("big.txt", vec![0u8; 1025]).await;
    assert_eq!(too_big.xml("Code").as_deref(), Some("EntityTooLarge"));
    let too_small = form.post("tiny.txt", vec![0u8; 1]).await;
    assert_eq!(
        too_small.refusal(),
        (400, "EntityTooSmall".to_owned()),
        "{}",
        too_small.body
    );
}

#[tokio::test]
async fn presign_get_round_trips_and_names_the_download() {
    let b = TestBucket::new().await;
    b.put("docs/report.txt", b"report body").await;
    let url = b
        .postbox(&[
            "presign",
            "get",
            &b.url("docs/report.txt"),
            "--download-as",
            "Q3 report.txt",
        ])
        .await;
    assert!(url.contains("X-Amz-Signature="), "{url}");
    assert!(
        url.contains("response-content-disposition=attachment"),
        "{url}"
    );

    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"Q3 report.txt\"; filename*=UTF-8''Q3%20report.txt"
    );
    assert_eq!(response.text().await.unwrap(), "report body");

    // The disposition is signed: removing it breaks the signature.
    let unsigned = url
        .split('&')
        .filter(|p| !p.starts_with("response-content-disposition="))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(
        refusal(reqwest::get(&unsigned).await.unwrap()).await,
        (403, "SignatureDoesNotMatch".to_owned())
    );
}

#[tokio::test]
async fn an_expired_presigned_get_is_refused() {
    let b = TestBucket::new().await;
    b.put("soon-gone.txt", b"x").await;
    let url = b
        .postbox(&[
            "presign",
            "get",
            &b.url("soon-gone.txt"),
            "--expires-in",
            "1",
        ])
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(refusal(response).await, (403, "AccessDenied".to_owned()));
}

#[tokio::test]
async fn presign_put_signs_the_content_length_so_no_other_size_is_accepted() {
    let bucket = TestBucket::new().await;
    let b = &bucket;
    let presign = |key: &str| {
        let object = b.url(key);
        async move {
            b.postbox(&[
                "presign",
                "put",
                &object,
                "--content-length",
                "5",
                "--content-type",
                "text/plain",
            ])
            .await
        }
    };
    let url = presign("put/ok.txt").await;
    assert!(
        url.contains("content-length"),
        "content-length is a signed header: {url}"
    );
    let client = reqwest::Client::new();
    let ok = client
        .put(&url)
        .header("content-type", "text/plain")
        .body("12345")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "{}", ok.text().await.unwrap());
    assert_eq!(b.body("put/ok.txt").await, b"12345");

    let url = presign("put/wrong.txt").await;
    for body in ["123456", "1234"] {
        let wrong = client
            .put(&url)
            .header("content-type", "text/plain")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            refusal(wrong).await,
            (403, "SignatureDoesNotMatch".to_owned()),
            "a body of {} bytes",
            body.len()
        );
    }
    assert!(b.keys_under("put/wrong").await.is_empty());
}

#[tokio::test]
async fn malformed_sizes_and_durations_are_refused_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--max-size", "10XB"], "\"10XB\" is not a size"),
        (
            &["--max-size", "10MB", "--expires-in", "8d"],
            "longer than 7 days",
        ),
        (
            &["--max-size", "10MB", "--expires-in", "soon"],
            "\"soon\" is not a valid duration",
        ),
        (
            &["--max-size", "10MB", "--prefix", "../etc/"],
            "not a valid key prefix",
        ),
    ];
    for (extra, message) in cases {
        let mut command = postbox(dir.path());
        command.args(["presign", "post", "--bucket", "b"]);
        if !extra.contains(&"--prefix") {
            command.args(["--prefix", "users/a/"]);
        }
        command.args(extra);
        let output = run(command).await;
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{extra:?}: {stderr}");
    }
}

#[tokio::test]
async fn presign_without_credentials_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = postbox(dir.path());
    command.args([
        "presign",
        "post",
        "--bucket",
        "b",
        "--prefix",
        "users/a/",
        "--max-size",
        "1MB",
    ]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("No AWS credentials found"), "{stderr}");
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");
}

#[tokio::test]
async fn serve_without_credentials_keeps_serving_and_explains_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::helpers::free_port();
    let mut add = postbox(dir.path());
    add.args(["user", "add", "ann", "--password-stdin"])
        .stdin(std::process::Stdio::piped());
    let mut adding = add.spawn().unwrap();
    {
        use std::io::Write;
        adding
            .stdin
            .take()
            .unwrap()
            .write_all(b"ann's password")
            .unwrap();
    }
    assert!(adding.wait().unwrap().success());
    let mut command = postbox(dir.path());
    command
        .env(
            "POSTBOX_SESSION_SECRET",
            "a session secret that is long enough!",
        )
        .env("POSTBOX_BUCKET", "real-bucket")
        .env("AWS_REGION", "eu-west-1")
        .env("POSTBOX_LISTEN", format!("127.0.0.1:{port}"))
        .args(["serve"]);
    // Starts (its /healthz answers) without credentials, and is stopped when dropped.
    let server = crate::helpers::Server::start(command, port).await;
    let base = server.address.clone();
    let client = crate::helpers::new_client();
    let signed_in = crate::helpers::sign_in_at(&client, &base, "ann", "ann's password")
        .await
        .status();
    let page = client.get(format!("{base}/upload")).send().await;
    let token_page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let presign = client
        .post(format!("{base}/api/presign"))
        .header("x-csrf-token", crate::helpers::meta_csrf(&token_page))
        .json(&serde_json::json!({"filename": "a.txt", "size": 1}))
        .send()
        .await;
    let still_healthy = reqwest::get(format!("{base}/healthz"))
        .await
        .map(|r| r.status().as_u16());
    drop(server);

    assert_eq!(signed_in, 303);
    let page = page.unwrap();
    assert_eq!(page.status(), 503);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("No AWS credentials found")
    );
    let presign = presign.unwrap();
    assert_eq!(presign.status(), 503);
    let body: serde_json::Value = presign.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("AWS_ACCESS_KEY_ID")
    );
    assert_eq!(still_healthy.unwrap(), 200);
}

#[tokio::test]
async fn a_broken_setting_in_the_environment_stops_start_up_with_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = postbox(dir.path());
    command.env("POSTBOX_MAX_SIZE", "10XB");
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"10XB\" is not a size"), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
}
