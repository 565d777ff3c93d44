//! Uploading through the page with JavaScript: several files, progress, friendly errors.

use std::collections::HashMap;

use serde::Deserialize;

use crate::driver::{Browser, Scripts, eventually};
use crate::helpers::{PASSWORD, USER, spawn_app};

/// One row of the page's upload list, as the person sees it.
#[derive(Debug, Deserialize)]
struct Row {
    state: String,
    name: String,
    progress: f64,
    status: String,
    key: Option<String>,
}

const ROWS: &str = "return Array.from(document.querySelectorAll('#upload-list li')).map(li => ({
    state: li.className,
    name: li.querySelector('.name').textContent,
    progress: li.querySelector('progress').value,
    status: li.querySelector('.status').textContent,
    key: li.querySelector('.status code') ? li.querySelector('.status code').textContent : null,
}))";

/// Notes every value a progress bar takes while its row is still uploading (the
/// values the upload's own progress events set, not the 100 a finished row shows).
const RECORD_PROGRESS: &str = "window.progressSeen = {};
new MutationObserver((changes) => {
  for (const change of changes) {
    const bar = change.target, li = bar.closest('li');
    if (bar.tagName !== 'PROGRESS' || li.className !== 'is-uploading') continue;
    const name = li.querySelector('.name').textContent;
    (window.progressSeen[name] = window.progressSeen[name] || []).push(bar.value);
  }
}).observe(document.getElementById('upload-list'), { subtree: true, attributeFilter: ['value'] });";

/// Notes every Content-Security-Policy violation of the page in `window.cspViolations`,
/// those of its loading too (`buffered`), as `<directive> <what was blocked>`.
const WATCH_POLICY: &str = "window.cspViolations = [];
window.noteViolations = (reports) => {
  for (const report of reports) {
    window.cspViolations.push(`${report.body.effectiveDirective} ${report.body.blockedURL}`);
  }
};
window.cspObserver = new ReportingObserver(window.noteViolations, { types: ['csp-violation'], buffered: true });
window.cspObserver.observe();";

/// The violations noted since [`WATCH_POLICY`] ran, those not yet delivered included.
async fn policy_violations(browser: &Browser) -> Vec<String> {
    browser
        .run("window.noteViolations(window.cspObserver.takeRecords()); return window.cspViolations")
        .await
}

async fn rows(browser: &Browser) -> Vec<Row> {
    browser.run(ROWS).await
}

/// Waits until `count` rows have finished (done or failed) and returns them.
async fn finished_rows(browser: &Browser, count: usize) -> Vec<Row> {
    eventually(&format!("{count} uploads finish on the page"), || async {
        let rows = rows(browser).await;
        let finished = rows.iter().filter(|r| r.state != "is-uploading").count();
        (rows.len() == count && finished == count).then_some(rows)
    })
    .await
}

