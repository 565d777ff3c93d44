//! What the bucket itself must enforce, checked on whichever S3 the suite runs against
//! (the local bucket, or radosgw with `POSTBOX_TEST_S3=ceph`): presigned URLs refuse
//! tampering and expiry, CORS lets the app's origin post and read the answer, and a
//! form without `success_action_status` is answered 204.

use base64::Engine;
use postbox::policy::sign_policy;
use postbox::policy::sigv4::derive_signing_key;
use secrecy::ExposeSecret;

use crate::backend::{Backend, TestBucket, ceph_endpoint};
use crate::helpers::{TestApp, refusal, spawn_app, xml_text};

/// `url` with the first hex digit of its `X-Amz-Signature` changed.
fn tampered(url: &str) -> String {
    let at = url.find("X-Amz-Signature=").expect("a presigned URL") + "X-Amz-Signature=".len();
    let flipped = if url[at..].starts_with('0') { "1" } else { "0" };
    format!("{}{flipped}{}", &url[..at], &url[at + 1..])
}

/// What the bucket puts in `Access-Control-Allow-Origin` for a request from the app.
fn allowed_origin(app: &TestApp) -> &str {
    match app.backend {
        // The rule spawn_app sets names the app's origin; S3 echoes it back.
        Backend::Ceph => &app.address,
        // The local bucket admits every origin: each write carries its own signature.
        Backend::Local => "*",
    }
}

#[tokio::test]
async fn forms_post_to_the_bucket_the_suite_was_asked_to_test() {
    let app = spawn_app().await;
    let form = app.upload_form().await;
    match app.backend {
        // A fresh bucket on the gateway, path style.
        Backend::Ceph => {
            assert!(app.storage.bucket().starts_with("postbox-test-"));
            assert_eq!(
                form.action,
                format!("{}/{}/", ceph_endpoint(), app.storage.bucket())
            );
        }
        // The embedded bucket, on a port of its own.
        Backend::Local => {
            assert_eq!(app.storage.bucket(), "postbox-test");
            assert!(
                form.action.starts_with("http://127.0.0.1:")
                    && form.action.ends_with("/postbox-test/"),
                "{}",
                form.action
            );
        }
    }
}

#[tokio::test]
async fn a_presigned_get_with_a_tampered_signature_returns_nothing() {
    let b = TestBucket::new().await;
    b.put("private/report.txt", b"the private report").await;
    let url = b
        .postbox(&["presign", "get", &b.url("private/report.txt")])
        .await;

    let forged = reqwest::get(tampered(&url)).await.unwrap();

    let status = forged.status().as_u16();
    let body = forged.text().await.unwrap();
    assert!(!body.contains("the private report"), "{body}");
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        xml_text(&body, "Code").as_deref(),
        Some("SignatureDoesNotMatch"),
        "{body}"
    );
    // The URL as signed still works: the signature alone made the difference.
    let genuine = reqwest::get(&url).await.unwrap();
    assert_eq!(genuine.status(), 200);
    assert_eq!(genuine.text().await.unwrap(), "the private report");
}

#[tokio::test]
async fn a_presigned_put_with_a_tampered_signature_stores_nothing() {
    let b = TestBucket::new().await;
    let url = b
        .postbox(&["presign", "put", &b.url("incoming/forged.txt")])
        .await;
    let client = reqwest::Client::new();

    let forged = client
        .put(tampered(&url))
        .body("forged")
        .send()
        .await
        .unwrap();

    assert_eq!(
        refusal(forged).await,
        (403, "SignatureDoesNotMatch".to_owned())
    );
    assert!(b.keys_under("incoming/").await.is_empty());
    let genuine = client.put(&url).body("genuine").send().await.unwrap();
    assert_eq!(genuine.status(), 200);
    assert_eq!(b.body("incoming/forged.txt").await, b"genuine");
}

