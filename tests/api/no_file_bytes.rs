//! The app never receives file bytes: upload-sized requests are refused on every route.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_app_refuses_an_upload_sized_request_on_every_route() {
    let app = spawn_app().await;
    let five_megabytes = vec![b'a'; 5_000_000];
    for path in ["/upload", "/api/presign", "/", "/anything"] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(five_megabytes.clone()).file_name("big.bin"),
        );
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("never receives files")
        );
    }
}

#[tokio::test]
async fn a_streamed_body_without_a_length_is_cut_off_at_the_json_limit() {
    let app = spawn_app().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..100).map(|_| Ok(vec![b' '; 10_000])).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let response = app
        .client
        .post(format!("{}/api/presign", app.address))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn the_app_keeps_serving_after_refusing_a_large_body() {
    let app = spawn_app().await;
    let _ = app
        .client
        .post(format!("{}/api/presign", app.address))
        .body(vec![0u8; 2_000_000])
        .send()
        .await;
    assert_eq!(app.get("/healthz").await.status(), 200);
}