#[tokio::test]
async fn two_files_chosen_on_the_page_reach_100_percent_and_land_under_the_prefix() {
    let app = spawn_app().await;
    let files = tempfile::tempdir().unwrap();
    let notes = files.path().join("résumé & notes #1.txt");
    let data = files.path().join("data.csv");
    std::fs::write(&notes, "hello from a real browser\n").unwrap();
    std::fs::write(&data, "a,b\n1,2\n".repeat(20_000)).unwrap();
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, USER, PASSWORD).await;
    browser.run::<()>(WATCH_POLICY).await;
    browser.run::<()>(RECORD_PROGRESS).await;
    // The page came with the policy, and its form and script go to another origin
    // than the app's: the bucket, which the policy must name.
    let policy: Option<String> = browser
        .run_async(
            "fetch(location.href).then((r) => done(r.headers.get('content-security-policy')))",
        )
        .await;
    let policy = policy.expect("the upload page has a Content-Security-Policy");
    let (bucket, page): (String, String) = browser
        .run("return [new URL(document.getElementById('upload-form').action).origin, location.origin]")
        .await;
    assert_ne!(bucket, page);
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(
        policy.contains(&format!("connect-src 'self' {bucket};")),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("form-action 'self' {bucket};")),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
    let font: String = browser
        .run("return getComputedStyle(document.body).fontFamily")
        .await;
    assert!(
        font.starts_with("system-ui"),
        "the stylesheet applies: {font}"
    );

    // Both paths at once, one a line: chromedriver chooses them together.
    browser
        .find("input#file")
        .await
        .send_keys(&format!("{}\n{}", notes.display(), data.display()))
        .await
        .unwrap();

    let mut rows = finished_rows(&browser, 2).await;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    browser.screenshot("2-two-files-done").await;
    browser.narrow_to_a_phone().await;
    browser.screenshot("2-two-files-done-375px").await;
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["data.csv", "résumé & notes #1.txt"]);
    for row in &rows {
        assert_eq!(row.state, "is-done", "{row:?}");
        assert_eq!(row.progress, 100.0, "{row:?}");
        assert!(row.status.starts_with("Uploaded as "), "{row:?}");
    }
    assert_eq!(browser.count("#upload-list li.is-done").await, 2);
    let seen: HashMap<String, Vec<f64>> = browser.run("return window.progressSeen").await;
    for name in names {
        let values = seen.get(name).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(values.last(), Some(&100.0), "{name}: {values:?}");
        assert!(values.is_sorted(), "{name}: {values:?}");
    }

    let mut keys = app.keys_under(&app.prefix).await;
    keys.sort();
    assert_eq!(keys.len(), 2, "{keys:?}");
    let expected = [
        ("data.csv", "text/csv", std::fs::read(&data).unwrap()),
        (
            "résumé & notes #1.txt",
            "text/plain",
            std::fs::read(&notes).unwrap(),
        ),
    ];
    for (row, (name, content_type, content)) in rows.iter().zip(expected) {
        let key = keys
            .iter()
            .find(|k| k.ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("a key ends in /{name}: {keys:?}"));
        assert_eq!(
            row.key.as_deref(),
            Some(key.as_str()),
            "the page shows the key"
        );
        let object = app.object(key).await;
        assert_eq!(object.content_type(), Some(content_type), "{key}");
        assert_eq!(
            object
                .metadata()
                .and_then(|m| m.get("uploader"))
                .map(String::as_str),
            Some(USER),
            "{key}"
        );
        let body = object.body.collect().await.unwrap().into_bytes();
        assert_eq!(body.as_ref(), content.as_slice(), "{key}");
    }

    // Loading, signing, posting to the bucket and confirming broke no rule; and the
    // browser does enforce the policy (and the watch sees it): an inline style is refused.
    assert_eq!(policy_violations(&browser).await, Vec::<String>::new());
    browser
        .run::<()>("document.body.setAttribute('style', 'outline: 3px solid red')")
        .await;
    let violations = eventually("the inline style is reported", || async {
        let violations = policy_violations(&browser).await;
        (!violations.is_empty()).then_some(violations)
    })
    .await;
    assert_eq!(violations, ["style-src-attr inline"]);
    browser.close().await;
}

#[tokio::test]
async fn a_file_over_the_limit_gets_a_plain_sentence_on_the_page_and_nothing_is_stored() {
    let app = spawn_app().await; // the test user's limit is 1 MB
    let files = tempfile::tempdir().unwrap();
    let big = files.path().join("big.bin");
    std::fs::write(&big, vec![7u8; 2_000_000]).unwrap();
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, USER, PASSWORD).await;

    browser
        .find("input#file")
        .await
        .send_keys(&big.display().to_string())
        .await
        .unwrap();

    let rows = finished_rows(&browser, 1).await;
    browser.screenshot("3-over-the-limit").await;
    assert_eq!(rows[0].state, "is-error", "{:?}", rows[0]);
    assert_eq!(rows[0].status, "big.bin is 2 MB; the limit is 1 MB.");
    assert!(rows[0].key.is_none());
    assert!(app.all_keys().await.is_empty());
    browser.close().await;
}

