//! Server discovery: protected-resource metadata (RFC 9728) and authorization-server
//! metadata (RFC 8414), checked as the atproto OAuth spec requires ("Server Metadata") and
//! cached.

mod authorization_server;
mod discovery;
mod issuer;
mod protected_resource;

pub use authorization_server::AuthorizationServer;
pub use discovery::Discovery;
pub use issuer::Issuer;
pub use protected_resource::ProtectedResource;

use url::Url;

/// The ASCII origin of a URL (`scheme://host[:port]`), the form issuers and resources take.
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether `s` is exactly an origin URL: no path (not even `/`), query, fragment or
/// credentials, and no default port. `http` only when `allow_http` (development).
pub(crate) fn is_origin(s: &str, allow_http: bool) -> bool {
    let Ok(url) = Url::parse(s) else { return false };
    let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
    scheme_ok && url.username().is_empty() && url.password().is_none() && origin(&url) == s
}

#[cfg(test)]
mod tests;
