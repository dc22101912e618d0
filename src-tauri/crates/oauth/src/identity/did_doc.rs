//! DID documents: the PDS endpoint and the claimed handle (atproto DID specification).

use serde_json::Value;
use url::Url;

use super::{Did, Handle};
use crate::error::{Error, IdentityError, Step};

/// The parts of a DID document atproto uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DidDocument {
    /// The document's `id`.
    pub id: Did,
    /// The first syntactically valid `at://` handle in `alsoKnownAs`, if any.
    pub handle: Option<Handle>,
    /// The `#atproto_pds` service endpoint (scheme, host and port only), if any.
    pub pds: Option<Url>,
}

impl DidDocument {
    /// Parses a document fetched for `expected`. The `id` must equal the DID asked for.
    pub fn parse(expected: &Did, body: &[u8]) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| Error::invalid(Step::ResolveDid, format!("the DID document is not JSON: {e}")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| Error::invalid(Step::ResolveDid, "the DID document is not a JSON object"))?;
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid(Step::ResolveDid, "the DID document has no id"))?;
        if id != expected.as_str() {
            return Err(IdentityError::DocumentIdMismatch {
                expected: expected.to_string(),
                actual: id.chars().take(200).collect(),
            }
            .into());
        }
        let handle = obj
            .get("alsoKnownAs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|aka| aka.strip_prefix("at://"))
            .find_map(|h| Handle::parse(h).ok());
        let pds = obj
            .get("service")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|s| is_atproto_pds(s, id))
            .and_then(|s| s.get("serviceEndpoint"))
            .and_then(Value::as_str)
            .and_then(service_origin);
        Ok(Self { id: expected.clone(), handle, pds })
    }

    /// The PDS, or an error naming the DID.
    pub fn require_pds(&self) -> Result<&Url, Error> {
        self.pds.as_ref().ok_or_else(|| IdentityError::NoPds { did: self.id.to_string() }.into())
    }
}

fn is_atproto_pds(service: &Value, did: &str) -> bool {
    let id = service.get("id").and_then(Value::as_str).unwrap_or_default();
    let ty = service.get("type").and_then(Value::as_str).unwrap_or_default();
    let id_ok = id == "#atproto_pds" || id.strip_prefix(did) == Some("#atproto_pds");
    id_ok && ty == "AtprotoPersonalDataServer"
}

/// A service endpoint is an http(s) URL of scheme, host and optional port only.
fn service_origin(s: &str) -> Option<Url> {
    let url = Url::parse(s).ok()?;
    let plain = matches!(url.scheme(), "https" | "http")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none()
        && url.path() == "/";
    plain.then_some(url)
}
