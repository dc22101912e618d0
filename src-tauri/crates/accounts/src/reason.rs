//! Why an account needs a new sign-in: one enum, stored in SQLite by its [`as_str`] code.
//!
//! [`as_str`]: SignInReason::as_str

use serde::{Deserialize, Serialize};

/// Why an account's session can no longer be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignInReason {
    /// The server answered `invalid_grant` to a refresh (RFC 6749 §5.2): it ended the session.
    InvalidGrant,
    /// A refresh was interrupted (crash, lost answer) and the server no longer accepts the
    /// refresh token.
    RefreshInterrupted,
    /// The session's keychain item is gone.
    KeyMissing,
    /// The session's keychain item exists but cannot be decoded (damaged or written by
    /// something else).
    KeyUnreadable,
    /// The public-client session limit (two weeks) was reached.
    SessionLimit,
    /// The PDS refused the tokens even right after a refresh.
    InvalidToken,
    /// Signed out.
    SignedOut,
    /// A code this version does not know (written by a newer Skyport).
    Unknown,
}

impl SignInReason {
    /// Every reason this version writes (all but [`SignInReason::Unknown`]).
    pub const KNOWN: [SignInReason; 7] = [
        SignInReason::InvalidGrant,
        SignInReason::RefreshInterrupted,
        SignInReason::KeyMissing,
        SignInReason::KeyUnreadable,
        SignInReason::SessionLimit,
        SignInReason::InvalidToken,
        SignInReason::SignedOut,
    ];

    /// The stable code (`invalid_grant`, ...), as stored and as scripts see it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignInReason::InvalidGrant => "invalid_grant",
            SignInReason::RefreshInterrupted => "refresh_interrupted",
            SignInReason::KeyMissing => "key_missing",
            SignInReason::KeyUnreadable => "key_unreadable",
            SignInReason::SessionLimit => "session_limit",
            SignInReason::InvalidToken => "invalid_token",
            SignInReason::SignedOut => "signed_out",
            SignInReason::Unknown => "unknown",
        }
    }

    /// Parses [`as_str`](Self::as_str) output; any other text is [`SignInReason::Unknown`].
    pub fn parse(code: &str) -> Self {
        Self::KNOWN.into_iter().find(|r| r.as_str() == code).unwrap_or(SignInReason::Unknown)
    }

    /// Words for a person.
    pub fn describe(self) -> &'static str {
        match self {
            SignInReason::InvalidGrant => "the server ended the session",
            SignInReason::RefreshInterrupted => {
                "a refresh was interrupted and the server no longer accepts the session"
            }
            SignInReason::KeyMissing => "the session's key is missing from the keychain",
            SignInReason::KeyUnreadable => "the session's keychain item is damaged and cannot be read",
            SignInReason::SessionLimit => "the two-week session limit was reached",
            SignInReason::InvalidToken => "the server no longer accepts the session's tokens",
            SignInReason::SignedOut => "signed out",
            SignInReason::Unknown => "the session can no longer be used",
        }
    }
}

impl std::fmt::Display for SignInReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_unknown_text_is_unknown() {
        for r in SignInReason::KNOWN {
            assert_eq!(SignInReason::parse(r.as_str()), r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert_eq!(SignInReason::parse("from_a_newer_version"), SignInReason::Unknown);
        assert_eq!(SignInReason::parse(""), SignInReason::Unknown);
    }
}
