//! The plain form, in a browser with JavaScript off.

use crate::driver::{Browser, Scripts, eventually};
use crate::helpers::{PASSWORD, USER, spawn_app};

#[tokio::test]
async fn without_javascript_the_plain_form_uploads_one_file_and_the_bucket_answers_201() {
    let app = spawn_app().await;
    let files = tempfile::tempdir().unwrap();
    let plain = files.path().join("plain résumé #1 & co.txt");
    std::fs::write(&plain, "posted by the plain form\n").unwrap();
    let browser = Browser::start(Scripts::Off).await;
    browser.sign_in(&app, USER, PASSWORD).await;

    // No script ran: the input takes one file and the page says what that means.
    assert_eq!(browser.count("html.js").await, 0, "JavaScript is off");
    assert_eq!(
        browser
            .find("input#file")
            .await
            .attr("multiple")
            .await
            .unwrap(),
        None
    );
    let notice = browser.find("noscript p.notice").await;
    assert!(notice.is_displayed().await.unwrap());
    assert!(
        notice
            .text()
            .await
            .unwrap()
            .starts_with("Without JavaScript one file is uploaded"),
        "{}",
        notice.text().await.unwrap()
    );
    browser.screenshot("4-no-javascript-form").await;

    browser
        .find("input#file")
        .await
        .send_keys(&plain.display().to_string())
        .await
        .unwrap();
    browser
        .find("#upload-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();

    // The browser now shows the bucket's own answer: the XML S3 sends with 201.
    let key = eventually("the bucket's PostResponse is shown", || async {
        let source = browser.client.source().await.ok()?;
        let start = source.find("<Key>")? + "<Key>".len();
        let end = start + source[start..].find("</Key>")?;
        source
            .contains("<PostResponse")
            .then(|| xml_unescape(&source[start..end]))
    })
    .await;
    browser.screenshot("4-no-javascript-answer").await;
    let url = browser.client.current_url().await.unwrap();
    assert_ne!(
        url.as_str().trim_end_matches('/'),
        app.address,
        "the page went to the bucket"
    );

    assert!(key.starts_with(&app.prefix), "{key}");
    assert!(
        key.ends_with("/plain résumé #1 & co.txt"),
        "S3 put the file name in the key: {key}"
    );
    assert!(!key.contains("${filename}"), "{key}");
    assert_eq!(app.all_keys().await, std::slice::from_ref(&key));
    let object = app.object(&key).await;
    assert_eq!(
        object
            .metadata()
            .and_then(|m| m.get("uploader"))
            .map(String::as_str),
        Some(USER)
    );
    let body = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(body.as_ref(), b"posted by the plain form\n");
    browser.close().await;
}

/// The text of an XML element's content: the five predefined entities replaced.
fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
