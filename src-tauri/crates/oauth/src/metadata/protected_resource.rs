//! Protected-resource metadata (RFC 9728; atproto OAuth spec, "Server Metadata").

use serde_json::{Map, Value};

use super::is_origin;
use crate::error::{Error, Step};

/// A PDS's protected-resource metadata, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedResource {
    /// The resource (the PDS origin).
    pub resource: String,
    /// The one authorization server (issuer origin).
    pub authorization_server: String,
}

impl ProtectedResource {
    /// Checks a document fetched from `origin`'s `/.well-known/oauth-protected-resource`:
    /// `resource` equals the origin, and `authorization_servers` has exactly one element,
    /// an origin URL.
    pub fn from_document(origin: &str, doc: &Map<String, Value>, allow_http: bool) -> Result<Self, Error> {
        let bad = |reason: String| Error::invalid(Step::ProtectedResource, reason);
        let resource =
            doc.get("resource").and_then(Value::as_str).ok_or_else(|| bad("no resource".into()))?;
        if resource != origin {
            return Err(bad(format!("resource {resource:?} is not the PDS origin {origin:?}")));
        }
        let servers = doc
            .get("authorization_servers")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no authorization_servers".into()))?;
        let [server] = servers.as_slice() else {
            return Err(bad(format!(
                "authorization_servers must have exactly one element, it has {}",
                servers.len()
            )));
        };
        let server = server.as_str().ok_or_else(|| bad("authorization_servers[0] is not a string".into()))?;
        if !is_origin(server, allow_http) {
            return Err(bad(format!("authorization server {server:?} is not an https origin")));
        }
        Ok(Self { resource: resource.to_owned(), authorization_server: server.to_owned() })
    }
}
