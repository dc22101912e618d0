//! atproto scopes and permissions (atproto permission spec, <https://atproto.com/specs/permission>).
//!
//! A scope string is space-separated tokens. Each token is
//! `resource[:positional][?key=value(&key=value)*]`. Known resources are checked against the
//! permission rules; unknown ones are kept as opaque strings (the permission system grows).
//! This module parses; [`describe`] puts tokens in plain words.

mod coverage;
pub mod describe;
mod parse;
mod permission_set;
mod text;

use std::fmt;

pub use coverage::Granted;
pub use parse::is_nsid;
pub use parse::{AccountAction, AccountAttr, Permission, RepoAction, Transition};
pub use permission_set::{PermissionSet, PermissionSetError};
pub use text::ScopeText;

use crate::error::InputError;

/// One scope token: the raw string as sent and its parsed meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeToken {
    raw: String,
    permission: Permission,
}

impl ScopeToken {
    /// Parses one token.
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        Ok(Self { raw: raw.to_owned(), permission: parse::permission(raw)? })
    }

    /// The token as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// What it grants.
    pub fn permission(&self) -> &Permission {
        &self.permission
    }
}

/// A parsed scope string, in the order given, without duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    tokens: Vec<ScopeToken>,
}

impl Scope {
    /// Parses a space-separated scope string (RFC 6749 §3.3). Duplicate tokens are an error:
    /// the scope is a set, and a repeated token is a malformed declaration.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        let mut tokens: Vec<ScopeToken> = Vec::new();
        for raw in s.split(' ').filter(|t| !t.is_empty()) {
            if tokens.iter().any(|t| t.raw == raw) {
                return Err(InputError::Scope(format!("{raw:?} appears twice")));
            }
            tokens.push(ScopeToken::parse(raw)?);
        }
        Ok(Self { tokens })
    }

    /// The tokens, in order.
    pub fn tokens(&self) -> &[ScopeToken] {
        &self.tokens
    }

    /// Whether the exact token is present (`atproto` must be a token, not a substring).
    pub fn contains(&self, token: &str) -> bool {
        self.tokens.iter().any(|t| t.raw == token)
    }

    /// Whether `atproto` is present (required in every request and grant).
    pub fn has_atproto(&self) -> bool {
        self.contains("atproto")
    }

    /// Whether every token of `self` is a token of `other` (request ⊆ declared scope).
    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.tokens.iter().all(|t| other.contains(&t.raw))
    }

    /// The tokens of `other` that `self` lacks.
    pub fn missing_from(&self, other: &Scope) -> Vec<String> {
        other.tokens.iter().filter(|t| !self.contains(&t.raw)).map(|t| t.raw.clone()).collect()
    }

    /// Canonical form: tokens sorted bytewise, joined by single spaces.
    pub fn canonical(&self) -> String {
        let mut raw: Vec<&str> = self.tokens.iter().map(|t| t.raw.as_str()).collect();
        raw.sort_unstable();
        raw.join(" ")
    }

    /// Canonical form without tokens a wildcard of the same resource already covers.
    pub fn reduced(&self) -> String {
        let mut raw: Vec<&str> = self
            .tokens
            .iter()
            .filter(|t| !self.tokens.iter().any(|o| o.raw != t.raw && o.permission.subsumes(&t.permission)))
            .map(|t| t.raw.as_str())
            .collect();
        raw.sort_unstable();
        raw.join(" ")
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for t in &self.tokens {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(&t.raw)?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
