//! Signing in through the real login page.

use crate::driver::{Browser, Scripts};
use crate::helpers::{PASSWORD, USER, spawn_app};

#[tokio::test]
async fn signing_in_through_the_login_page_opens_the_upload_page_for_the_users_prefix() {
    let app = spawn_app().await;
    let browser = Browser::start(Scripts::On).await;

    browser.sign_in(&app, USER, PASSWORD).await;

    let heading = browser.find("h1").await.text().await.unwrap();
    assert_eq!(heading, "Upload files");
    let intro = browser
        .find("section.card p.muted")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        intro.contains(&app.prefix) && intro.contains("1 MB"),
        "the page names the prefix and the limit: {intro}"
    );
    // upload.js ran: several files at once, the raw input hidden behind the drop zone.
    assert!(
        browser
            .run::<bool>("return document.documentElement.classList.contains('js')")
            .await
    );
    let input = browser.find("input#file").await;
    assert_eq!(
        input.prop("multiple").await.unwrap().as_deref(),
        Some("true")
    );
    browser.screenshot("1-signed-in-upload-page").await;

    // A phone-sized window: everything fits across, nothing scrolls sideways.
    browser.narrow_to_a_phone().await;
    browser.screenshot("1-signed-in-upload-page-375px").await;
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_password_on_the_login_page_says_so_and_stays_signed_out() {
    let app = spawn_app().await;
    let browser = Browser::start(Scripts::On).await;

    browser.open(&app, "/login").await;
    browser
        .find("input[name=username]")
        .await
        .send_keys(USER)
        .await
        .unwrap();
    browser
        .find("input[name=password]")
        .await
        .send_keys("not the password")
        .await
        .unwrap();
    browser
        .find("form[action='/login'] button")
        .await
        .click()
        .await
        .unwrap();

    let alert = browser.wait_for("[role=alert]").await.text().await.unwrap();
    assert_eq!(alert, "The name or the password is wrong.");
    browser.screenshot("0-login-wrong-password").await;
    // What the person typed reads as text, not as a bold label.
    let typed = browser.find("input[name=username]").await;
    assert_eq!(typed.css_value("font-weight").await.unwrap(), "400");
    browser.wait_for_path("/login").await;
    browser.open(&app, "/upload").await;
    browser.wait_for_path("/login").await;
    browser.close().await;
}

#[tokio::test]
async fn signing_out_from_the_upload_page_ends_the_session() {
    let app = spawn_app().await;
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, USER, PASSWORD).await;

    browser
        .find("form[action='/logout'] button")
        .await
        .click()
        .await
        .unwrap();

    browser.wait_for_path("/login").await;
    browser.wait_for("input[name=username]").await;
    browser.open(&app, "/upload").await;
    browser.wait_for_path("/login").await;
    browser.close().await;
}
