//! An account with a quota in a real browser: the page reserves nothing, the script
//! signs one exact form per file, and without JavaScript a one-file form is signed for
//! the chosen name.

use crate::driver::{Browser, Scripts, eventually};
use crate::helpers::{PASSWORD, TestApp, USER, spawn_app};

async fn with_quota(bytes: u64) -> TestApp {
    let app = spawn_app().await;
    app.set_quota(bytes).await;
    app
}

async fn stored_and_reserved(app: &TestApp) -> (u64, u64) {
    let usage = app.usage().await;
    (usage.stored_bytes, usage.reserved_bytes)
}

#[tokio::test]
async fn with_a_quota_the_page_uploads_each_file_on_its_own_reserved_form() {
    let app = with_quota(10_000).await;
    let files = tempfile::tempdir().unwrap();
    let first = files.path().join("first.txt");
    let second = files.path().join("second.txt");
    let big = files.path().join("big.bin");
    std::fs::write(&first, vec![b'a'; 3000]).unwrap();
    std::fs::write(&second, vec![b'b'; 4000]).unwrap();
    std::fs::write(&big, vec![b'c'; 5000]).unwrap();
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, USER, PASSWORD).await;
    assert_eq!(
        stored_and_reserved(&app).await,
        (0, 0),
        "the page reserved nothing"
    );

    browser
        .find("input#file")
        .await
        .send_keys(&format!("{}\n{}", first.display(), second.display()))
        .await
        .unwrap();
    eventually("both files are uploaded and confirmed", || async {
        let done = browser.count("#upload-list li.is-done").await;
        let counted = stored_and_reserved(&app).await;
        (done == 2 && counted == (7000, 0)).then_some(())
    })
    .await;
    let mut names: Vec<String> = app
        .all_keys()
        .await
        .iter()
        .map(|key| key.rsplit('/').next().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["first.txt", "second.txt"]);

    // 3 KB are left: the page refuses a 5 KB file before asking for a form.
    browser
        .find("input#file")
        .await
        .send_keys(&big.display().to_string())
        .await
        .unwrap();
    // Waits for the row (a failing probe would panic before the page had answered).
    let status = browser
        .wait_for("#upload-list li.is-error .status")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(status, "big.bin is 5 KB; the limit is 3 KB.");
    browser.screenshot("6-quota-upload").await;
    assert_eq!(app.all_keys().await.len(), 2);
    browser.close().await;
}

#[tokio::test]
async fn with_a_quota_and_no_javascript_a_one_file_form_is_signed_for_the_chosen_name() {
    let app = with_quota(10_000).await;
    let files = tempfile::tempdir().unwrap();
    let report = files.path().join("report 1.txt");
    std::fs::write(&report, "one file, no script\n").unwrap();
    let browser = Browser::start(Scripts::Off).await;
    browser.sign_in(&app, USER, PASSWORD).await;
    let choose = |path: String| {
        let browser = &browser;
        async move {
            browser
                .find("input#file")
                .await
                .send_keys(&path)
                .await
                .unwrap();
            browser
                .find("#upload-form button[type=submit]")
                .await
                .click()
                .await
                .unwrap();
        }
    };
    choose(report.display().to_string()).await;
    browser.wait_for_path("/upload/one").await;
    let notice = browser.find("p.notice").await.text().await.unwrap();
    assert!(notice.contains("signed for report 1.txt"), "{notice}");
    browser.screenshot("6-quota-one-file-form").await;
    // Reserved while the form may be posted: the account's limit, capped by the quota.
    assert_eq!(stored_and_reserved(&app).await, (0, 10_000));

    choose(report.display().to_string()).await;
    let key = eventually("the bucket's PostResponse is shown", || async {
        let source = browser.client.source().await.ok()?;
        let start = source.find("<Key>")? + "<Key>".len();
        let end = start + source[start..].find("</Key>")?;
        source
            .contains("<PostResponse")
            .then(|| source[start..end].to_owned())
    })
    .await;
    assert!(
        key.starts_with(&app.prefix) && key.ends_with("/report 1.txt"),
        "{key}"
    );
    assert_eq!(app.all_keys().await, [key]);
    browser.close().await;
}
