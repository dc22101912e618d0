//! The `http://localhost` development client_id (atproto OAuth spec, "Localhost Client
//! Development").

use url::Url;

use crate::error::ConfigError;
use crate::scope::Scope;

/// A parsed loopback client_id: its virtual scope and redirect URIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopbackClientId {
    /// The declared scope (default `atproto`).
    pub scope: String,
    /// The allowed redirect URIs (default `http://127.0.0.1/` and `http://[::1]/`).
    pub redirect_uris: Vec<String>,
}

impl LoopbackClientId {
    /// Parses and checks a loopback client_id: exactly `http://localhost`, no port, path
    /// empty or `/`, no fragment, only `redirect_uri` (repeatable) and `scope` (once)
    /// parameters, redirects on `127.0.0.1` or `[::1]` over http, scope with `atproto`.
    pub fn parse(client_id: &str) -> Result<Self, ConfigError> {
        let bad = |why: &str| ConfigError::ClientId(format!("{client_id:?}: {why}"));
        let rest = client_id
            .strip_prefix("http://localhost")
            .ok_or_else(|| bad("must start with http://localhost"))?;
        let query = match rest.as_bytes().first() {
            None => None,
            Some(b'/') if rest.len() == 1 => None,
            Some(b'/') if rest.as_bytes().get(1) == Some(&b'?') => Some(&rest[2..]),
            Some(b'?') => Some(&rest[1..]),
            _ => return Err(bad("no port, path or fragment allowed")),
        };
        let mut scope = None;
        let mut redirect_uris = Vec::new();
        if let Some(q) = query {
            if q.contains('#') {
                return Err(bad("no fragment allowed"));
            }
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                match k.as_ref() {
                    "scope" if scope.is_none() => scope = Some(v.into_owned()),
                    "scope" => return Err(bad("scope may appear once")),
                    "redirect_uri" => {
                        check_loopback_redirect(&v).map_err(|why| bad(&why))?;
                        redirect_uris.push(v.into_owned());
                    }
                    other => return Err(bad(&format!("unknown parameter {other:?}"))),
                }
            }
        }
        let scope = scope.unwrap_or_else(|| "atproto".to_owned());
        let parsed = Scope::parse(&scope).map_err(|e| bad(&e.to_string()))?;
        if !parsed.has_atproto() {
            return Err(bad("scope must include atproto"));
        }
        if redirect_uris.is_empty() {
            redirect_uris = vec!["http://127.0.0.1/".to_owned(), "http://[::1]/".to_owned()];
        }
        Ok(Self { scope, redirect_uris })
    }
}

/// A loopback redirect: `http`, host `127.0.0.1` or `[::1]` (never `localhost`).
pub(crate) fn check_loopback_redirect(uri: &str) -> Result<Url, String> {
    let url = Url::parse(uri).map_err(|e| format!("redirect_uri {uri:?}: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!("redirect_uri {uri:?} must use http"));
    }
    match url.host_str() {
        Some("127.0.0.1") | Some("[::1]") => Ok(url),
        Some("localhost") => Err(format!("redirect_uri {uri:?}: use 127.0.0.1, not localhost (RFC 8252)")),
        _ => Err(format!("redirect_uri {uri:?} must be on 127.0.0.1 or [::1]")),
    }
}
