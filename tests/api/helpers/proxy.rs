//! A TCP proxy on the loopback that a test can cut: plays a database (or anything)
//! that goes down and comes back, without stopping the real server.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Forwards connections from its own port to `target` until stopped.
pub struct Proxy {
    address: SocketAddr,
    target: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy to `target` on a free loopback port.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        Self {
            address,
            target,
            task: Some(tokio::spawn(forward(listener, target))),
        }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Closes the port and every connection through it: the target is gone.
    pub fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// Listens again on the same port: the target is back.
    pub async fn resume(&mut self) {
        self.stop();
        let listener = TcpListener::bind(self.address).await.unwrap();
        self.task = Some(tokio::spawn(forward(listener, self.target)));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accepts and pipes until aborted; aborting drops the listener and, through the
/// join set, every piped connection.
async fn forward(listener: TcpListener, target: SocketAddr) {
    let mut pipes = tokio::task::JoinSet::new();
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        pipes.spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}
