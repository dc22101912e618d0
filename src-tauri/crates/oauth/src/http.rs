//! HTTP as a seam: the protocol code sends [`HttpRequest`]s through an [`HttpClient`].
//!
//! The production client ([`ReqwestClient`]) follows no redirects, caps body size and time,
//! and enforces the outbound policy (SSRF protection, atproto OAuth spec, "Security
//! Considerations") on every request: https only,
//! public addresses only (checked after DNS resolution), loopback only in the development
//! profile. Tests swap in servers on `127.0.0.1:0` with the development profile, or a fake
//! client.

mod config;
mod policy;
#[cfg(feature = "net")]
mod reqwest_client;
mod stream;

use async_trait::async_trait;
use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, Step, TransportError};
pub use crate::http_date::parse as parse_http_date;
pub use config::HttpConfig;
pub use policy::OutboundPolicy;
#[cfg(feature = "net")]
pub use reqwest_client::ReqwestClient;
pub use stream::{BodySource, ByteStream, StreamRequest, StreamResponse};

/// An HTTP method the core uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

impl Method {
    /// The method as sent on the wire (and in DPoP `htm`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request. Bodies are bytes so that a retry can replay them exactly.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: Url,
    /// Header names (lower case) and values.
    pub headers: Vec<(&'static str, String)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    /// A GET request.
    pub fn get(url: Url) -> Self {
        Self { method: Method::Get, url, headers: Vec::new(), body: None }
    }

    /// A POST with an `application/x-www-form-urlencoded` body.
    pub fn post_form(url: Url, form: &[(&str, &str)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        Self {
            method: Method::Post,
            url,
            headers: vec![("content-type", "application/x-www-form-urlencoded".into())],
            body: Some(body.into_bytes()),
        }
    }

    /// A POST with a JSON body.
    pub fn post_json(url: Url, body: &Value) -> Self {
        Self {
            method: Method::Post,
            url,
            headers: vec![("content-type", "application/json".into())],
            body: Some(serde_json::to_vec(body).unwrap_or_default()),
        }
    }

    /// Adds `Accept: application/json`.
    pub fn accept_json(mut self) -> Self {
        self.headers.push(("accept", "application/json".into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A response with its whole (size-capped) body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values; values that are not visible ASCII are dropped.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether `Content-Type` is `application/json` (parameters such as charset allowed).
    pub fn is_json(&self) -> bool {
        self.header("content-type")
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
    }

    /// The body as a JSON object; the content type must be JSON.
    pub fn json_object(&self, step: Step) -> Result<Map<String, Value>, Error> {
        if !self.is_json() {
            return Err(Error::invalid(
                step,
                format!(
                    "expected application/json, got {:?} (HTTP {})",
                    self.header("content-type").unwrap_or("no content type"),
                    self.status
                ),
            ));
        }
        match serde_json::from_slice(&self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(Error::invalid(step, "the JSON body is not an object")),
            Err(e) => Err(Error::invalid(step, format!("the body is not valid JSON: {e}"))),
        }
    }
}

/// Sends requests. Implementations must not follow redirects.
#[async_trait]
pub trait HttpClient: Send + Sync {
    /// Sends one request and reads the whole response body (up to the client's cap).
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError>;

    /// Sends one request with a streamed body and returns before reading the response body.
    /// The default reads both into memory through [`send`](Self::send) (for fakes).
    async fn send_stream(&self, request: StreamRequest) -> Result<StreamResponse, SendError> {
        stream::send_buffered(self, request).await
    }
}

/// Why a request could not produce a response.
#[derive(Debug, Clone)]
pub enum SendError {
    /// The network failed.
    Transport(TransportError),
    /// The outbound policy refused the destination.
    Forbidden(crate::error::ForbiddenReason),
    /// The body was larger than the cap.
    TooLarge(usize),
}

/// [`HttpClient::send`] with errors tagged by protocol step.
#[async_trait]
pub trait Fetch {
    /// Sends `request` for `step`.
    async fn fetch(&self, step: Step, request: HttpRequest) -> Result<HttpResponse, Error>;
}

#[async_trait]
impl<T: HttpClient + ?Sized> Fetch for T {
    async fn fetch(&self, step: Step, request: HttpRequest) -> Result<HttpResponse, Error> {
        let url = request.url.clone();
        self.send(request).await.map_err(|e| send_error(step, &url, e))
    }
}

/// The core's error for a request to `url` that produced no response.
pub(crate) fn send_error(step: Step, url: &Url, e: SendError) -> Error {
    match e {
        SendError::Transport(source) => Error::Transport { step, source },
        SendError::Forbidden(reason) => Error::Forbidden { url: url.to_string(), reason },
        SendError::TooLarge(cap) => {
            Error::invalid(step, format!("the response body is larger than {cap} bytes"))
        }
    }
}

/// GETs a JSON metadata document: HTTP 200 exactly (no redirect), `application/json`, a
/// JSON object (atproto OAuth spec, "Client ID Metadata Document" and "Server Metadata").
/// Retries up to 3 attempts on 5xx and broken
/// connections (not timeouts), with exponential backoff.
pub(crate) async fn get_metadata(
    http: &dyn HttpClient,
    step: Step,
    url: Url,
) -> Result<Map<String, Value>, Error> {
    let mut delay = std::time::Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        let result = http.fetch(step, HttpRequest::get(url.clone()).accept_json()).await;
        // Retry server trouble and broken connections, not timeouts: a server that is slow
        // once will be slow again, and the user should not wait three times as long.
        let retryable = match &result {
            Ok(res) => res.status >= 500,
            Err(e) => matches!(
                e,
                Error::Transport { source: TransportError::Connect { .. } | TransportError::Io(_), .. }
            ),
        };
        if !retryable || attempt == 3 {
            let res = result?;
            return match res.status {
                200 => res.json_object(step),
                300..=399 => Err(Error::invalid(
                    step,
                    format!("HTTP {}: metadata must be served directly, not redirected", res.status),
                )),
                500..=599 => Err(Error::ServerUnavailable { step, status: res.status }),
                s => Err(Error::invalid(step, format!("HTTP {s} (expected 200)"))),
            };
        }
        tokio::time::sleep(delay).await;
        delay *= 2;
        attempt += 1;
    }
}
