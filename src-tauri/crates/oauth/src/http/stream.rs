//! Streamed requests and responses, for forwarding bodies of any size and type (blobs, CAR
//! files) without holding them in memory.
//!
//! A request body is a [`BodySource`] rather than a stream because DPoP may need to send it
//! twice (a `use_dpop_nonce` challenge, RFC 9449 §9), and an account manager a third time
//! (a refresh after `invalid_token`): each attempt opens the source again.

use std::fmt;
use std::io;
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt as _, TryStreamExt as _};
use url::Url;

use super::{HttpClient, HttpRequest, Method, SendError};

/// A stream of body chunks.
pub type ByteStream = BoxStream<'static, Result<Bytes, io::Error>>;

/// A request body that can be read more than once.
pub trait BodySource: Send + Sync {
    /// Its length in bytes (sent as `Content-Length`).
    fn len(&self) -> u64;
    /// Whether it is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Opens it from the start.
    fn open(&self) -> ByteStream;
}

impl BodySource for Bytes {
    fn len(&self) -> u64 {
        Bytes::len(self) as u64
    }

    fn open(&self) -> ByteStream {
        futures::stream::once(futures::future::ready(Ok(self.clone()))).boxed()
    }
}

/// A request whose body is streamed. Header names are lower case and from a fixed list, as
/// in [`HttpRequest`].
#[derive(Clone)]
pub struct StreamRequest {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: Url,
    /// Header names (lower case) and values.
    pub headers: Vec<(&'static str, String)>,
    /// The body, if any.
    pub body: Option<Arc<dyn BodySource>>,
}

impl fmt::Debug for StreamRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers.iter().map(|(k, _)| *k).collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(|b| b.len()))
            .finish()
    }
}

impl StreamRequest {
    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A response whose body has not been read yet.
pub struct StreamResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values; values that are not visible ASCII are dropped.
    pub headers: Vec<(String, String)>,
    /// The body, as it arrives.
    pub body: ByteStream,
}

impl fmt::Debug for StreamResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish()
    }
}

impl StreamResponse {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Reads the body into memory, up to `cap` bytes (error bodies, tests).
    pub async fn collect(self, cap: usize) -> Result<Vec<u8>, io::Error> {
        let mut out = Vec::new();
        let mut body = self.body;
        while let Some(chunk) = body.try_next().await? {
            if out.len() + chunk.len() > cap {
                return Err(io::Error::other(format!("the body is larger than {cap} bytes")));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

/// What [`HttpClient::send_stream`] does for a client that only has `send` (test fakes):
/// reads the body into memory and sends it whole.
pub(crate) async fn send_buffered<C: HttpClient + ?Sized>(
    client: &C,
    request: StreamRequest,
) -> Result<StreamResponse, SendError> {
    let body = match &request.body {
        Some(source) => {
            let mut bytes = Vec::with_capacity(source.len() as usize);
            let mut stream = source.open();
            while let Some(chunk) = stream.try_next().await.map_err(|e| {
                SendError::Transport(crate::error::TransportError::Io(format!(
                    "reading the request body: {e}"
                )))
            })? {
                bytes.extend_from_slice(&chunk);
            }
            Some(bytes)
        }
        None => None,
    };
    let res = client
        .send(HttpRequest { method: request.method, url: request.url, headers: request.headers, body })
        .await?;
    let body = Bytes::from(res.body);
    Ok(StreamResponse {
        status: res.status,
        headers: res.headers,
        body: futures::stream::once(futures::future::ready(Ok(body))).boxed(),
    })
}
