//! The quota invariant: bytes stored + bytes reserved by unexpired forms <= quota, on
//! every signing path. A page view reserves nothing; each form of a quota account names
//! one exact key and reserves what it admits; a re-post overwrites that key.

use serde_json::json;

use crate::helpers::{TestApp, parse_form, spawn_app, spawn_app_with_clock};

fn file(name: &str, size: usize) -> serde_json::Value {
    json!({"filename": name, "size": size, "content_type": "application/octet-stream"})
}

/// Bytes stored under the test account's prefix, as the bucket says.
async fn bytes_in_bucket(app: &TestApp) -> u64 {
    let objects = app.storage.objects(&app.prefix).await.unwrap();
    objects.iter().map(|object| object.size).sum()
}

#[tokio::test]
async fn a_quota_page_carries_no_signed_form_and_reserves_nothing() {
    let app = spawn_app().await;
    app.set_quota(5000).await;
    for _ in 0..5 {
        let page = app.get("/upload").await.text().await.unwrap();
        assert!(page.contains("5 KB left of your 5 KB quota"), "{page}");
        let form = parse_form(&page);
        assert_eq!(form.action, "/upload/one");
        assert!(
            form.fields.is_empty(),
            "no signed fields: {:?}",
            form.fields
        );
        assert!(page.contains(r#"method="get""#));
    }
    assert_eq!(app.usage().await.reserved_bytes, 0);
}

#[tokio::test]
async fn forms_reserve_what_they_admit_and_stop_at_the_quota() {
    let app = spawn_app().await;
    app.set_quota(5000).await;
    let (form, _) = app.presigned_form(file("a.bin", 4000)).await;
    // Reserved at once, before anything is posted.
    assert_eq!(app.usage().await.reserved_bytes, 4000);
    let page = app.get("/upload").await.text().await.unwrap();
    assert!(page.contains("1 KB left of your 5 KB quota"), "{page}");
    // The form admits exactly the size it was signed for.
    let smaller = form.post("a.bin", vec![1; 3999]).await;
    assert_eq!(
        smaller.xml("Code").as_deref(),
        Some("EntityTooSmall"),
        "{}",
        smaller.body
    );
    let answer = form.post("a.bin", vec![1; 4000]).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let key = answer.xml("Key").unwrap();
    let confirmed = app
        .post_json("/api/uploads/confirm", &json!({ "key": key }))
        .await;
    assert_eq!(confirmed.status(), 200);
    let after = app.usage().await;
    assert_eq!(
        (after.stored_bytes, after.stored_files, after.reserved_bytes),
        (4000, 1, 0)
    );

    let response = app.presign(file("b.bin", 1001)).await;
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["error"],
        "b.bin is 1,001 bytes; the limit is 1,000 bytes."
    );
    // Larger than the whole quota: the limit named is still what is left.
    let response = app.presign(file("c.bin", 6000)).await;
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "c.bin is 6 KB; the limit is 1 KB.");

    // Without JavaScript: a one-file form signed for the chosen name, capped at what
    // is left, naming one exact key.
    let one = app.get("/upload/one?file=c.bin").await;
    assert_eq!(one.status(), 200);
    let one = parse_form(&one.text().await.unwrap());
    assert!(one.field("key").ends_with("/c.bin"), "{}", one.field("key"));
    let answer = one.post("other name.bin", vec![1; 1001]).await;
    assert_eq!(answer.xml("Code").as_deref(), Some("EntityTooLarge"));
    let answer = one.post("other name.bin", vec![1; 1000]).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(answer.xml("Key").as_deref(), Some(one.field("key")));

    // Used up: no form at all, with the reason.
    let response = app.get("/upload").await;
    assert_eq!(response.status(), 403);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Your storage quota of 5 KB is used up."),
        "{page}"
    );
    let response = app.presign(file("e.bin", 1)).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.get("/upload/one?file=e.bin").await.status(), 403);
    assert_eq!(app.keys_under("uploads/").await.len(), 2);
    assert!(bytes_in_bucket(&app).await <= 5000);
}

