//! The plain upload form, posted to the bucket as a browser would.

use postbox::signing::Clock;

use crate::helpers::{Options, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_file_posted_with_the_upload_form_is_stored_under_the_prefix_with_its_uploader() {
    let app = spawn_app().await;
    let form = app.upload_form().await;

    let answer = form.post("notes.txt", b"hello postbox".to_vec()).await;

    assert_eq!(answer.status, 201, "{}", answer.body);
    let key = answer.xml("Key").expect("the answer names the key");
    assert!(key.starts_with(&app.prefix), "{key}");
    assert!(
        key.ends_with("/notes.txt"),
        "S3 put the file name in the key: {key}"
    );
    let object = app.object(&key).await;
    assert_eq!(object.metadata().unwrap()["uploader"], "tess");
    let body = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(body.as_ref(), b"hello postbox");
}

#[tokio::test]
async fn the_form_posts_every_signed_field_and_keeps_the_file_last() {
    let app = spawn_app().await;
    let response = app.get("/upload").await;
    // A stored page would reuse its key: the page must not be cached.
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    let form = crate::helpers::parse_form(&html);
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "acl",
            "success_action_status",
            "Content-Type",
            "x-amz-meta-uploader",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "policy",
            "x-amz-signature"
        ]
    );
    let document = scraper::Html::parse_document(&html);
    let last = document
        .select(&scraper::Selector::parse("form#upload-form [name]").unwrap())
        .next_back()
        .unwrap();
    assert_eq!(last.value().attr("name"), Some("file"));
    assert!(html.contains(r#"<meta name="csrf-token""#));
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_as_too_large_and_nothing_is_stored() {
    let app = spawn_app_with(Options {
        max_size: "1KB",
        ..Options::default()
    })
    .await;
    let form = app.upload_form().await;

    let answer = form.post("big.bin", vec![7u8; 1001]).await;

    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.xml("Code").as_deref(), Some("EntityTooLarge"));
    assert!(app.all_keys().await.is_empty());
    // The limit itself is allowed (content-length-range is inclusive).
    let answer = app
        .upload_form()
        .await
        .post("exact.bin", vec![7u8; 1000])
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
}

#[tokio::test]
async fn a_key_outside_the_prefix_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut form = app.upload_form().await;
    form.set("key", "elsewhere/${filename}");

    let answer = form.post("escape.txt", b"x".to_vec()).await;

    // AWS and radosgw answer 403 AccessDenied "Policy Condition failed"; s3s answers
    // 400 InvalidPolicyDocument. Each backend must give its own answer.
    assert_eq!(
        answer.refusal(),
        app.backend.failed_condition(),
        "{}",
        answer.body
    );
    assert!(app.all_keys().await.is_empty());
}

#[tokio::test]
async fn a_prefix_look_alike_key_is_refused() {
    let app = spawn_app().await;
    let mut form = app.upload_form().await;
    // "uploads/" admits "uploads/…" only, not "uploadsX/…".
    form.set("key", "uploadsX/${filename}");
    let answer = form.post("a.txt", b"x".to_vec()).await;
    assert_eq!(
        answer.refusal(),
        app.backend.failed_condition(),
        "{}",
        answer.body
    );
    assert!(app.all_keys().await.is_empty());
}

#[tokio::test]
async fn an_expired_form_is_refused_and_nothing_is_stored() {
    // Signed ten seconds ago for one second: expired, yet x-amz-date is well within
    // the clock skew S3 tolerates, so expiry is what gets checked.
    let app = spawn_app_with(Options {
        policy_ttl: "1",
        clock: Clock::shifted(-time::Duration::seconds(10)),
        ..Options::default()
    })
    .await;
    let form = app.upload_form().await;

    let answer = form.post("late.txt", b"x".to_vec()).await;

    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.xml("Code").as_deref(), Some("AccessDenied"));
    assert!(
        answer
            .xml("Message")
            .unwrap()
            .to_lowercase()
            .contains("expired")
    );
    assert!(app.all_keys().await.is_empty());
}

#[tokio::test]
async fn a_tampered_signature_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut form = app.upload_form().await;
    let signature = form.field("x-amz-signature").to_owned();
    let flipped = if signature.starts_with('0') { "1" } else { "0" };
    form.set("x-amz-signature", &format!("{flipped}{}", &signature[1..]));

    let answer = form.post("forged.txt", b"x".to_vec()).await;

    assert_eq!(
        answer.refusal(),
        app.backend.bad_form_signature(),
        "{}",
        answer.body
    );
    assert!(app.all_keys().await.is_empty());
}

#[tokio::test]
async fn a_policy_edited_to_allow_more_is_refused_and_nothing_is_stored() {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let app = spawn_app_with(Options {
        max_size: "1KB",
        ..Options::default()
    })
    .await;
    let mut form = app.upload_form().await;
    let policy = String::from_utf8(engine.decode(form.field("policy")).unwrap()).unwrap();
    let widened = policy.replace(
        "[\"content-length-range\",1,1000]",
        "[\"content-length-range\",1,100000]",
    );
    assert_ne!(policy, widened);
    form.set("policy", &engine.encode(widened));

    let answer = form.post("big.bin", vec![1u8; 5000]).await;

    // The policy no longer matches its signature.
    assert_eq!(
        answer.refusal(),
        app.backend.bad_form_signature(),
        "{}",
        answer.body
    );
    assert!(app.all_keys().await.is_empty());
}

#[tokio::test]
async fn an_extra_form_field_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut form = app.upload_form().await;
    form.fields.push(("x-amz-meta-role".into(), "admin".into()));

    let answer = form.post("extra.txt", b"x".to_vec()).await;

    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.xml("Code").as_deref(), Some("AccessDenied"));
    assert!(app.all_keys().await.is_empty());
}

#[tokio::test]
async fn an_upload_never_replaces_an_earlier_file_of_the_same_name() {
    let app = spawn_app().await;
    let first = app
        .upload_form()
        .await
        .post("same.txt", b"first".to_vec())
        .await;
    let second = app
        .upload_form()
        .await
        .post("same.txt", b"second".to_vec())
        .await;
    assert_eq!((first.status, second.status), (201, 201));
    let (a, b) = (first.xml("Key").unwrap(), second.xml("Key").unwrap());
    assert_ne!(a, b);
    assert_eq!(app.all_keys().await.len(), 2);
}

/// `POSTBOX_UPLOAD_METHOD=put`: the page carries no signed form, tells people without
/// JavaScript that it is needed, and the one-file POST form is refused.
#[tokio::test]
async fn in_put_mode_the_page_signs_nothing_and_says_javascript_is_needed() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Options {
        upload_method: postbox::config::UploadMethod::Put,
        ..crate::helpers::Options::default()
    })
    .await;
    let page = app.get("/upload").await.text().await.unwrap();
    let form = crate::helpers::parse_form(&page);
    assert!(form.fields.is_empty(), "{:?}", form.fields);
    assert!(page.contains(r#"data-method="put""#), "{page}");
    assert!(
        page.contains("PUT requests, which need JavaScript"),
        "{page}"
    );
    let one = app.get("/upload/one?file=a.txt").await;
    assert_eq!(one.status(), 400);
    assert!(crate::helpers::alert(&one.text().await.unwrap()).contains("need JavaScript"));
}
