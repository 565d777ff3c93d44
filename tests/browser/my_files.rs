//! My files in Chromium: a delete asks first (without script), removes the file and
//! says so; older files are a link away; the page works on a phone.

use crate::driver::{Browser, Scripts};
use crate::helpers::{PASSWORD, USER, put_object, spawn_app};

async fn delete_first_file(browser: &Browser) -> String {
    let first = browser.find("#files tbody tr").await;
    let name = first
        .find(fantoccini::Locator::Css("a.file-name"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let confirm = first
        .find(fantoccini::Locator::Css("details.delete button"))
        .await
        .unwrap();
    assert!(
        !confirm.is_displayed().await.unwrap(),
        "nothing is deleted by one click: the button shows after 'Delete'"
    );
    first
        .find(fantoccini::Locator::Css("details.delete summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(confirm.is_displayed().await.unwrap());
    browser.screenshot("6-my-files-delete-asks-first").await;
    confirm.click().await.unwrap();
    name
}

#[tokio::test]
async fn a_person_deletes_a_file_after_confirming_and_pages_to_older_files() {
    let app = spawn_app().await;
    for i in 0..53 {
        // Keys as the app signs them: their folder is as wide as a real one.
        let name = format!("file-{i:02}.txt");
        let suffix = postbox::signing::unique_key_suffix(time::OffsetDateTime::now_utc(), &name);
        put_object(&app.storage, &format!("uploads/{suffix}"), b"some text").await;
    }
    for scripts in [Scripts::On, Scripts::Off] {
        let browser = Browser::start(scripts).await;
        browser.sign_in(&app, USER, PASSWORD).await;
        browser.open(&app, "/uploads").await;
        assert_eq!(browser.count("#files tbody tr").await, 50);
        let before = app.keys_under(&app.prefix).await.len();

        let name = delete_first_file(&browser).await;
        browser.wait_for_path("/uploads").await;
        let flash = browser.wait_for("#flash").await.text().await.unwrap();
        assert_eq!(flash, format!("Deleted {name} (9 bytes)."));
        let after = app.keys_under(&app.prefix).await;
        assert_eq!(after.len(), before - 1);
        assert!(!after.iter().any(|key| key.ends_with(&format!("/{name}"))));

        browser.find("a#older").await.click().await.unwrap();
        browser.wait_for("a#newest").await;
        assert_eq!(browser.count("#files tbody tr").await, after.len() - 50);
        browser.narrow_to_a_phone().await;
        let phone_delete = browser.find("#files details.delete summary").await;
        assert!(
            phone_delete.is_displayed().await.unwrap(),
            "delete on a phone"
        );
        // In view, not only displayed: the table scrolls sideways inside its box.
        let (right, visible) = browser
            .run::<(f64, f64)>(
                "const box = document.querySelector('.table-scroll').getBoundingClientRect();
                 const button = document.querySelector('#files details.delete summary');
                 return [button.getBoundingClientRect().right, box.right];",
            )
            .await;
        assert!(
            right <= visible,
            "Delete ends at {right}px, the table shows {visible}px"
        );
        browser.screenshot("6-my-files-older-phone").await;
        browser.close().await;
    }
}
