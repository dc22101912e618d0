//! The `redirect_uri` of a login (RFC 6749 §3.1.2; atproto OAuth spec, "Request Fields").

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::InputError;
use crate::newtype::string_newtype;

/// The redirect URI a login was pushed with, repeated in its token request: a loopback
/// `http://127.0.0.1:<port>/callback` or a native client's `<reversed host>:/callback`.
///
/// This is the shape only (an absolute URI without a fragment, RFC 6749 §3.1.2); which
/// redirect URIs this app may use is decided by [`ClientConfig`](super::ClientConfig).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RedirectUri(String);

impl RedirectUri {
    /// Parses a redirect URI: absolute, without a fragment.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        if Url::parse(s).is_ok_and(|u| u.fragment().is_none()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InputError::RedirectUri(s.chars().take(200).collect()))
        }
    }
}

string_newtype!(RedirectUri, "The redirect URI, exactly as it is sent.");
