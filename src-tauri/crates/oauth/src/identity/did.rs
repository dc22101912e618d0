//! Decentralized identifiers (atproto DID specification).

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::newtype::string_newtype;

/// A syntactically valid DID (`did:<method>:<id>`), with `did:plc` and `did:web` the methods
/// atproto accounts use.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Did(String);

/// The most characters a DID may have (atproto DID spec).
const MAX_LEN: usize = 2048;

impl Did {
    /// Parses a DID. Only `did:plc` and `did:web` are accepted: they are the methods atproto
    /// supports, and the only ones Skyport can resolve.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        let bad = || InputError::Did(s.chars().take(100).collect());
        if s.len() > MAX_LEN || !s.is_ascii() {
            return Err(bad());
        }
        let rest = s.strip_prefix("did:").ok_or_else(bad)?;
        let (method, id) = rest.split_once(':').ok_or_else(bad)?;
        if id.is_empty() || id.ends_with(':') || id.ends_with('%') {
            return Err(bad());
        }
        if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:%-".contains(&b)) {
            return Err(bad());
        }
        match method {
            // did:plc: 24 characters of base32 (a–z, 2–7).
            "plc"
                if id.len() == 24
                    && id.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)) => {}
            // did:web: a host name, optionally with a percent-encoded port. This is syntax
            // only: whether a port or plain http is allowed depends on the network profile,
            // and `IdentityResolver` decides it before fetching the document.
            "web" if !id.contains(':') && !id.is_empty() => {}
            _ => return Err(bad()),
        }
        Ok(Self(s.to_owned()))
    }

    /// The DID method (`plc` or `web`).
    pub fn method(&self) -> &str {
        self.0.split(':').nth(1).unwrap_or_default()
    }

    /// For `did:web`, the host (with `%3A` decoded to `:` for a port). A port is only
    /// syntax here: the resolver refuses it unless the host is `localhost` and the profile is
    /// development ([`InputError::DidWebPort`]).
    pub fn web_host(&self) -> Option<String> {
        self.0.strip_prefix("did:web:").map(|h| h.replace("%3A", ":").replace("%3a", ":"))
    }
}

string_newtype!(Did, "The DID string.");
