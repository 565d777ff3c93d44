//! Usage is visible and exact: My files pages through every file, newest first, 50 a
//! page; the admin users list and `postbox user list` show each account's bytes and
//! files from the ledger; `postbox usage recount` rebuilds them from the bucket.

use std::collections::HashSet;

use postbox::accounts::Role;
use postbox::usage::UsageLedger;
use serde_json::json;

use crate::backend::{postbox, run};
use crate::helpers::{Options, TestApp, USER, alert, put_object, spawn_app, spawn_app_with};

/// The keys My files lists on `page` (an address), and its "older files" link.
async fn listed(app: &TestApp, page: &str) -> (Vec<String>, Option<String>) {
    let response = app.get(page).await;
    assert_eq!(response.status(), 200, "{page}");
    let html = response.text().await.unwrap();
    let document = scraper::Html::parse_document(&html);
    let keys = scraper::Selector::parse("#files input[name=key]").unwrap();
    let older = scraper::Selector::parse("a#older").unwrap();
    let keys = document
        .select(&keys)
        .map(|input| input.value().attr("value").unwrap().to_owned())
        .collect();
    let older = document
        .select(&older)
        .next()
        .map(|a| a.value().attr("href").unwrap().to_owned());
    (keys, older)
}

#[tokio::test]
async fn my_files_shows_every_file_newest_first_50_a_page() {
    let app = spawn_app().await;
    // Key order and age disagree: "a-newest" sorts first but is written last.
    put_object(&app.storage, "uploads/z-oldest.txt", b"old").await;
    for i in 0..118 {
        let key = format!("uploads/bulk/{i:03}.txt");
        put_object(&app.storage, &key, b"x").await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    put_object(&app.storage, "uploads/a-newest.txt", b"new").await;

    let mut pages = Vec::new();
    let mut next = Some("/uploads".to_owned());
    while let Some(page) = next {
        let (keys, older) = listed(&app, &page).await;
        pages.push(keys);
        next = older;
        assert!(pages.len() <= 3, "three pages of 50, 50 and 20");
    }
    let sizes: Vec<_> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [50, 50, 20]);
    let all: Vec<_> = pages.concat();
    assert_eq!(
        all.first().map(String::as_str),
        Some("uploads/a-newest.txt")
    );
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(unique.len(), 120, "no file twice, none missing");

    let first = app.get("/uploads").await.text().await.unwrap();
    assert!(first.contains("120 files"), "the total counts every file");
    let (_, older) = listed(&app, "/uploads").await;
    let second = app.get(&older.unwrap()).await.text().await.unwrap();
    assert!(
        second.contains(r#"id="newest""#),
        "a way back to the newest"
    );

    for bad in [
        "nonsense",
        "12:uploads/../x",
        "12:others/x.txt",
        "x:uploads/a",
    ] {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("after", bad)
            .finish();
        let answer = app.get(&format!("/uploads?{query}")).await;
        assert_eq!(answer.status(), 400, "{bad}");
        let text = alert(&answer.text().await.unwrap());
        assert!(text.contains("Start again from the newest files"), "{text}");
    }
}

#[tokio::test]
async fn deleting_from_a_later_page_comes_back_to_that_page() {
    let app = spawn_app().await;
    for i in 0..55 {
        put_object(&app.storage, &format!("uploads/f{i:02}.txt"), b"x").await;
    }
    let (_, older) = listed(&app, "/uploads").await;
    let older = older.expect("a second page");
    let (keys, _) = listed(&app, &older).await;
    assert_eq!(keys.len(), 5);
    let after = older.split_once("after=").unwrap().1;
    let after: String = form_urlencoded::parse(format!("a={after}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    let answer = app
        .post_form("/uploads/delete", &[("key", &keys[0]), ("after", &after)])
        .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(answer.headers()["location"].to_str().unwrap(), older);
    let (left, _) = listed(&app, &older).await;
    assert_eq!(left, keys[1..]);
}

/// The admin users list and `postbox user list` read the ledger: "not counted yet"
/// until an account is counted, then its bytes and files.
#[tokio::test]
async fn admins_see_each_accounts_usage_on_the_page_and_the_command_line() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let row_of = |page: &str, name: &str| {
        let document = scraper::Html::parse_document(page);
        let rows = scraper::Selector::parse("#users tbody tr").unwrap();
        document
            .select(&rows)
            .map(|row| row.text().collect::<String>())
            .find(|text| text.contains(name))
            .unwrap_or_else(|| panic!("a row for {name}: {page}"))
    };
    let page = admin.get("/admin/users").await.text().await.unwrap();
    assert!(row_of(&page, USER).contains("not counted yet"), "{page}");

    // A quota account is counted when it first signs; its confirmed uploads add up.
    app.set_quota(100_000).await;
    for (name, size) in [("a.bin", 1500usize), ("b.bin", 2500)] {
        let body = json!({"filename": name, "size": size, "content_type": "text/plain"});
        let (form, _) = app.presigned_form(body).await;
        assert_eq!(form.post(name, vec![0u8; size]).await.status, 201);
        let key = json!({ "key": form.field("key") });
        let confirmed = app.post_json("/api/uploads/confirm", &key).await;
        assert_eq!(confirmed.status(), 200);
    }
    let page = admin.get("/admin/users").await.text().await.unwrap();
    let row = row_of(&page, USER);
    assert!(row.contains("4 KB in 2 files"), "{row}");
    assert!(row_of(&page, "boss").contains("not counted yet"), "{page}");

    let dir = tempfile::tempdir().unwrap();
    let mut list = postbox(dir.path());
    list.args(["user", "list"])
        .env("POSTBOX_DATABASE_URL", &app.database_url);
    let output = run(list).await;
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.lines().next().unwrap().contains("STORED"),
        "{printed}"
    );
    let line = printed.lines().find(|l| l.starts_with(USER)).unwrap();
    assert!(line.ends_with("4 KB in 2 files"), "{line}");
    let line = printed.lines().find(|l| l.starts_with("boss")).unwrap();
    assert!(line.ends_with("not counted yet"), "{line}");
}

/// `postbox usage recount` counts what the bucket holds, files that arrived outside
/// postbox included, and the quota follows it.
#[tokio::test]
async fn usage_recount_rebuilds_the_ledger_from_the_embedded_bucket() {
    let app = spawn_app_with(Options {
        local_bucket: true,
        ..Options::default()
    })
    .await;
    app.add_user("other", Role::User, "others/other/").await;
    put_object(&app.storage, "uploads/outside/one.bin", &[1u8; 1000]).await;
    put_object(&app.storage, "uploads/outside/two.bin", &[2u8; 3000]).await;
    put_object(&app.storage, "others/other/x.bin", &[3u8; 500]).await;

    let recount = |args: &[&str]| {
        let mut command = postbox(app.data_dir());
        command
            .args(["usage", "recount"])
            .args(args)
            .env("POSTBOX_DATABASE_URL", &app.database_url)
            .env("POSTBOX_DATA_DIR", app.data_dir())
            .env("POSTBOX_LOCAL_BUCKET_NAME", "postbox-test");
        run(command)
    };
    let output = recount(&[USER]).await;
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        printed.trim(),
        format!("{USER}: 4 KB in 2 files (was not counted yet)")
    );
    let ledger = UsageLedger::new(app.database().clone());
    let counted = ledger.usage(USER).await.unwrap().unwrap();
    assert_eq!((counted.stored_bytes, counted.stored_files), (4000, 2));
    assert!(
        ledger.usage("other").await.unwrap().is_none(),
        "only the one named"
    );

    // The quota follows the count: 4000 of 5000 used, so 2000 bytes do not fit.
    app.set_quota(5000).await;
    let refused = app
        .presign(json!({"filename": "c.bin", "size": 2000, "content_type": "text/plain"}))
        .await;
    assert_eq!(refused.status(), 413);

    // A file removed outside postbox is uncounted by the next recount (of everyone).
    app.storage.delete("uploads/outside/two.bin").await.unwrap();
    let output = recount(&[]).await;
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.contains(&format!("{USER}: 1 KB in 1 file (was 4 KB in 2 files)")),
        "{printed}"
    );
    assert!(
        printed.contains("other: 500 bytes in 1 file (was not counted yet)"),
        "{printed}"
    );
    let accepted = app
        .presign(json!({"filename": "c.bin", "size": 2000, "content_type": "text/plain"}))
        .await;
    assert_eq!(accepted.status(), 200);

    let output = recount(&["nobody"]).await;
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("there is no account named nobody"), "{said}");
}
