//! The session of a request: a few named values kept in one encrypted cookie
//! (`postbox_session`, AES-256-GCM through the cookie crate's private jar, the same form
//! actix-session writes). Read once per request by [`sessions`], written back only when
//! a value changed. Every signed-in page and form needs it, so it reads the one cookie
//! it wants from the header instead of parsing them all, keeps the values in a small
//! ordered map, and remembers (per worker thread) what the last cookies opened to.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The session cookie's name.
pub const COOKIE: &str = "postbox_session";

/// Sealed values a worker thread remembers having opened, at most.
const REMEMBERED: usize = 1024;

type Values = BTreeMap<String, String>;

/// The [`SessionCookies`] id the memory belongs to, and what sealed values opened to.
type Opened = (u64, HashMap<Box<str>, Rc<Values>>);

thread_local! {
    /// What sealed values opened to. A sealed value is authenticated ciphertext under
    /// the app's one key: the same text always opens to the same values, so opening it
    /// again (base64, AES-GCM, JSON) would only repeat the work.
    /// Kept for one [`SessionCookies`] at a time (its `id`): values another key opened
    /// must never answer for this one.
    static OPENED: RefCell<Opened> = RefCell::new((0, HashMap::new()));
}

/// Gives each [`SessionCookies`] its own id, for the memory of opened values.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// How session cookies are sealed and sent.
#[derive(Clone)]
pub struct SessionCookies {
    id: u64,
    key: Key,
    /// `Secure` cookies (the app is served over https).
    secure: bool,
}

impl SessionCookies {
    /// Cookies sealed with `key`, marked `Secure` when `secure`.
    pub fn new(key: Key, secure: bool) -> Self {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Self { id, key, secure }
    }

    /// The values a sealed cookie value holds (none when it does not open), remembered.
    fn open_remembered(&self, sealed: &str) -> Rc<Values> {
        let remembered = OPENED.with_borrow(|(owner, opened)| {
            (*owner == self.id).then(|| opened.get(sealed).cloned())?
        });
        if let Some(values) = remembered {
            return values;
        }
        let values = Rc::new(self.open(sealed));
        OPENED.with_borrow_mut(|(owner, opened)| {
            if *owner != self.id || opened.len() >= REMEMBERED {
                *owner = self.id;
                opened.clear();
            }
            opened.insert(sealed.into(), Rc::clone(&values));
        });
        values
    }

    /// The values a sealed cookie value holds; none when it does not open.
    fn open(&self, sealed: &str) -> Values {
        // The sealed value is base64, written percent-encoded ('+', '/', '='): most
        // often there is nothing to decode.
        let sealed = if sealed.contains('%') {
            percent_encoding::percent_decode_str(sealed).decode_utf8_lossy()
        } else {
            std::borrow::Cow::Borrowed(sealed)
        };
        CookieJar::new()
            .private(&self.key)
            .decrypt(Cookie::new(COOKIE, sealed.into_owned()))
            .and_then(|cookie| serde_json::from_str(cookie.value()).ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` cookie for `values`; a removal cookie when `None`.
    fn seal(&self, values: Option<&Values>) -> Cookie<'static> {
        let mut cookie = Cookie::new(COOKIE, "");
        cookie.set_path("/");
        cookie.set_http_only(true);
        cookie.set_secure(self.secure);
        cookie.set_same_site(SameSite::Lax);
        let Some(values) = values else {
            cookie.make_removal();
            return cookie;
        };
        // A map of strings always serializes.
        cookie.set_value(serde_json::to_string(values).unwrap_or_default());
        let mut jar = CookieJar::new();
        jar.private_mut(&self.key).add(cookie);
        jar.delta()
            .next()
            .cloned()
            .unwrap_or_else(|| Cookie::new(COOKIE, ""))
    }
}

/// What happened to a session while a request was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Unchanged,
    Changed,
    Purged,
}

#[derive(Debug)]
struct State {
    /// Shared with the opened-cookie memory until a value changes.
    values: Rc<Values>,
    status: Status,
}

/// The session of the request being answered (an extractor, and on
/// [`Session::of`] for other extractors). Values are stored as JSON.
#[derive(Debug, Clone)]
pub struct Session(Rc<RefCell<State>>);

impl Session {
    fn new(values: Rc<Values>) -> Self {
        Self(Rc::new(RefCell::new(State {
            values,
            status: Status::Unchanged,
        })))
    }

    /// The session of `request` (an empty one outside the [`sessions`] middleware).
    pub fn of(request: &HttpRequest) -> Self {
        request
            .extensions()
            .get::<Session>()
            .cloned()
            .unwrap_or_else(|| Self::new(Rc::default()))
    }

    /// The value stored under `key`, if any.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, serde_json::Error> {
        match self.0.borrow().values.get(key) {
            Some(json) => serde_json::from_str(json).map(Some),
            None => Ok(None),
        }
    }

    /// Whether a value is stored under `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.borrow().values.contains_key(key)
    }

    /// Stores `value` under `key`.
    pub fn insert(&self, key: impl Into<String>, value: impl Serialize) -> serde_json::Result<()> {
        let json = serde_json::to_string(&value)?;
        let mut state = self.0.borrow_mut();
        if state.status != Status::Purged {
            Rc::make_mut(&mut state.values).insert(key.into(), json);
            state.status = Status::Changed;
        }
        Ok(())
    }

    /// Removes the value under `key`, answering it as stored (JSON).
    pub fn remove(&self, key: &str) -> Option<String> {
        let mut state = self.0.borrow_mut();
        if !state.values.contains_key(key) {
            return None;
        }
        let removed = Rc::make_mut(&mut state.values).remove(key);
        if removed.is_some() && state.status != Status::Purged {
            state.status = Status::Changed;
        }
        removed
    }

    /// Removes the value under `key`, read as a `T` (its JSON when it is not one).
    pub fn remove_as<T: DeserializeOwned>(&self, key: &str) -> Option<Result<T, String>> {
        self.remove(key)
            .map(|json| serde_json::from_str(&json).map_err(|_| json))
    }

    /// Sends the session again: with cookies, the sealed value is new each time, so a
    /// value seen before signing in says nothing of the one after.
    pub fn renew(&self) {
        let mut state = self.0.borrow_mut();
        if state.status != Status::Purged {
            state.status = Status::Changed;
        }
    }

    /// Ends the session: its values go, and the browser is told to drop the cookie.
    pub fn purge(&self) {
        let mut state = self.0.borrow_mut();
        state.values = Rc::default();
        state.status = Status::Purged;
    }
}

impl FromRequest for Session {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(request)))
    }
}

