//! A scope string as it was sent or granted, kept byte for byte.

use serde::{Deserialize, Serialize};

use super::Scope;
use crate::error::InputError;
use crate::newtype::string_newtype;

/// The scope a login asked for or a server granted, as the exact space-separated text
/// (RFC 6749 §3.3). It always contains the `atproto` token, which every request and every
/// grant must include (atproto OAuth spec, "Authorization Scopes").
///
/// Unlike [`Scope`], the text is not parsed into permissions: a server may grant tokens this
/// version does not understand, and the session must still be stored and shown as granted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ScopeText(String);

impl ScopeText {
    /// Takes a scope string as it is; it must contain the `atproto` token.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        if s.split(' ').any(|t| t == "atproto") {
            Ok(Self(s.to_owned()))
        } else {
            Err(InputError::Scope(format!(
                "{:?} does not include atproto",
                s.chars().take(200).collect::<String>()
            )))
        }
    }

    /// The text of a parsed scope (its tokens in order, one space apart); it must contain
    /// `atproto`.
    pub fn from_scope(scope: &Scope) -> Result<Self, InputError> {
        Self::parse(&scope.to_string())
    }
}

string_newtype!(ScopeText, "The scope text, exactly as sent or granted.");
