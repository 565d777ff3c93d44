//! Headless Chromium driven through its own chromedriver, one pair per test.
//!
//! chromedriver listens on a free 127.0.0.1 port in a process group of its own; the
//! group (chromedriver and the Chromium it started) is killed when the `Browser` is
//! dropped, also when a test panics.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::helpers::TestApp;

/// Debian's chromedriver, from `chromium-driver`.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's Chromium itself: `/usr/bin/chromium` is a launcher script that adds flags
/// of its own (extensions, GPU rasterization), and these tests pass exactly theirs.
const CHROMIUM: &str = "/usr/lib/chromium/chromium";
/// How long any wait for the page may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(15);
/// How often a wait looks at the page again.
const POLL: Duration = Duration::from_millis(50);

/// Whether the page may run scripts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scripts {
    On,
    Off,
}

/// A WebDriver session on a Chromium of its own.
pub struct Browser {
    pub client: Client,
    driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    pub async fn start(scripts: Scripts) -> Self {
        for binary in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: the browser tests need Debian's chromium and \
                 chromium-driver; install them with scripts/install-browser.sh (as root)"
            );
        }
        let profile = tempfile::tempdir().unwrap();
        let driver = Driver::start(profile.path()).await;
        // Chromium still asks for Google hosts (autofill, sign-in, updates) despite the
        // flags: every address but loopback (which Chromium never proxies) goes to a
        // proxy that is not there, for the profile and for the browser's own requests,
        // so nothing leaves 127.0.0.1, not even a DNS query.
        let nowhere =
            json!({ "mode": "fixed_servers", "server": format!("127.0.0.1:{}", free_port()) });
        let mut prefs = serde_json::Map::new();
        prefs.insert("proxy".into(), nowhere.clone());
        if scripts == Scripts::Off {
            prefs.insert(
                "profile.managed_default_content_settings.javascript".into(),
                json!(2),
            );
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    format!("--user-data-dir={}", profile.path().join("chromium").display()),
                ],
                "prefs": prefs,
                "localState": { "proxy": nowhere },
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "Chromium starts through chromedriver: {e}\nchromedriver log:\n{}",
                    driver.log_tail()
                )
            });
        let browser = Self {
            client,
            driver,
            _profile: profile,
        };
        browser.client.set_window_size(1280, 900).await.unwrap();
        browser
    }

    /// Opens `path` on the app.
    pub async fn open(&self, app: &TestApp, path: &str) {
        self.client
            .goto(&format!("{}{path}", app.address))
            .await
            .unwrap_or_else(|e| panic!("the browser opens {path}: {e}"));
    }

    /// Signs in as `name` through the real login page, as a person would, and waits
    /// for the upload page.
    pub async fn sign_in(&self, app: &TestApp, name: &str, password: &str) {
        self.open(app, "/login").await;
        self.find("input[name=username]")
            .await
            .send_keys(name)
            .await
            .unwrap();
        self.find("input[name=password]")
            .await
            .send_keys(password)
            .await
            .unwrap();
        self.find("form[action='/login'] button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        self.wait_for_path("/upload").await;
        self.wait_for("#upload-form").await;
    }

    /// The first element matching `css`, which must be on the page now.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("the page has {css}: {e}"))
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} appears within {WAIT:?}: {e}"))
    }

    /// Waits until the browser shows a page at `path`.
    pub async fn wait_for_path(&self, path: &str) {
        eventually(&format!("the browser reaches {path}"), || async {
            let url = self.client.current_url().await.ok()?;
            (url.path() == path).then_some(())
        })
        .await;
    }

    /// Runs `script` in the page (a function body; `return` gives the value back).
    pub async fn run<T: DeserializeOwned>(&self, script: &str) -> T {
        let value = self
            .client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("the page runs the script: {e}"));
        serde_json::from_value(value).unwrap()
    }

    /// Runs `script` in the page and waits for it to call `done(value)` (for promises:
    /// `fetch(…).then(done)`).
    pub async fn run_async<T: DeserializeOwned>(&self, script: &str) -> T {
        let script = format!("const done = arguments[arguments.length - 1];\n{script}");
        let value = self
            .client
            .execute_async(&script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("the page runs the script: {e}"));
        serde_json::from_value(value).unwrap()
    }

    /// Narrows the window to a phone's 375 px and checks that nothing scrolls sideways.
    pub async fn narrow_to_a_phone(&self) {
        self.client.set_window_size(375, 812).await.unwrap();
        let (inner, scroll) = self
            .run::<(u32, u32)>("return [window.innerWidth, document.documentElement.scrollWidth]")
            .await;
        assert_eq!(inner, 375);
        assert!(
            scroll <= inner,
            "the page is {scroll}px wide in a {inner}px window"
        );
    }

    /// Saves what the window shows as `target/browser-screenshots/<name>.png` (under
    /// `ceph/` there against radosgw).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a screenshot is a PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Ends the session (Chromium quits); chromedriver is stopped on drop.
    pub async fn close(self) {
        let Self {
            client,
            driver,
            _profile,
        } = self;
        client.close().await.unwrap();
        drop(driver);
    }
}

/// `target/browser-screenshots`, and its `ceph/` folder for runs against radosgw.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder holds tmp/")
        .join("browser-screenshots");
    match crate::backend::Backend::current() {
        crate::backend::Backend::Local => dir,
        crate::backend::Backend::Ceph => dir.join("ceph"),
    }
}

/// Polls `probe` until it gives a value, failing the test after `WAIT`.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {WAIT:?}: {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// A chromedriver process, killed with everything it started when dropped.
struct Driver {
    process: Child,
    url: String,
    log: PathBuf,
}

impl Driver {
    async fn start(dir: &Path) -> Self {
        let log = dir.join("chromedriver.log");
        let mut process = Command::new(CHROMEDRIVER)
            // Port 0: chromedriver takes a free one and says which, so two tests can
            // never race for the same port.
            .arg("--port=0")
            .arg("--allowed-ips=127.0.0.1")
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, so that Chromium goes down with it.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{CHROMEDRIVER} starts: {e}"));
        let stdout = process.stdout.take().expect("stdout is piped");
        let (port_tx, port_rx) = mpsc::channel();
        // Reads stdout to its end (when chromedriver stops), so it never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let port = line
                    .strip_prefix("ChromeDriver was started successfully on port ")
                    .and_then(|rest| rest.trim_end_matches('.').parse::<u16>().ok());
                if let Some(port) = port {
                    let _ = port_tx.send(port);
                }
            }
        });
        let mut driver = Self {
            process,
            url: String::new(),
            log,
        };
        let deadline = Instant::now() + WAIT;
        let port = loop {
            if let Ok(port) = port_rx.try_recv() {
                break port;
            }
            if let Ok(Some(exit)) = driver.process.try_wait() {
                panic!("chromedriver stopped ({exit}):\n{}", driver.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start within {WAIT:?}:\n{}",
                driver.log_tail()
            );
            tokio::time::sleep(POLL).await;
        };
        driver.url = format!("http://127.0.0.1:{port}");
        driver
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = self.process.id() as libc::pid_t;
        // SAFETY: killpg only sends a signal; the group is the one chromedriver leads.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
        let _ = self.process.wait();
    }
}

/// A port nobody listens on right now, on 127.0.0.1 (for the proxy that is not there).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
