//! The pages run no inline script or style (the Content-Security-Policy blocks both):
//! the upload page loads its script as ES modules, and every module it imports is served.

use scraper::{Html, Selector};

use crate::helpers::{new_client, spawn_app};

/// Inline `<script>` bodies, scripts that are not modules, `on…=` handlers, `<style>`
/// elements and `style=` attributes in `html`.
fn inline_script(html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let mut found = Vec::new();
    for script in document.select(&Selector::parse("script").unwrap()) {
        let element = script.value();
        if element.attr("src").is_none() || !script.text().all(|t| t.trim().is_empty()) {
            found.push(format!("inline <script>: {}", script.html()));
        } else if element.attr("type") != Some("module") {
            found.push(format!("not a module: {}", script.html()));
        }
    }
    for style in document.select(&Selector::parse("style").unwrap()) {
        found.push(format!("inline <style>: {}", style.html()));
    }
    for element in document.select(&Selector::parse("*").unwrap()) {
        for (name, _) in element.value().attrs() {
            if name.starts_with("on") {
                found.push(format!("handler {name} on <{}>", element.value().name()));
            } else if name == "style" {
                found.push(format!("style attribute on <{}>", element.value().name()));
            }
        }
    }
    found
}

#[tokio::test]
async fn no_page_carries_inline_script_or_event_handlers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut stranger = app.clone();
    stranger.client = new_client();
    let pages = [
        (&stranger, "/login"),
        (&stranger, "/no-such-page"),
        (&app, "/upload"),
        (&app, "/uploads"),
        (&app, "/admin/users"),
        (&admin, "/admin/users"),
        (&admin, "/admin/users/tess"),
        (&admin, "/admin/audit"),
    ];
    let mut scripts = 0;
    for (browser, path) in pages {
        let html = browser.get(path).await.text().await.unwrap();
        assert!(html.contains("</html>"), "{path} is a page: {html}");
        assert_eq!(inline_script(&html), Vec::<String>::new(), "{path}");
        scripts += html.matches("<script").count();
    }
    assert_eq!(scripts, 1, "the upload page has its one module script");
}

#[tokio::test]
async fn the_upload_page_module_and_everything_it_imports_are_served_as_javascript() {
    let app = spawn_app().await;
    let html = app.get("/upload").await.text().await.unwrap();
    let document = Html::parse_document(&html);
    let entry = document
        .select(&Selector::parse(r#"script[type="module"][src]"#).unwrap())
        .next()
        .expect("the upload page loads a module")
        .value()
        .attr("src")
        .unwrap()
        .to_owned();
    let mut to_fetch = vec![entry];
    let mut served = Vec::new();
    while let Some(path) = to_fetch.pop() {
        if served.contains(&path) {
            continue;
        }
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("text/javascript"),
            "{path}: {content_type}"
        );
        let body = response.text().await.unwrap();
        for line in body.lines().filter(|l| l.starts_with("import ")) {
            let module = line.split('"').nth(1).expect("import from \"./x.js\"");
            let name = module.strip_prefix("./").expect("a relative import");
            to_fetch.push(format!("/static/{name}"));
        }
        served.push(path);
    }
    served.sort();
    assert_eq!(
        served,
        [
            "/static/api.js",
            "/static/s3.js",
            "/static/sizes.js",
            "/static/upload.js"
        ]
    );
}
