//! The authorization server's issuer identifier (RFC 8414 §2; atproto OAuth spec, "Server
//! Metadata").

use serde::{Deserialize, Serialize};

use super::is_origin;
use crate::error::InputError;
use crate::newtype::string_newtype;

/// An authorization server's `issuer`: exactly an origin URL (`https://host[:port]`, no path,
/// query, fragment, credentials or default port). Sessions and pending logins are bound to
/// it, and a callback's `iss` must equal it (RFC 9207).
///
/// Plain `http` parses too, because the development profile's servers use it
/// (`http://localhost:2583`); whether http is acceptable is the network profile's decision,
/// made where the metadata is fetched ([`AuthorizationServer::from_document`]).
///
/// [`AuthorizationServer::from_document`]: super::AuthorizationServer::from_document
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Issuer(String);

impl Issuer {
    /// Parses an issuer: an `https` or `http` origin, in its serialised form.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        if is_origin(s, true) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InputError::Issuer(s.chars().take(200).collect()))
        }
    }
}

string_newtype!(Issuer, "The issuer URL, exactly as the server states it.");