#[tokio::test]
async fn an_expired_presigned_put_is_refused_and_stores_nothing() {
    let b = TestBucket::new().await;
    let url = b
        .postbox(&[
            "presign",
            "put",
            &b.url("incoming/late.txt"),
            "--expires-in",
            "1",
        ])
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;

    let late = reqwest::Client::new()
        .put(&url)
        .body("too late")
        .send()
        .await
        .unwrap();

    assert_eq!(refusal(late).await, (403, "AccessDenied".to_owned()));
    assert!(b.keys_under("incoming/").await.is_empty());
}

#[tokio::test]
async fn the_bucket_answers_a_preflight_from_the_apps_origin() {
    let app = spawn_app().await;
    let form = app.upload_form().await;
    let preflight = |origin: &str| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, &form.action)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };

    let response = preflight(&app.address).await.unwrap();

    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], allowed_origin(&app));
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let exposed = headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("location"),
        "{exposed}"
    );

    let stranger = preflight("http://127.0.0.1:1").await.unwrap();
    match app.backend {
        // The rule names the app's origin only.
        Backend::Ceph => {
            assert_eq!(stranger.status(), 403);
            assert!(
                !stranger
                    .headers()
                    .contains_key("access-control-allow-origin")
            );
        }
        Backend::Local => assert_eq!(stranger.headers()["access-control-allow-origin"], "*"),
    }
}

#[tokio::test]
async fn a_post_from_the_apps_origin_carries_cors_headers_when_accepted_or_refused() {
    let app = spawn_app().await;
    let origin = Some(app.address.as_str());

    let stored = app
        .upload_form()
        .await
        .post_from(origin, "a.txt", b"hello".to_vec())
        .await;
    let too_large = app
        .upload_form()
        .await
        .post_from(origin, "big.bin", vec![0u8; 1_000_001])
        .await;
    let mut outside = app.upload_form().await;
    outside.set("key", "elsewhere/${filename}");
    let outside = outside.post_from(origin, "a.txt", b"x".to_vec()).await;

    assert_eq!(stored.status, 201, "{}", stored.body);
    assert_eq!(
        too_large.refusal(),
        (400, "EntityTooLarge".to_owned()),
        "{}",
        too_large.body
    );
    assert_eq!(
        outside.refusal(),
        app.backend.failed_condition(),
        "{}",
        outside.body
    );
    // The page reads the answer's XML (the key, or the error to explain): without
    // these headers the browser hides it from the script.
    for answer in [&stored, &too_large, &outside] {
        assert_eq!(
            answer.headers["access-control-allow-origin"],
            allowed_origin(&app),
            "{answer:?}"
        );
        let exposed = answer.headers["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_lowercase();
        assert!(exposed.contains("etag"), "{exposed}");
    }
}

#[tokio::test]
async fn a_form_signed_without_success_action_status_is_answered_204_and_stored() {
    let engine = base64::engine::general_purpose::STANDARD;
    let app = spawn_app().await;
    let mut form = app.upload_form().await;
    let mut policy: serde_json::Value =
        serde_json::from_slice(&engine.decode(form.field("policy")).unwrap()).unwrap();
    let conditions = policy["conditions"].as_array_mut().unwrap();
    let before = conditions.len();
    conditions.retain(|c| c.get("success_action_status").is_none());
    assert_eq!(conditions.len(), before - 1);
    let policy = engine.encode(serde_json::to_vec(&policy).unwrap());
    let credentials = app.storage.credentials().await.unwrap();
    let signing_key = derive_signing_key(
        credentials.secret_access_key.expose_secret(),
        &form.field("x-amz-date")[..8],
        app.storage.region(),
        "s3",
    );
    form.fields
        .retain(|(name, _)| name != "success_action_status");
    form.set("x-amz-signature", &sign_policy(&signing_key, &policy));
    form.set("policy", &policy);

    let answer = form.post("quiet.txt", b"no status asked".to_vec()).await;

    assert_eq!(answer.status, 204, "{}", answer.body);
    assert_eq!(answer.body, "");
    let key = form.field("key").replace("${filename}", "quiet.txt");
    let object = app.object(&key).await;
    let body = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(body.as_ref(), b"no status asked");
}
