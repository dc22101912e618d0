//! What the user typed to start a login.

use url::Url;

use super::{Did, Handle};
use crate::error::InputError;

/// A login identifier: a handle (`@` optional), a DID, or a PDS / entryway URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginInput {
    /// A handle: resolved to a DID, verified both ways, sent as `login_hint`.
    Handle(Handle),
    /// A DID: resolved to its document, sent as `login_hint`.
    Did(Did),
    /// A server URL: server-first login (atproto OAuth spec, "Identity Authentication"), no `login_hint`.
    Server(Url),
}

impl LoginInput {
    /// Parses user input. Anything with a scheme is a server URL; `did:` starts a DID; the
    /// rest must be a handle.
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InputError::Empty);
        }
        if s.starts_with("did:") {
            return Did::parse(s).map(Self::Did);
        }
        if s.contains("://") {
            let url = Url::parse(s).map_err(|e| InputError::Url(s.to_owned(), e.to_string()))?;
            if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
                return Err(InputError::Url(s.to_owned(), "use an https:// address".into()));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(InputError::Url(s.to_owned(), "credentials are not allowed in the URL".into()));
            }
            return Ok(Self::Server(url));
        }
        Handle::parse(s).map(Self::Handle)
    }

    /// The `login_hint` to send with PAR: the handle or DID as typed, none for URLs (atproto
    /// OAuth spec, "Identity Authentication").
    pub fn login_hint(&self) -> Option<String> {
        match self {
            Self::Handle(h) => Some(h.to_string()),
            Self::Did(d) => Some(d.to_string()),
            Self::Server(_) => None,
        }
    }
}
