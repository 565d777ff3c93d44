//! The system page in Chromium: an admin runs the checks and reads them, on a phone too.

use crate::driver::{Browser, Scripts};
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn an_admin_runs_the_checks_and_reads_them_on_a_phone() {
    let app = spawn_app().await;
    app.add_user("boss", postbox::accounts::Role::Admin, "admins/boss/")
        .await;
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, "boss", PASSWORD).await;
    browser
        .find("a[href='/admin/system']")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("#facts").await;
    assert_eq!(browser.count("table.checks").await, 0);
    browser
        .find("#checks button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("table.checks").await;
    assert_eq!(browser.count("table.checks tbody tr").await, 6);
    browser.screenshot("7-system-checks").await;
    browser.narrow_to_a_phone().await;
    browser.screenshot("7-system-checks-phone").await;
    browser.close().await;
}

#[tokio::test]
async fn a_person_makes_an_api_token_and_sees_it_once_on_a_phone() {
    let app = spawn_app().await;
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, crate::helpers::USER, PASSWORD).await;
    browser
        .find("a[href='/account/tokens']")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("#new").await;
    browser.narrow_to_a_phone().await;
    browser
        .find("#new input[name=label]")
        .await
        .send_keys("backup script")
        .await
        .unwrap();
    browser
        .find("#new button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let token = browser
        .wait_for("#new-token code")
        .await
        .text()
        .await
        .unwrap();
    assert!(token.starts_with("pbx_"), "{token}");
    browser.narrow_to_a_phone().await;
    browser.screenshot("8-api-token-made-phone").await;
    browser.close().await;
}

#[tokio::test]
async fn a_person_makes_an_upload_link_on_a_phone_and_sees_its_page() {
    let app = spawn_app().await;
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, crate::helpers::USER, PASSWORD).await;
    browser
        .find("a[href='/links']")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("#new").await;
    browser.narrow_to_a_phone().await;
    browser
        .find("#new input[name=label]")
        .await
        .send_keys("Photos from the trip")
        .await
        .unwrap();
    browser
        .find("#new input[name=max_files]")
        .await
        .send_keys("5")
        .await
        .unwrap();
    browser
        .find("#new button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let url = browser
        .wait_for("#new-link-url")
        .await
        .text()
        .await
        .unwrap();
    assert!(url.contains("/u/"), "{url}");
    assert_eq!(browser.count("button[data-copy]").await, 1);
    browser.narrow_to_a_phone().await;
    browser.screenshot("11-upload-link-made-phone").await;
    browser.find("#links a").await.click().await.unwrap();
    let limits = browser.wait_for("#limits").await.text().await.unwrap();
    assert!(limits.contains("0 of 5"), "{limits}");
    browser.screenshot("11-upload-link-page-phone").await;
    browser.close().await;
}
