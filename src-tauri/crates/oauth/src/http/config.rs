//! The production HTTP client's limits and settings: plain data, so the protocol core (and
//! the fuzz targets, built without the `net` feature) can carry them without the client.

use std::net::SocketAddr;
use std::time::Duration;

use super::policy::OutboundPolicy;

/// Limits and settings of the production HTTP client: 10 s total, 3 s connect, bodies
/// capped at 1 MiB, no redirects (a "hardened" client, as the atproto OAuth spec's "Security
/// Considerations" recommend against SSRF and denial of service).
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Which destinations are allowed.
    pub policy: OutboundPolicy,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for a whole request, body included.
    pub timeout: Duration,
    /// The largest response body accepted.
    pub max_body: usize,
    /// Time for a whole streamed request ([`HttpClient::send_stream`]: blobs, repository
    /// exports), body included. Streamed bodies have no size cap: they are never held.
    pub stream_timeout: Duration,
    /// Extra trusted root certificates (PEM), for a development network with its own CA.
    pub extra_root_certs: Vec<Vec<u8>>,
    /// Fixed name → address mappings (a development network's made-up host names, tests).
    /// They go through the same address policy as DNS answers.
    pub resolve_overrides: Vec<(String, SocketAddr)>,
}

impl HttpConfig {
    /// Production limits with the given policy.
    pub fn new(policy: OutboundPolicy) -> Self {
        Self {
            policy,
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(10),
            max_body: 1024 * 1024,
            stream_timeout: Duration::from_secs(300),
            extra_root_certs: Vec::new(),
            resolve_overrides: Vec::new(),
        }
    }
}
