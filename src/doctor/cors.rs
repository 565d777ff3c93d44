//! The CORS check: the page's script posts (and, in PUT mode, puts) files to the bucket
//! from the app's origin and reads the `ETag`, so a rule must allow exactly that.
//! `--fix-cors` adds one, keeping the bucket's other rules.

use super::{Check, Doctor};
use crate::storage::CorsRule;

const NAME: &str = "cors";
/// The methods the page uses.
const METHODS: [&str; 2] = ["POST", "PUT"];

/// Whether `rule` lets `origin` use `method` and read the `ETag`.
fn allows(rule: &CorsRule, origin: &str, method: &str) -> bool {
    let origin_ok = rule
        .allowed_origins
        .iter()
        .any(|allowed| allowed == "*" || allowed == origin || wildcard(allowed, origin));
    let method_ok = rule
        .allowed_methods
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method));
    let etag_ok = rule
        .expose_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("etag"));
    origin_ok && method_ok && etag_ok
}

/// S3's one-`*` origin patterns: `https://*.example.com`.
fn wildcard(pattern: &str, origin: &str) -> bool {
    match pattern.split_once('*') {
        Some((head, tail)) => {
            origin.len() >= head.len() + tail.len()
                && origin.starts_with(head)
                && origin.ends_with(tail)
        }
        None => false,
    }
}

/// The methods no rule of `rules` allows `origin`.
fn missing(rules: &[CorsRule], origin: &str) -> Vec<&'static str> {
    METHODS
        .into_iter()
        .filter(|method| !rules.iter().any(|rule| allows(rule, origin, method)))
        .collect()
}

/// The rule `--fix-cors` writes.
pub fn rule_for(origin: &str) -> CorsRule {
    CorsRule {
        allowed_origins: vec![origin.to_owned()],
        allowed_methods: METHODS.iter().map(|m| (*m).to_owned()).collect(),
        allowed_headers: vec!["*".to_owned()],
        expose_headers: vec!["ETag".to_owned()],
        max_age_seconds: Some(3000),
    }
}

impl Doctor {
    pub(super) async fn cors(&self, fix: bool) -> Check {
        if self.embedded {
            return Check::ok(
                NAME,
                "The embedded bucket answers CORS for any origin (every write it takes is signed).",
            );
        }
        let Some(origin) = self.origin.as_deref() else {
            return Check::warn(
                NAME,
                "POSTBOX_PUBLIC_URL is not set, so postbox cannot tell which origin the \
                 bucket must allow.",
                "Set POSTBOX_PUBLIC_URL to the address people open postbox at, then run \
                 postbox doctor --fix-cors.",
            );
        };
        let rules = match self.storage.cors_rules().await {
            Ok(rules) => rules.unwrap_or_default(),
            Err(error) => {
                return Check::fail(
                    NAME,
                    format!("The CORS rules could not be read. {error}"),
                    "Allow s3:GetBucketCORS, or check the rules in the console against \
                     docs/deploy.md.",
                );
            }
        };
        let missing = missing(&rules, origin);
        if missing.is_empty() {
            return Check::ok(
                NAME,
                format!("A CORS rule lets {origin} POST and PUT to the bucket and read the ETag."),
            );
        }
        let lacking = format!(
            "No CORS rule lets {origin} {} to the bucket and read the ETag: uploads from the \
             page fail with a network error.",
            missing.join(" or ")
        );
        if !fix {
            return Check::fail(
                NAME,
                lacking,
                "Run postbox doctor --fix-cors (it adds one rule and keeps the others), or add \
                 the rule in docs/deploy.md by hand.",
            );
        }
        self.add_rule(origin, rules, &lacking).await
    }

    /// Adds the rule [`rule_for`] makes for `origin` to the bucket's `rules`, which
    /// lack it as `lacking` says.
    async fn add_rule(&self, origin: &str, rules: Vec<CorsRule>, lacking: &str) -> Check {
        let kept = rules.len();
        let mut fixed = rules;
        fixed.push(rule_for(origin));
        if let Err(error) = self.storage.set_cors_rules(&fixed).await {
            return Check::fail(
                NAME,
                format!("{lacking} Adding a rule failed. {error}"),
                "Allow s3:PutBucketCORS for this one run, or add the rule in docs/deploy.md \
                 by hand.",
            );
        }
        Check::ok(
            NAME,
            format!(
                "Added a CORS rule: {origin} may POST and PUT (any header, ETag exposed, \
                 preflight cached 3000 s); the bucket's {kept} other rule(s) were kept."
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_must_name_the_origin_both_methods_and_expose_the_etag() {
        let origin = "https://up.example.com";
        assert!(missing(&[rule_for(origin)], origin).is_empty());
        let mut no_etag = rule_for(origin);
        no_etag.expose_headers.clear();
        assert_eq!(missing(&[no_etag], origin), ["POST", "PUT"]);
        let mut post_only = rule_for("https://*.example.com");
        post_only.allowed_methods = vec!["post".into()];
        assert_eq!(missing(&[post_only], origin), ["PUT"]);
        let other = rule_for("https://elsewhere.example.org");
        assert_eq!(missing(&[other], origin), ["POST", "PUT"]);
    }
}
