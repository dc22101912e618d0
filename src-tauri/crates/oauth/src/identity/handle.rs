//! Handles (atproto handle specification): DNS names, case-insensitive.

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::newtype::string_newtype;

/// A syntactically valid handle, normalised to lower case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Handle(String);

/// Top-level domains a handle may not use (atproto handle spec). `.test` is allowed: it is
/// meant for testing, and the local test network uses it.
const DISALLOWED_TLDS: &[&str] =
    &["alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion"];

impl Handle {
    /// Parses a handle; a leading `@` is stripped and the result is lower-cased.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        let bad = || InputError::Handle(s.chars().take(100).collect());
        let h = s.strip_prefix('@').unwrap_or(s).to_ascii_lowercase();
        if h.is_empty() || h.len() > 253 || !h.is_ascii() {
            return Err(bad());
        }
        let labels: Vec<&str> = h.split('.').collect();
        if labels.len() < 2 {
            return Err(bad());
        }
        for label in &labels {
            let ok = (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(bad());
            }
        }
        let tld = labels[labels.len() - 1];
        if tld.as_bytes()[0].is_ascii_digit() || DISALLOWED_TLDS.contains(&tld) {
            return Err(bad());
        }
        Ok(Self(h))
    }
}

string_newtype!(Handle, "The handle, lower case, without `@`.");
