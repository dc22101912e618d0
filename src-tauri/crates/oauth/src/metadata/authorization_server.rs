//! Authorization-server metadata (RFC 8414), with every check the atproto OAuth spec
//! requires ("Server Metadata").

use serde_json::{Map, Value};
use url::Url;

use super::{Issuer, is_origin};
use crate::error::{Error, IdentityError, Step};

/// An authorization server's metadata, checked against the atproto profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationServer {
    /// The issuer (an origin).
    pub issuer: Issuer,
    /// Where the browser goes.
    pub authorization_endpoint: Url,
    /// Code exchange and refresh.
    pub token_endpoint: Url,
    /// Pushed authorization requests.
    pub par_endpoint: Url,
    /// Token revocation, if advertised.
    pub revocation_endpoint: Option<Url>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
}

impl AuthorizationServer {
    /// Checks a document fetched for `expected_issuer` (the fetch origin, which is also the
    /// protected resource's `authorization_servers[0]` when there is one). `resource` is the
    /// PDS origin when the document was reached from a PDS.
    pub fn from_document(
        expected_issuer: &str,
        resource: Option<&str>,
        doc: &Map<String, Value>,
        allow_http: bool,
    ) -> Result<Self, Error> {
        let bad = |reason: String| Error::invalid(Step::AuthorizationServer, reason);
        let issuer = doc.get("issuer").and_then(Value::as_str).ok_or_else(|| bad("no issuer".into()))?;
        if issuer != expected_issuer {
            return Err(IdentityError::MetadataIssuerMismatch {
                expected: expected_issuer.to_owned(),
                actual: issuer.chars().take(200).collect(),
            }
            .into());
        }
        if !is_origin(issuer, allow_http) {
            return Err(bad(format!("issuer {issuer:?} is not an https origin")));
        }
        let issuer = Issuer::parse(issuer).map_err(|e| bad(e.to_string()))?;
        let endpoint = |name: &str| -> Result<Url, Error> {
            let s = doc.get(name).and_then(Value::as_str).ok_or_else(|| bad(format!("no {name}")))?;
            let url = Url::parse(s).map_err(|e| bad(format!("{name}: {e}")))?;
            let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
            if !scheme_ok || url.host().is_none() || url.fragment().is_some() {
                return Err(bad(format!("{name} {s:?} is not an https URL")));
            }
            Ok(url)
        };
        let authorization_endpoint = endpoint("authorization_endpoint")?;
        let token_endpoint = endpoint("token_endpoint")?;
        let par_endpoint = endpoint("pushed_authorization_request_endpoint")?;
        let revocation_endpoint = if doc.contains_key("revocation_endpoint") {
            Some(endpoint("revocation_endpoint")?)
        } else {
            None
        };

        let list = |name: &str| -> Vec<&str> {
            doc.get(name).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
        };
        let require = |name: &str, needed: &[&str]| -> Result<(), Error> {
            let have = list(name);
            match needed.iter().find(|n| !have.contains(n)) {
                Some(missing) => Err(bad(format!("{name} does not include {missing:?}"))),
                None => Ok(()),
            }
        };
        require("response_types_supported", &["code"])?;
        require("grant_types_supported", &["authorization_code", "refresh_token"])?;
        require("code_challenge_methods_supported", &["S256"])?;
        require("token_endpoint_auth_methods_supported", &["none", "private_key_jwt"])?;
        require("token_endpoint_auth_signing_alg_values_supported", &["ES256"])?;
        if list("token_endpoint_auth_signing_alg_values_supported").contains(&"none") {
            return Err(bad("token_endpoint_auth_signing_alg_values_supported includes \"none\"".into()));
        }
        require("scopes_supported", &["atproto"])?;
        require("dpop_signing_alg_values_supported", &["ES256"])?;
        for flag in [
            "authorization_response_iss_parameter_supported",
            "require_pushed_authorization_requests",
            "client_id_metadata_document_supported",
        ] {
            if doc.get(flag) != Some(&Value::Bool(true)) {
                return Err(bad(format!("{flag} must be true")));
            }
        }
        if doc.get("require_request_uri_registration") == Some(&Value::Bool(false)) {
            return Err(bad("require_request_uri_registration must not be false".into()));
        }
        if let (Some(resource), Some(list)) =
            (resource, doc.get("protected_resources").and_then(Value::as_array))
            && !list.iter().any(|r| r.as_str() == Some(resource))
        {
            return Err(bad(format!("protected_resources does not include {resource:?}")));
        }
        Ok(Self {
            issuer,
            authorization_endpoint,
            token_endpoint,
            par_endpoint,
            revocation_endpoint,
            scopes_supported: list("scopes_supported").into_iter().map(str::to_owned).collect(),
        })
    }
}
