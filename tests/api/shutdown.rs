//! `postbox serve` stops gracefully on SIGTERM: it takes no new connections, and a
//! request in flight (here one waiting on a bucket that does not answer) finishes.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{meta_csrf, new_client};

/// A bucket that takes connections and never answers.
fn silent_bucket() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    format!("http://{address}")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_and_takes_no_new_ones() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let postbox = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_postbox"));
        command
            .args(args)
            .current_dir(data.path())
            .env("POSTBOX_DATA_DIR", data.path())
            .env("POSTBOX_LISTEN", format!("127.0.0.1:{port}"))
            .env("POSTBOX_LOCAL_BUCKET_URL", silent_bucket())
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
    let server = postbox(&["serve"]).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = new_client();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server starts");
    let login = client.get(format!("{base}/login")).send().await.unwrap();
    let token = meta_csrf(&login.text().await.unwrap());
    let signed_in = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", "sam"),
            ("password", "a long password"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);

    // My files waits on the silent bucket for its 3 s timeout.
    let started = Instant::now();
    let slow = tokio::spawn({
        let client = client.clone();
        let base = base.clone();
        async move { client.get(format!("{base}/uploads")).send().await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pid = i32::try_from(server.id()).unwrap();
    // SAFETY: sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let refused = new_client().get(format!("{base}/healthz")).send().await;
    assert!(
        refused.is_err(),
        "no new connections once stopping: {refused:?}"
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

    let output = tokio::task::spawn_blocking(move || server.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "exits cleanly: {:?}",
        output.status
    );
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("stopped"), "{log}");
}
