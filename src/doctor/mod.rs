//! `postbox doctor` and `/admin/system`: what an operator's bucket lacks, found before
//! users find it. Each check says `ok`, `warn` or `fail`, one sentence, and the fix.
//! The checks call the bucket through `storage`; nothing here knows HTTP or the CLI.

mod checks;
mod cors;
mod probe;

use serde::Serialize;

use crate::domain::PolicyTtl;
use crate::storage::Storage;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to do.
    Ok,
    /// Works, but something is risky or unknown.
    Warn,
    /// Uploads will fail (or already do).
    Fail,
}

impl Status {
    /// `ok`, `warn` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `credentials`, `bucket`, `cors`, `post`, `public_access` or `clock`.
    pub name: &'static str,
    /// How it came out.
    pub status: Status,
    /// One sentence saying what was found.
    pub detail: String,
    /// What to do about it, when not ok.
    pub fix: Option<String>,
}

impl Check {
    fn ok(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            name,
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    fn warn(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name,
            status: Status::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name,
            status: Status::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Every check, in the order they ran.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|check| check.status == Status::Fail)
    }

    /// The report as people read it: a line per check, its fix indented below.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            out.push_str(&format!(
                "{:<5} {:<14} {}\n",
                check.status.as_str(),
                check.name,
                check.detail
            ));
            if let Some(fix) = &check.fix {
                out.push_str(&format!("{:<20} fix: {fix}\n", ""));
            }
        }
        out
    }
}

/// What the checks look at.
#[derive(Clone)]
pub struct Doctor {
    storage: Storage,
    embedded: bool,
    origin: Option<String>,
    ttl: PolicyTtl,
}

impl Doctor {
    /// Checks `storage` (the `embedded` local bucket, or a configured one) for an app
    /// people reach at `public_url` whose forms last `ttl`.
    pub fn new(storage: Storage, embedded: bool, public_url: Option<&str>, ttl: PolicyTtl) -> Self {
        Self {
            storage,
            embedded,
            origin: public_url.map(origin_of),
            ttl,
        }
    }

    /// Runs every check, all at once (a bucket that hangs costs one timeout, not six),
    /// reported in this order; with `fix_cors`, a missing CORS rule is added.
    pub async fn run(&self, fix_cors: bool) -> Report {
        let (credentials, bucket, cors, probe, public_access, clock) = tokio::join!(
            self.credentials(),
            self.bucket(),
            self.cors(fix_cors),
            self.probe(),
            self.public_access(),
            self.clock(),
        );
        Report {
            checks: vec![credentials, bucket, cors, probe, public_access, clock],
        }
    }
}

/// The origin browsers send from `public_url` (`https://upload.example.com` of
/// `https://Upload.example.com:443/path/`), or the URL itself when it has none.
fn origin_of(url: &str) -> String {
    crate::domain::origin(url).unwrap_or_else(|| url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_scheme_and_host() {
        assert_eq!(
            origin_of("https://upload.example.com/app/"),
            "https://upload.example.com"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn a_report_fails_when_one_check_fails() {
        let mut report = Report {
            checks: vec![Check::ok("a", "fine"), Check::warn("b", "hm", "look")],
        };
        assert!(!report.failed());
        report.checks.push(Check::fail("c", "broken", "mend it"));
        assert!(report.failed());
        let text = report.to_text();
        assert!(text.contains("fail  c"), "{text}");
        assert!(text.contains("fix: mend it"), "{text}");
    }
}
