//! How a refresh ended: one enum for the refresh journal's `outcome` and the account's
//! `last_refresh_result`, stored in SQLite by its [`as_str`] code.
//!
//! The codes are the ones earlier versions wrote as literals, so existing databases read
//! back unchanged: `ok`, an [`ErrorCode`] (`network`, `server_error`, ...), a
//! [`SignInReason`] (`invalid_grant`, `refresh_interrupted`, `signed_out`, ...),
//! `keychain_write_failed` and `replaced`. The three sets share no code.
//!
//! [`as_str`]: RefreshOutcome::as_str

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ErrorCode;
use crate::reason::SignInReason;

/// How a refresh ended, or why its journal entry was closed without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshOutcome {
    /// The rotated tokens were stored (`ok`).
    Ok,
    /// The refresh failed and the session is kept; the code says why (`network` shows the
    /// account as offline).
    Failed(ErrorCode),
    /// The session is over and needs a new sign-in: the server refused the refresh
    /// (`invalid_grant`, `refresh_interrupted`), the user signed out (`signed_out`), or the
    /// account was marked for another reason before any refresh was recorded.
    Ended(SignInReason),
    /// The server rotated the tokens but the keychain refused the new ones, so the session
    /// is lost (`keychain_write_failed`).
    KeychainWriteFailed,
    /// A new login replaced the session while a refresh of it was unfinished (`replaced`).
    Replaced,
    /// A code this version does not know (written by a newer Skyport).
    Unknown,
}

impl RefreshOutcome {
    /// The stable code, as stored and as scripts see it.
    pub fn as_str(self) -> &'static str {
        match self {
            RefreshOutcome::Ok => "ok",
            RefreshOutcome::Failed(code) => code.as_str(),
            RefreshOutcome::Ended(reason) => reason.as_str(),
            RefreshOutcome::KeychainWriteFailed => "keychain_write_failed",
            RefreshOutcome::Replaced => "replaced",
            RefreshOutcome::Unknown => "unknown",
        }
    }

    /// Parses [`as_str`](Self::as_str) output; any other text is [`RefreshOutcome::Unknown`].
    pub fn parse(code: &str) -> Self {
        match code {
            "ok" => RefreshOutcome::Ok,
            "keychain_write_failed" => RefreshOutcome::KeychainWriteFailed,
            "replaced" => RefreshOutcome::Replaced,
            _ => match (SignInReason::parse(code), ErrorCode::parse(code)) {
                (SignInReason::Unknown, Some(code)) => RefreshOutcome::Failed(code),
                (SignInReason::Unknown, None) => RefreshOutcome::Unknown,
                (reason, _) => RefreshOutcome::Ended(reason),
            },
        }
    }

    /// The refresh failed on the network: the session is kept and the account shows as
    /// offline. The request may have reached the server (only the answer was lost).
    pub fn is_network(self) -> bool {
        matches!(self, RefreshOutcome::Failed(code) if code.is_network())
    }
}

impl std::fmt::Display for RefreshOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RefreshOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RefreshOutcome {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_code_reads_back_as_itself() {
        let cases = [
            ("ok", RefreshOutcome::Ok),
            ("network", RefreshOutcome::Failed(ErrorCode::Network)),
            ("server_error", RefreshOutcome::Failed(ErrorCode::ServerError)),
            ("invalid_response", RefreshOutcome::Failed(ErrorCode::InvalidResponse)),
            ("keychain_locked", RefreshOutcome::Failed(ErrorCode::KeychainLocked)),
            ("invalid_grant", RefreshOutcome::Ended(SignInReason::InvalidGrant)),
            ("refresh_interrupted", RefreshOutcome::Ended(SignInReason::RefreshInterrupted)),
            ("signed_out", RefreshOutcome::Ended(SignInReason::SignedOut)),
            ("key_missing", RefreshOutcome::Ended(SignInReason::KeyMissing)),
            ("session_limit", RefreshOutcome::Ended(SignInReason::SessionLimit)),
            ("keychain_write_failed", RefreshOutcome::KeychainWriteFailed),
            ("replaced", RefreshOutcome::Replaced),
        ];
        for (code, outcome) in cases {
            assert_eq!(RefreshOutcome::parse(code), outcome, "{code}");
            assert_eq!(outcome.as_str(), code);
            assert_eq!(serde_json::to_value(outcome).unwrap(), code);
            assert_eq!(serde_json::from_value::<RefreshOutcome>(code.into()).unwrap(), outcome);
        }
        assert!(RefreshOutcome::parse("network").is_network());
        assert!(!RefreshOutcome::parse("server_error").is_network());
    }

    #[test]
    fn unknown_text_is_unknown() {
        for text in ["", "unknown", "from_a_newer_version", "OK", " ok"] {
            assert_eq!(RefreshOutcome::parse(text), RefreshOutcome::Unknown, "{text:?}");
        }
    }
}
