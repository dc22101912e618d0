//! The `client_id` string (atproto OAuth spec, "Clients").

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::InputError;
use crate::newtype::string_newtype;

/// The `client_id` a login or session belongs to: an `https` URL (a hosted client-metadata
/// document) or the `http://localhost` development client. The same string is sent to PAR,
/// the authorization URL, the token, refresh and revoke requests.
///
/// This is the shape only. The full rules for either kind (canonical form, no IP host, the
/// loopback query parameters, ...) are checked where the app's own identity is configured,
/// by [`ClientConfig`](super::ClientConfig).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    /// Parses a client_id: an absolute `https` URL, or `http` with host `localhost`.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        let ok = Url::parse(s).is_ok_and(|u| match u.scheme() {
            "https" => u.host().is_some(),
            "http" => u.host_str() == Some("localhost"),
            _ => false,
        });
        if ok { Ok(Self(s.to_owned())) } else { Err(InputError::ClientId(s.chars().take(200).collect())) }
    }
}

string_newtype!(ClientId, "The client_id, exactly as it is sent.");