/// The value of the cookie named [`COOKIE`], read from the `Cookie` headers without
/// parsing the others.
fn sealed_value(request: &ServiceRequest) -> Option<&str> {
    request
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then_some(value)
        })
}

/// Middleware: opens the request's session before the handlers run, and writes it back
/// (or removes it) after, when it changed.
pub async fn sessions(
    cookies: web::Data<SessionCookies>,
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let sealed = sealed_value(&request);
    let had_cookie = sealed.is_some();
    let values = sealed
        .map(|value| cookies.open_remembered(value))
        .unwrap_or_default();
    let session = Session::new(values);
    request.extensions_mut().insert(session.clone());
    let mut response = next.call(request).await?;
    let state = session.0.borrow();
    let cookie = match state.status {
        Status::Unchanged => return Ok(response),
        Status::Purged if !had_cookie => return Ok(response),
        Status::Purged => cookies.seal(None),
        Status::Changed => cookies.seal(Some(&state.values)),
    };
    response.response_mut().add_cookie(&cookie)?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies() -> SessionCookies {
        SessionCookies::new(Key::from(&[7u8; 64]), false)
    }

    #[test]
    fn a_sealed_session_opens_with_its_key_only() {
        let mut values = BTreeMap::new();
        values.insert("user".to_owned(), "\"alice\"".to_owned());
        let cookie = cookies().seal(Some(&values));
        assert!(!cookie.value().contains("alice"), "{cookie}");
        assert_eq!(cookies().open(cookie.value()), values);
        let other = SessionCookies::new(Key::from(&[8u8; 64]), false);
        assert!(other.open(cookie.value()).is_empty());
        let mut edited = cookie.value().to_owned();
        edited.replace_range(5..6, if &edited[5..6] == "A" { "B" } else { "A" });
        assert!(
            cookies().open(&edited).is_empty(),
            "an edited cookie does not open"
        );
    }

    #[test]
    fn a_remembered_session_is_shared_until_a_value_changes() {
        let mut values = BTreeMap::new();
        values.insert("csrf".to_owned(), "\"token\"".to_owned());
        let ours = cookies();
        let sealed = ours.seal(Some(&values)).value().to_owned();
        let first = ours.open_remembered(&sealed);
        let again = ours.open_remembered(&sealed);
        assert!(
            Rc::ptr_eq(&first, &again),
            "the second opening is remembered"
        );
        let session = Session::new(again);
        session.insert("csrf", "changed").unwrap();
        session.remove("csrf");
        assert_eq!(
            ours.open_remembered(&sealed).get("csrf").unwrap(),
            "\"token\""
        );
        assert!(ours.open_remembered("not a sealed value").is_empty());
        let stranger = SessionCookies::new(Key::from(&[9u8; 64]), false);
        assert!(
            stranger.open_remembered(&sealed).is_empty(),
            "values opened with one key never answer for another"
        );
        assert_eq!(
            ours.open_remembered(&sealed).len(),
            1,
            "ours opens it again"
        );
    }

    #[test]
    fn a_purged_session_is_removed_and_stays_empty() {
        let session = Session::new(Rc::default());
        session.insert("csrf", "token").unwrap();
        session.purge();
        session.insert("csrf", "again").unwrap();
        assert!(!session.contains_key("csrf"));
        let removal = cookies().seal(None);
        assert_eq!(removal.value(), "");
        assert_eq!(
            removal.max_age(),
            Some(actix_web::cookie::time::Duration::ZERO)
        );
    }
}
