//! What a connected app's key may call. A key never grants more than the account's OAuth
//! scope (the PDS checks that on every forwarded call); its rules only narrow it:
//!
//! * `read_only`: queries (GET) only.
//! * `allow`: if not empty, only methods matching one of these NSID patterns.
//! * Account management (deleting or deactivating the account, e-mail and password changes,
//!   app passwords, PLC and identity operations, service-auth tokens, admin calls) is refused
//!   unless the exact method is listed in `allow`; a pattern such as `com.atproto.*` does not
//!   unlock it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Methods that manage the account rather than use it (atproto lexicons
/// `com.atproto.server.*`, `com.atproto.identity.*`, `com.atproto.admin.*`).
pub const ACCOUNT_MANAGEMENT: &[&str] = &[
    "com.atproto.server.activateAccount",
    "com.atproto.server.confirmEmail",
    "com.atproto.server.createAccount",
    "com.atproto.server.createAppPassword",
    "com.atproto.server.createInviteCode",
    "com.atproto.server.createInviteCodes",
    "com.atproto.server.deactivateAccount",
    "com.atproto.server.deleteAccount",
    "com.atproto.server.getServiceAuth",
    "com.atproto.server.listAppPasswords",
    "com.atproto.server.requestAccountDelete",
    "com.atproto.server.requestEmailConfirmation",
    "com.atproto.server.requestEmailUpdate",
    "com.atproto.server.requestPasswordReset",
    "com.atproto.server.reserveSigningKey",
    "com.atproto.server.resetPassword",
    "com.atproto.server.revokeAppPassword",
    "com.atproto.server.updateEmail",
    "com.atproto.identity.getRecommendedDidCredentials",
    "com.atproto.identity.requestPlcOperationSignature",
    "com.atproto.identity.signPlcOperation",
    "com.atproto.identity.submitPlcOperation",
    "com.atproto.identity.updateHandle",
];

/// Whether `nsid` manages the account (see [`ACCOUNT_MANAGEMENT`]; every `com.atproto.admin`
/// method too).
pub fn is_account_management(nsid: &str) -> bool {
    ACCOUNT_MANAGEMENT.contains(&nsid) || nsid.starts_with("com.atproto.admin.")
}

/// An NSID or a pattern: `app.bsky.feed.post`, `app.bsky.feed.*` (everything under
/// `app.bsky.feed.`), or `*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NsidPattern(String);

impl NsidPattern {
    /// Parses a pattern.
    pub fn parse(raw: &str) -> Result<Self, PatternError> {
        let raw = raw.trim();
        let ok = raw == "*"
            || match raw.strip_suffix(".*") {
                Some(prefix) => !prefix.is_empty() && prefix.split('.').all(is_segment),
                None => skyport_oauth::scope::is_nsid(raw),
            };
        if ok { Ok(Self(raw.to_owned())) } else { Err(PatternError(raw.chars().take(100).collect())) }
    }

    /// Whether `nsid` matches.
    pub fn matches(&self, nsid: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => nsid.starts_with(prefix),
            None => self.0 == nsid,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_segment(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl TryFrom<String> for NsidPattern {
    type Error = PatternError;
    fn try_from(s: String) -> Result<Self, PatternError> {
        Self::parse(&s)
    }
}

impl From<NsidPattern> for String {
    fn from(p: NsidPattern) -> String {
        p.0
    }
}

impl fmt::Display for NsidPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A pattern that is neither an NSID, `prefix.*` nor `*`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a method NSID or pattern (for example app.bsky.feed.post, app.bsky.feed.* or *)")]
pub struct PatternError(String);

/// A key's rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRules {
    /// Queries only.
    #[serde(default)]
    pub read_only: bool,
    /// If not empty, only these methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<NsidPattern>,
    /// For a `skyport run` key: the process it lives as long as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_pid: Option<u32>,
}

/// Why a key may not make a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A procedure (POST) with a read-only key.
    ReadOnly,
    /// The method matches none of the key's `allow` patterns.
    NotAllowed,
    /// An account-management method the key does not name exactly.
    AccountManagement,
}

impl Refusal {
    /// A stable code (audit log, XRPC error name).
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::ReadOnly => "read_only",
            Refusal::NotAllowed => "not_allowed",
            Refusal::AccountManagement => "account_management",
        }
    }
}