#[tokio::test]
async fn a_form_posted_again_and_again_never_stores_more_than_its_reservation() {
    let app = spawn_app().await;
    app.set_quota(3000).await;
    let form = parse_form(
        &app.get("/upload/one?file=x.bin")
            .await
            .text()
            .await
            .unwrap(),
    );
    for i in 0..5 {
        let answer = form.post(&format!("file {i}.bin"), vec![1; 1500]).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    // One key, overwritten: 1.5 KB stored of a 3 KB quota, and the rest still held by
    // the form until it expires.
    assert_eq!(app.keys_under("uploads/").await.len(), 1);
    assert_eq!(bytes_in_bucket(&app).await, 1500);
    assert_eq!(app.presign(file("more.bin", 1)).await.status(), 403);
    let edited_key = format!("{}-2", form.field("key"));
    let mut edited = form.clone();
    edited.set("key", &edited_key);
    let answer = edited.post("y.bin", vec![1; 10]).await;
    assert_eq!(
        answer.refusal(),
        app.backend.failed_condition(),
        "{}",
        answer.body
    );
    assert_eq!(app.keys_under("uploads/").await.len(), 1);
}

#[tokio::test]
async fn concurrent_presigns_never_reserve_more_than_the_quota() {
    let app = spawn_app().await;
    app.set_quota(10_000).await;
    let asked: Vec<_> = (0..24)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move { app.presign(file(&format!("f{i}.bin"), 1000)).await })
        })
        .collect();
    let mut forms = Vec::new();
    for request in asked {
        let response = request.await.unwrap();
        match response.status().as_u16() {
            200 => forms.push(response.json::<serde_json::Value>().await.unwrap()),
            403 | 413 => {}
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    assert_eq!(forms.len(), 10, "exactly the quota's worth of forms");
    assert_eq!(app.usage().await.reserved_bytes, 10_000);
    for json in &forms {
        let form = crate::helpers::BrowserForm::from_json(json);
        assert_eq!(form.post("f.bin", vec![1; 1000]).await.status, 201);
    }
    assert_eq!(bytes_in_bucket(&app).await, 10_000);
    // Confirmed all at once, each reservation becomes stored bytes exactly once.
    let confirms: Vec<_> = forms
        .iter()
        .map(|json| {
            let (app, key) = (app.clone(), json["key"].clone());
            tokio::spawn(async move {
                let response = app
                    .post_json("/api/uploads/confirm", &json!({ "key": key }))
                    .await;
                response.status().as_u16()
            })
        })
        .collect();
    for confirm in confirms {
        assert_eq!(confirm.await.unwrap(), 200);
    }
    let after = app.usage().await;
    assert_eq!(
        (after.stored_bytes, after.stored_files, after.reserved_bytes),
        (10_000, 10, 0)
    );
}

#[tokio::test]
async fn expired_reservations_are_settled_by_what_the_bucket_holds() {
    let (app, handle) = spawn_app_with_clock().await;
    app.set_quota(2000).await;
    // Posted but never confirmed: stored at its real size once the form expires.
    let (posted, _) = app.presigned_form(file("kept.bin", 700)).await;
    assert_eq!(posted.post("kept.bin", vec![1; 700]).await.status, 201);
    // Never posted: freed once the form expires.
    let (_unused, _) = app.presigned_form(file("never.bin", 1300)).await;
    assert_eq!(app.get("/upload").await.status(), 403, "all reserved");

    handle.advance(time::Duration::minutes(11));
    let page = app.get("/upload").await.text().await.unwrap();
    assert!(page.contains("1.3 KB left of your 2 KB quota"), "{page}");
    let after = app.usage().await;
    assert_eq!(
        (after.stored_bytes, after.stored_files, after.reserved_bytes),
        (700, 1, 0)
    );
}

/// Reservations asked for together are written in batches (usage::batch); each gets the
/// answer it would get alone: admitted in order while the quota holds, one key taken
/// twice refused without failing the others, an account never counted sent to count.
#[tokio::test]
async fn reservations_written_together_hold_the_quota_and_fail_alone() {
    use postbox::usage::{UsageError, UsageLedger};
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::test_database_url(dir.path()).await;
    let db = postbox::db::Database::connect(&url).await.unwrap();
    sqlx::query("INSERT INTO usage (username, stored_bytes) VALUES ('ann', 500), ('bob', 0)")
        .execute(db.pool())
        .await
        .unwrap();
    let ledger = UsageLedger::new(db.clone());
    let asked: Vec<_> = (0..60)
        .map(|i| {
            let ledger = ledger.clone();
            // Ann and Bob interleaved, and one key asked for twice.
            let (who, key) = match i {
                59 => ("ann", "ann/0".to_owned()),
                i if i % 2 == 0 => ("ann", format!("ann/{i}")),
                i => ("bob", format!("bob/{i}")),
            };
            tokio::spawn(async move { ledger.reserve(who, &key, 100, 2500, i64::MAX).await })
        })
        .collect();
    let (mut admitted, mut over, mut failed) = (0, 0, 0);
    for answer in asked {
        match answer.await.unwrap() {
            Ok(left) => {
                assert!(left >= 100, "admitted with {left} left");
                admitted += 1;
            }
            Err(UsageError::OverQuota { left }) => {
                assert!(left < 100, "refused with {left} left");
                over += 1;
            }
            Err(UsageError::Database(_)) => failed += 1,
            Err(UsageError::NotCounted) => panic!("both accounts are counted"),
        }
    }
    let ann = ledger.usage("ann").await.unwrap().unwrap();
    let bob = ledger.usage("bob").await.unwrap().unwrap();
    // Ann: 500 stored + 20 forms of 100 = 2500; Bob: 25 forms, 30 asked.
    assert_eq!((ann.reserved_bytes, bob.reserved_bytes), (2000, 2500));
    assert_eq!(failed + admitted + over, 60);
    assert!(
        failed <= 1,
        "only the key asked for twice may fail: {failed}"
    );
    assert_eq!(
        admitted, 45,
        "ann 20 + bob 25 (over {over}, failed {failed})"
    );
    let rows = sqlx::query("SELECT COUNT(*) AS n FROM reservations")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(sqlx::Row::get::<i64, _>(&rows, "n"), 45);

    let never = ledger.reserve("carol", "carol/a", 1, 10, i64::MAX).await;
    assert!(matches!(never, Err(UsageError::NotCounted)), "{never:?}");
}
