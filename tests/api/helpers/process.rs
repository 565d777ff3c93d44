//! `postbox serve` as its own process, for what an in-process app cannot show (several
//! instances, signals, start-up without credentials): a free port, the server killed
//! when the test ends however it ends, waiting until it answers.

use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `postbox serve` process at `address`, killed when dropped (a failed assertion
/// must not leave a server behind).
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
}

impl Server {
    /// Starts `command` (a `postbox serve` listening on `port`) and waits until its
    /// `/healthz` answers 200.
    pub async fn start(mut command: Command, port: u16) -> Self {
        let server = Self {
            child: Some(command.spawn().unwrap()),
            address: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        loop {
            if let Ok(response) = reqwest::get(format!("{}/healthz", server.address)).await
                && response.status() == 200
            {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "postbox serve starts"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process ID (to send it a signal).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Waits for the process to end by itself: its exit status and output.
    pub async fn wait_with_output(mut self) -> Output {
        let child = self.child.take().unwrap();
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A bucket address that takes connections and never answers (a hung service).
pub fn silent_bucket() -> &'static str {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    Box::leak(format!("http://{address}").into_boxed_str())
}
