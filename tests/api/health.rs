use crate::helpers::spawn_app;

#[tokio::test]
async fn health_check_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn metrics_count_signed_policies_and_requests_by_route() {
    let app = spawn_app().await;
    // Signing in loaded /upload once already.
    app.upload_form().await;
    app.upload_form().await;
    app.get("/no-such-page").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("postbox_policies_signed_total 3"), "{text}");
    assert!(
        text.contains(
            r#"postbox_http_requests_total{method="GET",route="/upload",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"postbox_http_requests_total{method="GET",route="unmatched",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"postbox_http_request_duration_seconds_count{route="/upload"} 3"#));
    assert!(
        text.contains(r#"postbox_errors_total{kind="not_found"} 1"#),
        "{text}"
    );
}

#[tokio::test]
async fn an_unknown_address_gets_a_404_page() {
    let app = spawn_app().await;
    let response = app.get("/nowhere").await;
    assert_eq!(response.status(), 404);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("There is no page at this address.")
    );
}

#[tokio::test]
async fn the_home_page_leads_to_the_upload_page() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/upload");
}
