//! `postbox serve` stops gracefully on SIGTERM: it takes no new connections, and a
//! request in flight (here one waiting on a bucket that does not answer) finishes.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{Server, free_port, new_client, sign_in_at, silent_bucket};

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_and_takes_no_new_ones() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let bucket = silent_bucket();
    let postbox = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_postbox"));
        command
            .args(args)
            .current_dir(data.path())
            .env("POSTBOX_DATA_DIR", data.path())
            .env("POSTBOX_LISTEN", format!("127.0.0.1:{port}"))
            .env("POSTBOX_LOCAL_BUCKET_URL", bucket)
            .env("POSTBOX_S3_TIMEOUT", "3s")
            .env("RUST_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    let mut add = postbox(&["user", "add", "sam", "--password-stdin"])
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long password\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    let server = Server::start(postbox(&["serve"]), port).await;
    let base = server.address.clone();
    let client = new_client();
    let signed_in = sign_in_at(&client, &base, "sam", "a long password").await;
    assert_eq!(signed_in.status(), 303);

    // My files waits on the silent bucket for its 3 s timeout.
    let started = Instant::now();
    let slow = tokio::spawn({
        let client = client.clone();
        let base = base.clone();
        async move { client.get(format!("{base}/uploads")).send().await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pid = i32::try_from(server.pid()).unwrap();
    // SAFETY: sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);

    // New connections are refused soon, while the request in flight still waits.
    let mut refused = false;
    for _ in 0..60 {
        if new_client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "no new connections once stopping");
    assert!(
        !slow.is_finished(),
        "refused while the request is in flight"
    );
    let answer = slow
        .await
        .unwrap()
        .expect("the request in flight gets its answer");
    assert_eq!(
        answer.status(),
        503,
        "the bucket's timeout, answered in full"
    );
    assert!(started.elapsed() >= Duration::from_secs(3));
    let page = answer.text().await.unwrap();
    assert!(page.contains("Uploads are unavailable"), "{page}");

    let output = server.wait_with_output().await;
    assert!(
        output.status.success(),
        "exits cleanly: {:?}",
        output.status
    );
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("stopped"), "{log}");
}
