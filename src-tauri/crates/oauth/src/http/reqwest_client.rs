//! The production [`HttpClient`], on reqwest with rustls.

use std::error::Error as StdError;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::HttpConfig;
use super::policy::OutboundPolicy;
use futures::{StreamExt as _, TryStreamExt as _};

use super::{HttpClient, HttpRequest, HttpResponse, Method, SendError, StreamRequest, StreamResponse};
use crate::error::{ConfigError, ConnectFailure, ForbiddenReason, TransportError};

/// An [`HttpClient`] that enforces [`OutboundPolicy`] before sending and after DNS.
#[derive(Clone)]
pub struct ReqwestClient {
    inner: reqwest::Client,
    config: Arc<HttpConfig>,
}

impl fmt::Debug for ReqwestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestClient").field("config", &self.config).finish_non_exhaustive()
    }
}

impl ReqwestClient {
    /// Builds a client.
    pub fn new(config: HttpConfig) -> Result<Self, ConfigError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .no_proxy()
            .user_agent(concat!("skyport/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PolicyResolver {
                policy: config.policy,
                overrides: config.resolve_overrides.clone(),
            }));
        for pem in &config.extra_root_certs {
            let cert = reqwest::Certificate::from_pem(pem)
                .map_err(|e| ConfigError::Network(format!("extra root certificate: {e}")))?;
            builder = builder.add_root_certificate(cert);
        }
        let inner = builder.build().map_err(|e| ConfigError::Network(e.to_string()))?;
        Ok(Self { inner, config: Arc::new(config) })
    }
}

impl ReqwestClient {
    /// A request to a destination the policy allows, with its headers.
    fn request(
        &self,
        method: Method,
        url: url::Url,
        headers: Vec<(&'static str, String)>,
    ) -> Result<reqwest::RequestBuilder, SendError> {
        self.config.policy.check_url(&url).map_err(SendError::Forbidden)?;
        let method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut builder = self.inner.request(method, url);
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        Ok(builder)
    }
}

#[async_trait]
impl HttpClient for ReqwestClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError> {
        let mut builder = self.request(request.method, request.url, request.headers)?;
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
            .collect();
        let cap = self.config.max_body;
        if response.content_length().is_some_and(|len| len > cap as u64) {
            return Err(SendError::TooLarge(cap));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > cap {
                return Err(SendError::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse { status, headers, body })
    }

    async fn send_stream(&self, request: StreamRequest) -> Result<StreamResponse, SendError> {
        let mut builder =
            self.request(request.method, request.url, request.headers)?.timeout(self.config.stream_timeout);
        if let Some(source) = request.body {
            builder = builder
                .header(reqwest::header::CONTENT_LENGTH, source.len())
                .body(reqwest::Body::wrap_stream(source.open()));
        }
        let response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
            .collect();
        let body = response.bytes_stream().map_err(std::io::Error::other).boxed();
        Ok(StreamResponse { status, headers, body })
    }
}

/// Maps a reqwest error to a cause, finding our own resolver's verdicts in its source chain.
fn classify(e: reqwest::Error) -> SendError {
    let mut source: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<Refused>() {
            return SendError::Forbidden(refused.0.clone());
        }
        if let Some(NotFound { lookup_failed }) = s.downcast_ref::<NotFound>() {
            return SendError::Transport(if *lookup_failed {
                TransportError::DnsUnavailable
            } else {
                TransportError::NoSuchHost
            });
        }
        source = s.source();
    }
    if e.is_timeout() {
        SendError::Transport(TransportError::Timeout)
    } else if e.is_connect() {
        SendError::Transport(TransportError::Connect { kind: connect_failure(&e), detail: root_message(&e) })
    } else {
        SendError::Transport(TransportError::Io(root_message(&e)))
    }
}

/// Why a connection failed, from the I/O error in the chain (or the TLS layer's words).
fn connect_failure(e: &(dyn StdError + 'static)) -> ConnectFailure {
    let mut source = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return ConnectFailure::Refused,
                std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable => {
                    return ConnectFailure::Unreachable;
                }
                _ => {}
            }
        }
        let text = s.to_string().to_ascii_lowercase();
        if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
            return ConnectFailure::Tls;
        }
        source = s.source();
    }
    ConnectFailure::Other
}

/// Whether a failed system lookup (getaddrinfo) said the name does not exist, rather than
/// that it could not ask (no network: "Temporary failure in name resolution"). Only the
/// system's own "no such name" answers count; anything else is a failed lookup, so that a
/// computer without a network is never told a name does not exist.
fn says_no_such_name(e: &std::io::Error) -> bool {
    let text = e.to_string();
    [
        "Name or service not known",
        "No address associated with hostname",
        "nodename nor servname provided",
        "No such host is known",
    ]
    .iter()
    .any(|t| text.contains(t))
}

