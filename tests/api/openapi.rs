//! The OpenAPI document: served without credentials, it names every `/api` route of
//! the route table (read from `src/web/routes/table.rs`, so a new route without documentation
//! fails here), every documented route is really served, and bad bodies and queries on
//! every endpoint answer a 4xx JSON sentence, never a 5xx.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// `(METHOD, /api/path)` of every route in the `/api` scope of the route table.
fn routes_in_the_table() -> Vec<(String, String)> {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/web/routes/table.rs"
    ))
    .unwrap();
    let start = source.find("web::scope(\"/api\")").expect("the /api scope");
    let scope = &source[start..];
    let scope = &scope[..scope.find(".default_service").expect("its end")];
    let mut routes = Vec::new();
    for (at, _) in scope.match_indices(".route(") {
        let rest = &scope[at..];
        let path = rest.split('"').nth(1).unwrap();
        let method = rest
            .split("web::")
            .nth(1)
            .unwrap()
            .split('(')
            .next()
            .unwrap();
        routes.push((method.to_uppercase(), format!("/api{path}")));
    }
    routes
}

async fn document(app: &TestApp) -> Value {
    let answer = reqwest::get(format!("{}/api/openapi.json", app.address))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "served without credentials");
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    answer.json().await.unwrap()
}

#[tokio::test]
async fn the_document_names_every_api_route_and_each_documented_route_is_served() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());

    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ops| ops.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation IDs are unique: {ids:?}");

    let table = routes_in_the_table();
    assert!(table.len() >= 7, "{table:?}");
    for (method, path) in &table {
        let operation = &doc["paths"][path][method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {path} is missing from the OpenAPI document"
        );
        assert!(operation["responses"].is_object(), "{method} {path}");
    }
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    for (method, path) in &documented {
        assert!(
            table.contains(&(method.clone(), path.clone())),
            "{method} {path} is documented but not routed"
        );
        let answer = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let body = answer.text().await.unwrap();
        assert!(
            !body.contains("There is no page at this address"),
            "{method} {path}: {body}"
        );
        let expected = if path == "/api/openapi.json" {
            200
        } else {
            401
        };
        assert_eq!(
            status, expected,
            "{method} {path} without credentials: {body}"
        );
    }
}

#[tokio::test]
async fn malformed_bodies_and_queries_on_every_endpoint_answer_4xx_json_never_5xx() {
    let app = spawn_app().await;
    let long_name = "n".repeat(1025);
    let bodies: Vec<String> = vec![
        String::new(),
        "{".into(),
        "null".into(),
        "[]".into(),
        "\"text\"".into(),
        json!({}).to_string(),
        json!({"filename": 5, "size": "ten"}).to_string(),
        json!({"filename": "a.txt"}).to_string(),
        json!({"filename": "a.txt", "size": 0}).to_string(),
        json!({"filename": "a.txt", "size": -1}).to_string(),
        json!({"filename": "a.txt", "size": 1.5}).to_string(),
        json!({"filename": "a.txt", "size": 18_446_744_073_709_551_615u64}).to_string(),
        r#"{"filename": "a.txt", "size": 1e400}"#.into(),
        json!({"filename": long_name, "size": 1}).to_string(),
        json!({"filename": "a\u{0}b.txt", "size": 1}).to_string(),
        json!({"filename": "../../etc/passwd", "size": 1}).to_string(),
        json!({"filename": "a.txt", "size": 1, "content_type": "text/plain\r\nX-Evil: 1"})
            .to_string(),
        json!({"filename": "a.txt", "size": 1, "content_type": 7}).to_string(),
        json!({"key": 5}).to_string(),
        json!({"key": "uploads/../x"}).to_string(),
        json!({"key": ""}).to_string(),
        "x".repeat(20_000),
    ];
    for path in [
        "/api/presign",
        "/api/presign-put",
        "/api/uploads/confirm",
        "/api/links",
    ] {
        for body in &bodies {
            let answer = app
                .client
                .post(format!("{}{path}", app.address))
                .header("x-csrf-token", &app.csrf_token)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let text = answer.text().await.unwrap();
            if status == 200 || status == 201 {
                continue; // a body that happens to be valid for this endpoint
            }
            assert!(
                (400..500).contains(&status),
                "{path} {body:.60}: {status} {text}"
            );
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"));
            assert!(
                !json["error"].as_str().unwrap_or_default().is_empty(),
                "{path}: {text}"
            );
        }
    }
    for query in [
        "",
        "?key=",
        "?key=%00",
        "?key=uploads%2F..%2Fx",
        "?after=nonsense",
        "?key=%FF%FE",
    ] {
        for (method, path) in [
            ("GET", "/api/uploads"),
            ("GET", "/api/uploads/download"),
            ("DELETE", "/api/uploads"),
        ] {
            let answer = app
                .client
                .request(
                    method.parse().unwrap(),
                    format!("{}{path}{query}", app.address),
                )
                .header("x-csrf-token", &app.csrf_token)
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            assert!(status < 500, "{method} {path}{query}: {status}");
            if status >= 400 {
                let json: Value = answer.json().await.unwrap();
                assert!(json["error"].is_string(), "{method} {path}{query}");
            }
        }
    }
}
