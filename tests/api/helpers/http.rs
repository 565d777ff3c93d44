//! Driving the app as a browser does: a cookie-keeping client, signing in, posting
//! forms and JSON with the session's CSRF token, and reading pages.

use scraper::{Html, Selector};

use super::{BrowserForm, PASSWORD, TestApp};
use postbox::accounts::Role;

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The `csrf-token` meta tag of a page.
pub fn meta_csrf(html: &str) -> String {
    let document = Html::parse_document(html);
    document
        .select(&Selector::parse(r#"meta[name="csrf-token"]"#).unwrap())
        .next()
        .and_then(|m| m.value().attr("content"))
        .unwrap_or_default()
        .to_owned()
}

/// The text of a page's alert (`role="alert"`), as a person reads it.
pub fn alert(html: &str) -> String {
    let document = Html::parse_document(html);
    document
        .select(&Selector::parse(r#"[role="alert"]"#).unwrap())
        .next()
        .map(|a| a.text().collect::<String>())
        .unwrap_or_default()
}

/// The upload form of a page, as a browser would post it.
pub fn parse_form(html: &str) -> BrowserForm {
    let document = Html::parse_document(html);
    let form = document
        .select(&Selector::parse("form#upload-form").unwrap())
        .next()
        .expect("the page has the upload form");
    let action = form.value().attr("action").unwrap().to_owned();
    let fields = form
        .select(&Selector::parse("input[name]").unwrap())
        .filter(|input| input.value().attr("type") != Some("file"))
        .map(|input| {
            (
                input.value().attr("name").unwrap().to_owned(),
                input.value().attr("value").unwrap_or("").to_owned(),
            )
        })
        .collect();
    BrowserForm { action, fields }
}

/// Waits (up to 10 s) until `path` answers `status`: for an app coming back.
pub async fn eventually_status(app: &TestApp, path: &str, status: u16) {
    for _ in 0..100 {
        if app.get(path).await.status() == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{path} never answered {status}");
}

/// How long a change made elsewhere (another instance, the command line) may take to
/// be seen by an app: the promise of `postbox::accounts::cache`.
const ELSEWHERE: std::time::Duration = std::time::Duration::from_secs(1);

/// Tries `attempt` until it answers true, for at most [`ELSEWHERE`]; whether it did.
pub async fn within_a_second<F, Fut>(mut attempt: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    loop {
        let began = start.elapsed();
        if attempt().await {
            // What counts is when the answer was asked for, not how long it took.
            return began <= ELSEWHERE;
        }
        if start.elapsed() > ELSEWHERE {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Signs `client` in at the app at `address` through its login form, as a browser does.
pub async fn sign_in_at(
    client: &reqwest::Client,
    address: &str,
    name: &str,
    password: &str,
) -> reqwest::Response {
    let login = client
        .get(format!("{address}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    client
        .post(format!("{address}/login"))
        .form(&[
            ("username", name),
            ("password", password),
            ("csrf_token", &meta_csrf(&login)),
        ])
        .send()
        .await
        .unwrap()
}

/// Requests to the app, as this test's browser.
impl TestApp {
    /// Signs in through the login form and keeps the session's CSRF token.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> reqwest::Response {
        let response = sign_in_at(&self.client, &self.address, name, password).await;
        if response.status() == 303 {
            let upload = self.get("/upload").await.text().await.unwrap();
            self.csrf_token = meta_csrf(&upload);
        }
        response
    }

    /// The same app in a new browser, signed in as `name` with `password`.
    pub async fn browser_of(&self, name: &str, password: &str) -> TestApp {
        let mut other = self.clone();
        other.client = new_client();
        other.csrf_token.clear();
        let response = other.sign_in(name, password).await;
        assert_eq!(response.status(), 303, "{name} signs in");
        other
    }

    /// A new admin account, signed in, in a new browser.
    pub async fn admin(&self) -> TestApp {
        self.add_user("boss", Role::Admin, "admins/boss/").await;
        self.browser_of("boss", PASSWORD).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    /// Posts an HTML form with this session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &self.csrf_token));
        self.client
            .post(format!("{}{path}", self.address))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    /// Posts JSON to `/api/*` with this session's CSRF header.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("x-csrf-token", &self.csrf_token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Sends `DELETE` to `/api/*` with this session's CSRF header.
    pub async fn delete_api(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(format!("{}{path}", self.address))
            .header("x-csrf-token", &self.csrf_token)
            .send()
            .await
            .unwrap()
    }

    /// Loads `/upload` and reads its form as a browser would.
    pub async fn upload_form(&self) -> BrowserForm {
        let response = self.get("/upload").await;
        assert_eq!(response.status(), 200);
        parse_form(&response.text().await.unwrap())
    }

    pub async fn presign(&self, body: serde_json::Value) -> reqwest::Response {
        self.post_json("/api/presign", &body).await
    }

    /// The form `/api/presign` returns, ready to post.
    pub async fn presigned_form(
        &self,
        body: serde_json::Value,
    ) -> (BrowserForm, serde_json::Value) {
        let response = self.presign(body).await;
        assert_eq!(response.status(), 200);
        let json: serde_json::Value = response.json().await.unwrap();
        (BrowserForm::from_json(&json), json)
    }
}
