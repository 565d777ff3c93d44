//! `POST /api/presign`: a fresh form per file.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn presign_returns_a_form_that_uploads_the_described_file() {
    let app = spawn_app().await;
    let (form, answer) = app
        .presigned_form(
            json!({"filename": "report.pdf", "size": 11, "content_type": "application/pdf"}),
        )
        .await;
    assert_eq!(answer["max_size"], 1_000_000);
    assert!(answer["expires_at"].as_str().unwrap().ends_with('Z'));
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"key"));
    assert_eq!(names.last(), Some(&"x-amz-signature"));

    let result = form.post("report.pdf", b"%PDF-1.7 hi".to_vec()).await;

    assert_eq!(result.status, 201, "{}", result.body);
    let key = result.xml("Key").unwrap();
    assert_eq!(key, answer["key"].as_str().unwrap());
    assert!(
        key.starts_with("uploads/") && key.ends_with("/report.pdf"),
        "{key}"
    );
    let object = app.object(&key).await;
    assert_eq!(object.content_type(), Some("application/pdf"));
    assert_eq!(object.metadata().unwrap()["uploader"], "tess");
}

#[tokio::test]
async fn presign_refuses_a_size_over_the_limit_with_413_and_a_plain_sentence() {
    let app = spawn_app().await;
    let response = app
        .presign(json!({"filename": "report.pdf", "size": 14_200_000, "content_type": "application/pdf"}))
        .await;
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "report.pdf is 14.2 MB; the limit is 1 MB.");
}

#[tokio::test]
async fn presign_refuses_bad_file_names_with_400_naming_the_problem() {
    let app = spawn_app().await;
    let long = "x".repeat(1020);
    let cases = [
        ("../../etc/passwd", "path separator"),
        ("..", "'..'"),
        ("a\u{1}b.txt", "control character"),
        ("", "empty"),
        (long.as_str(), "1024"),
    ];
    for (filename, reason) in cases {
        let response = app
            .presign(json!({"filename": filename, "size": 5, "content_type": "text/plain"}))
            .await;
        assert_eq!(response.status(), 400, "{filename:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(reason), "{filename:?}: {error}");
    }
}

#[tokio::test]
async fn presign_refuses_an_empty_file_and_a_malformed_content_type() {
    let app = spawn_app().await;
    let response = app.presign(json!({"filename": "a.txt", "size": 0})).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "a.txt is empty; choose a file with content.");

    let response = app
        .presign(json!({"filename": "a.txt", "size": 3, "content_type": "text/plain\r\nX: y"}))
        .await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn presign_answers_malformed_json_with_a_json_error() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/presign", app.address))
        .header("content-type", "application/json")
        .body("{\"filename\": 12}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );
}

#[tokio::test]
async fn presigned_forms_for_the_same_name_never_share_a_key() {
    let app = spawn_app().await;
    let request = json!({"filename": "same.txt", "size": 3, "content_type": "text/plain"});
    let (_, one) = app.presigned_form(request.clone()).await;
    let (_, two) = app.presigned_form(request).await;
    assert_ne!(one["key"], two["key"]);
}