#[tokio::test]
async fn a_file_one_byte_over_the_limit_is_told_in_bytes_rather_than_as_1_mb_of_1_mb() {
    let app = spawn_app().await; // 1 MB: 1,000,000 bytes
    let files = tempfile::tempdir().unwrap();
    let edge = files.path().join("edge.bin");
    std::fs::write(&edge, vec![7u8; 1_000_001]).unwrap();
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, USER, PASSWORD).await;

    browser
        .find("input#file")
        .await
        .send_keys(&edge.display().to_string())
        .await
        .unwrap();

    let rows = finished_rows(&browser, 1).await;
    assert_eq!(rows[0].state, "is-error", "{:?}", rows[0]);
    assert_eq!(
        rows[0].status,
        "edge.bin is 1,000,001 bytes; the limit is 1,000,000 bytes."
    );
    assert!(app.all_keys().await.is_empty());
    browser.close().await;
}

#[tokio::test]
async fn a_file_dropped_on_the_drop_zone_is_uploaded_like_a_chosen_one() {
    let app = spawn_app().await;
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, USER, PASSWORD).await;

    // WebDriver cannot drag a file from the desktop: the page gets the same events a
    // drop sends, carrying a file made in the page.
    let highlighted: bool = browser
        .run(
            "window.dropped = new DataTransfer();
             window.dropped.items.add(new File(['dropped on the page\\n'], 'dropped.txt', { type: 'text/plain' }));
             const zone = document.querySelector('.dropzone');
             zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: window.dropped, bubbles: true, cancelable: true }));
             return zone.classList.contains('is-over');",
        )
        .await;
    assert!(highlighted, "the drop zone lights up under a dragged file");
    browser.screenshot("5-file-dragged-over").await;
    browser
        .run::<()>(
            "const zone = document.querySelector('.dropzone');
             zone.dispatchEvent(new DragEvent('drop', { dataTransfer: window.dropped, bubbles: true, cancelable: true }));",
        )
        .await;

    let rows = finished_rows(&browser, 1).await;
    assert_eq!(rows[0].state, "is-done", "{:?}", rows[0]);
    assert_eq!(browser.count(".dropzone.is-over").await, 0);
    let key = rows[0].key.clone().expect("the page shows the key");
    assert!(
        key.starts_with(&app.prefix) && key.ends_with("/dropped.txt"),
        "{key}"
    );
    assert_eq!(app.all_keys().await, std::slice::from_ref(&key));
    let object = app.object(&key).await;
    assert_eq!(object.content_type(), Some("text/plain"));
    let body = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(body.as_ref(), b"dropped on the page\n");
    browser.close().await;
}

