//! DPoP-bound XRPC calls to the account's PDS (RFC 9449 §7; atproto OAuth spec,
//! "Demonstrating Proof of Possession (DPoP)").

use serde_json::Value;

use crate::dpop::DpopKey;
use crate::error::{Error, InputError, Step};
use crate::http::{HttpRequest, Method};
use crate::session::SessionInfo;
use crate::untrusted::UntrustedText;
use crate::wire::Wire;

/// An XRPC call: a query (GET with parameters) or a procedure (POST with a JSON body).
#[derive(Debug, Clone)]
pub struct XrpcRequest {
    /// GET for queries, POST for procedures.
    pub method: Method,
    /// The method NSID, e.g. `com.atproto.server.getSession`.
    pub nsid: String,
    /// Query parameters.
    pub params: Vec<(String, String)>,
    /// The JSON input of a procedure.
    pub input: Option<Value>,
}

impl XrpcRequest {
    /// A query.
    pub fn query(nsid: &str) -> Self {
        Self { method: Method::Get, nsid: nsid.to_owned(), params: Vec::new(), input: None }
    }

    /// A procedure with a JSON body.
    pub fn procedure(nsid: &str, input: Value) -> Self {
        Self { method: Method::Post, nsid: nsid.to_owned(), params: Vec::new(), input: Some(input) }
    }

    /// Adds a query parameter.
    pub fn param(mut self, key: &str, value: &str) -> Self {
        self.params.push((key.to_owned(), value.to_owned()));
        self
    }
}

/// A successful XRPC response.
#[derive(Debug, Clone)]
pub struct XrpcResponse {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The JSON body (`Null` when the body is empty or not JSON).
    pub body: Value,
    /// The raw body (for binary answers such as blobs).
    pub bytes: Vec<u8>,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
}

/// Sends one XRPC call. `invalid_token` comes back as [`Error::InvalidToken`] so the caller
/// can refresh once and retry; other non-2xx answers become [`Error::Xrpc`].
pub(crate) async fn call(
    wire: &Wire,
    session: &SessionInfo,
    key: &DpopKey,
    access_token: &str,
    request: &XrpcRequest,
) -> Result<XrpcResponse, Error> {
    if !crate::scope::is_nsid(&request.nsid) {
        return Err(InputError::Url(request.nsid.clone(), "not a method NSID".into()).into());
    }
    let mut url = session
        .pds
        .join(&format!("/xrpc/{}", request.nsid))
        .map_err(|e| Error::invalid(Step::Resource, e.to_string()))?;
    if !request.params.is_empty() {
        url.query_pairs_mut().extend_pairs(request.params.iter());
    }
    let http_request = match (request.method, &request.input) {
        (Method::Post, Some(input)) => HttpRequest::post_json(url, input),
        (Method::Post, None) => HttpRequest { method: Method::Post, url, headers: vec![], body: None },
        (Method::Get, _) => HttpRequest::get(url),
    }
    .accept_json();
    let res = wire.send_to_resource(key, access_token, http_request).await?;
    let body: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
    if !(200..300).contains(&res.status) {
        let text = |k: &str| body.get(k).and_then(Value::as_str);
        return Err(Error::Xrpc {
            status: res.status,
            error: text("error").map(|e| e.chars().take(128).collect()),
            message: text("message").map(UntrustedText::new),
        });
    }
    let content_type = res.header("content-type").map(str::to_owned);
    Ok(XrpcResponse { status: res.status, body, bytes: res.body, content_type })
}