impl AppRules {
    /// Whether a call of `nsid` (`procedure`: POST) is allowed.
    pub fn check(&self, procedure: bool, nsid: &str) -> Result<(), Refusal> {
        if is_account_management(nsid) {
            return if self.allow.iter().any(|p| p.as_str() == nsid) {
                if procedure && self.read_only { Err(Refusal::ReadOnly) } else { Ok(()) }
            } else {
                Err(Refusal::AccountManagement)
            };
        }
        if procedure && self.read_only {
            return Err(Refusal::ReadOnly);
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|p| p.matches(nsid)) {
            return Err(Refusal::NotAllowed);
        }
        Ok(())
    }

    /// The rules in plain words, for lists.
    pub fn describe(&self) -> String {
        let mut parts = vec![if self.read_only { "read-only" } else { "read and write" }.to_owned()];
        if !self.allow.is_empty() {
            parts.push(format!(
                "only {}",
                self.allow.iter().map(NsidPattern::as_str).collect::<Vec<_>>().join(", ")
            ));
        }
        if self.run_pid.is_some() {
            parts.push("while one command runs".into());
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(read_only: bool, allow: &[&str]) -> AppRules {
        AppRules {
            read_only,
            allow: allow.iter().map(|p| NsidPattern::parse(p).unwrap()).collect(),
            run_pid: None,
        }
    }

    #[test]
    fn patterns_match_prefixes_and_exact_names() {
        let feed = NsidPattern::parse("app.bsky.feed.*").unwrap();
        assert!(feed.matches("app.bsky.feed.getTimeline"));
        assert!(!feed.matches("app.bsky.feedx.get"));
        assert!(!feed.matches("app.bsky.graph.follow"));
        for bad in ["", "app", "app.*.feed", ".*", "app.bsky.feed.", "app bsky"] {
            assert!(NsidPattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn read_only_refuses_procedures_and_allow_narrows() {
        let r = rules(true, &[]);
        assert_eq!(r.check(false, "app.bsky.feed.getTimeline"), Ok(()));
        assert_eq!(r.check(true, "com.atproto.repo.createRecord"), Err(Refusal::ReadOnly));
        let r = rules(false, &["app.bsky.feed.*"]);
        assert_eq!(r.check(true, "app.bsky.feed.post"), Ok(()));
        assert_eq!(r.check(true, "com.atproto.repo.createRecord"), Err(Refusal::NotAllowed));
    }

    #[test]
    fn account_management_needs_its_exact_name() {
        let everything = rules(false, &["*", "com.atproto.*", "com.atproto.server.*"]);
        for nsid in ACCOUNT_MANAGEMENT.iter().copied().chain(["com.atproto.admin.deleteAccount"]) {
            assert_eq!(everything.check(true, nsid), Err(Refusal::AccountManagement), "{nsid}");
        }
        let named = rules(false, &["com.atproto.server.getServiceAuth"]);
        assert_eq!(named.check(false, "com.atproto.server.getServiceAuth"), Ok(()));
        assert_eq!(named.check(true, "com.atproto.server.deleteAccount"), Err(Refusal::AccountManagement));
    }

    #[test]
    fn rules_round_trip_as_json_and_bad_patterns_are_refused() {
        let r = rules(true, &["app.bsky.*"]);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"read_only":true,"allow":["app.bsky.*"]}"#);
        assert_eq!(serde_json::from_str::<AppRules>(&json).unwrap(), r);
        assert!(serde_json::from_str::<AppRules>(r#"{"allow":["not a pattern"]}"#).is_err());
    }
}