/// `POSTBOX_UPLOAD_METHOD=put` (for providers without POST policies): the page signs
/// nothing, its script PUTs each file to its own presigned URL with progress, under the
/// CSP, and the files land under the prefix with their exact bytes.
#[tokio::test]
async fn in_put_mode_the_page_uploads_each_file_with_a_presigned_put() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Options {
        upload_method: postbox::config::UploadMethod::Put,
        ..crate::helpers::Options::default()
    })
    .await;
    let files = tempfile::tempdir().unwrap();
    let small = files.path().join("put notes.txt");
    let large = files.path().join("put data.csv");
    std::fs::write(&small, "sent with PUT\n").unwrap();
    std::fs::write(&large, "x,y\n3,4\n".repeat(30_000)).unwrap();
    let browser = Browser::start(Scripts::On).await;
    browser.sign_in(&app, USER, PASSWORD).await;
    browser.run::<()>(WATCH_POLICY).await;
    browser.run::<()>(RECORD_PROGRESS).await;
    let method: String = browser
        .run("return document.getElementById('upload-form').dataset.method || ''")
        .await;
    assert_eq!(method, "put");
    assert_eq!(
        browser.count("#upload-form input[name=policy]").await,
        0,
        "nothing signed"
    );
    browser
        .find("input#file")
        .await
        .send_keys(&format!("{}\n{}", small.display(), large.display()))
        .await
        .unwrap();
    let rows = finished_rows(&browser, 2).await;
    for row in &rows {
        assert_eq!(row.state, "is-done", "{row:?}");
        assert!(
            row.key
                .as_deref()
                .unwrap_or_default()
                .starts_with(&app.prefix),
            "{row:?}"
        );
    }
    let seen: HashMap<String, Vec<f64>> = browser.run("return window.progressSeen").await;
    let values = seen
        .get("put data.csv")
        .map(Vec::as_slice)
        .unwrap_or_default();
    assert_eq!(values.last(), Some(&100.0), "{values:?}");
    assert_eq!(policy_violations(&browser).await, Vec::<String>::new());
    browser.screenshot("9-put-mode-done").await;
    let keys = app.keys_under(&app.prefix).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    for key in &keys {
        let object = app.object(key).await;
        let bytes = object.body.collect().await.unwrap().into_bytes();
        let expected = if key.ends_with("put notes.txt") {
            std::fs::read(&small).unwrap()
        } else {
            std::fs::read(&large).unwrap()
        };
        assert_eq!(bytes.as_ref(), expected.as_slice(), "{key}");
    }
    browser.close().await;
}

/// A guest on an upload link, not signed in: the same uploader (a dropped file, a
/// chosen one over the link's largest file), under the CSP, on a phone.
#[tokio::test]
async fn a_guest_drops_a_file_on_an_upload_link_and_it_lands_in_the_links_folder() {
    let app = spawn_app().await;
    let owner = app.users().get(USER).await.unwrap().unwrap();
    let links = postbox::links::LinkStore::new(app.database().clone(), app.users());
    let new = postbox::links::NewLink {
        label: "Scans for the accountant".into(),
        max_size: Some(postbox::domain::ByteSize::from_bytes(1000)),
        ..Default::default()
    };
    let (link, token) = links.create("test", &owner, new).await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let big = files.path().join("too big.bin");
    std::fs::write(&big, vec![0u8; 1001]).unwrap();

    let browser = Browser::start(Scripts::On).await;
    browser.open(&app, &format!("/u/{token}")).await;
    browser.wait_for("#upload-form").await;
    browser.run::<()>(WATCH_POLICY).await;
    browser.narrow_to_a_phone().await;
    let heading = browser.find("h1").await.text().await.unwrap();
    assert_eq!(heading, "Scans for the accountant");
    browser
        .run::<()>(
            "const dropped = new DataTransfer();
             dropped.items.add(new File(['a scanned page\\n'], 'scan 1.txt', { type: 'text/plain' }));
             const zone = document.querySelector('.dropzone');
             zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));",
        )
        .await;
    browser
        .find("input#file")
        .await
        .send_keys(&big.display().to_string())
        .await
        .unwrap();
    let rows = finished_rows(&browser, 2).await;
    let done = rows.iter().find(|r| r.name == "scan 1.txt").unwrap();
    assert_eq!(done.state, "is-done", "{done:?}");
    let failed = rows.iter().find(|r| r.name == "too big.bin").unwrap();
    assert_eq!(failed.state, "is-error", "{failed:?}");
    assert_eq!(
        failed.status,
        "too big.bin is 1,001 bytes; the limit is 1,000 bytes."
    );
    assert_eq!(policy_violations(&browser).await, Vec::<String>::new());
    browser.screenshot("10-guest-link-phone").await;
    let folder = format!("{}links/{}/", app.prefix, link.id);
    let keys = app.keys_under(&folder).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with("/scan 1.txt"), "{keys:?}");
    browser.close().await;
}