fn root_message(e: &(dyn StdError + 'static)) -> String {
    let mut last = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last.chars().take(200).collect()
}

/// Resolves with the system resolver, then drops every address the policy refuses.
struct PolicyResolver {
    policy: OutboundPolicy,
    overrides: Vec<(String, SocketAddr)>,
}

#[derive(Debug)]
struct Refused(ForbiddenReason);
impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl StdError for Refused {}

#[derive(Debug)]
struct NotFound {
    /// The lookup itself failed (no network, no DNS server), rather than finding no name.
    lookup_failed: bool,
}
impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.lookup_failed { "the host name lookup failed" } else { "host name not found" })
    }
}
impl StdError for NotFound {}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        let fixed: Vec<SocketAddr> =
            self.overrides.iter().filter(|(n, _)| n.eq_ignore_ascii_case(&host)).map(|(_, a)| *a).collect();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = if fixed.is_empty() {
                policy
                    .check_name(&host)
                    .map_err(|r| Box::new(Refused(r)) as Box<dyn StdError + Send + Sync>)?;
                tokio::net::lookup_host((host.as_str(), 0))
                    .await
                    .map_err(|e| {
                        Box::new(NotFound { lookup_failed: !says_no_such_name(&e) })
                            as Box<dyn StdError + Send + Sync>
                    })?
                    .collect()
            } else {
                fixed
            };
            if addrs.is_empty() {
                return Err(Box::new(NotFound { lookup_failed: false }) as Box<dyn StdError + Send + Sync>);
            }
            let mut refused = None;
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match policy.check_ip(a.ip()) {
                    Ok(()) => true,
                    Err(r) => {
                        refused = Some(r);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let reason = refused.unwrap_or(ForbiddenReason::LocalName);
                return Err(Box::new(Refused(reason)) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::http::HttpRequest;

    fn client(allow_loopback: bool, overrides: Vec<(String, SocketAddr)>) -> ReqwestClient {
        let mut config = HttpConfig::new(OutboundPolicy { allow_loopback });
        config.resolve_overrides = overrides;
        config.connect_timeout = Duration::from_secs(1);
        ReqwestClient::new(config).unwrap()
    }

    async fn refused(client: &ReqwestClient, url: &str) -> ForbiddenReason {
        match client.send(HttpRequest::get(url::Url::parse(url).unwrap())).await {
            Err(SendError::Forbidden(reason)) => reason,
            other => panic!("{url}: expected a refusal, got {other:?}"),
        }
    }

    /// A public-looking name whose DNS answer is a private, loopback or link-local address is
    /// refused after resolution, before any connection is made.
    #[tokio::test]
    async fn names_resolving_to_non_public_addresses_are_refused() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        for ip in ["127.0.0.1", "10.0.0.7", "192.168.1.20", "169.254.169.254", "[::1]", "[fd00::1]"] {
            let addr: SocketAddr = format!("{ip}:{port}").parse().unwrap();
            let c = client(false, vec![("pds.innocent.example".into(), addr)]);
            let reason = refused(&c, &format!("https://pds.innocent.example:{port}/xrpc/_health")).await;
            assert!(matches!(reason, ForbiddenReason::PrivateAddress(_)), "{ip}: {reason:?}");
        }
        listener.set_nonblocking(true).unwrap();
        assert!(listener.accept().is_err(), "no connection was made");
    }

    /// The development profile reaches loopback, and only loopback.
    #[tokio::test]
    async fn development_reaches_loopback_only() {
        let loopback: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let private: SocketAddr = "10.0.0.7:9".parse().unwrap();
        let c = client(true, vec![("dev.example".into(), loopback), ("lan.example".into(), private)]);
        let res = c.send(HttpRequest::get(url::Url::parse("https://dev.example:9/").unwrap())).await;
        assert!(
            matches!(res, Err(SendError::Transport(_))),
            "loopback is reached (nothing listens): {res:?}"
        );
        assert!(matches!(refused(&c, "https://lan.example:9/").await, ForbiddenReason::PrivateAddress(_)));
        assert_eq!(refused(&c, "http://lan.example:9/").await, ForbiddenReason::InsecureScheme);
    }

    /// Redirects are not followed: a 3xx comes back as it is.
    #[tokio::test]
    async fn redirects_are_not_followed() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        let c = client(true, vec![]);
        let res = c
            .send(HttpRequest::get(url::Url::parse(&format!("http://localhost:{port}/")).unwrap()))
            .await
            .unwrap();
        assert_eq!(res.status, 302);
    }
}
