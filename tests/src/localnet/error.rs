//! Why the local network could not be started or used.

use std::time::Duration;

/// Every way [`super::Network`] can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `tests/localnet/setup.sh` failed.
    #[error("tests/localnet/setup.sh failed ({status}); last lines of {log}:\n{tail}")]
    Setup {
        /// Exit status.
        status: String,
        /// Full log file.
        log: String,
        /// Its last lines.
        tail: String,
    },
    /// `tests/localnet/setup.sh` took too long and was killed.
    #[error("tests/localnet/setup.sh did not finish within {timeout:?}; see {log}")]
    SetupTimeout {
        /// The limit.
        timeout: Duration,
        /// Log file.
        log: String,
    },
    /// A local I/O operation failed (spawning a process, reading a file).
    #[error("could not {what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The network printed no ready line in time; it was killed.
    #[error("the local network was not ready within {timeout:?}; its stderr ends with:\n{stderr}")]
    StartTimeout {
        /// The limit.
        timeout: Duration,
        /// Last lines of the child's stderr.
        stderr: String,
    },
    /// The network exited before it was ready.
    #[error("the local network exited before it was ready ({status}); its stderr ends with:\n{stderr}")]
    Exited {
        /// Exit status.
        status: String,
        /// Last lines of the child's stderr.
        stderr: String,
    },
    /// The ready line (or the file named by `SKYPORT_TESTNET_JSON`) is not what we expect.
    #[error("invalid network description from {origin}: {message}")]
    InvalidInfo {
        /// Where it came from.
        origin: String,
        /// The parse error.
        message: String,
    },
    /// A one-time step (the install, or the shared network's start) failed in this
    /// process; its error is kept and returned to every caller, with no retry.
    #[error("{0} (a one-time step: not retried in this process)")]
    Earlier(String),
    /// The network was started without a client-metadata host.
    #[error("the local network has no client-metadata host (start it with `client_host`)")]
    NoClientHost,
    /// A request could not be sent or its answer not read.
    #[error("request to {url} failed: {source}")]
    Http {
        /// The URL.
        url: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// An XRPC call was answered with an error.
    #[error("{method} failed with HTTP {status}: {error}: {message}")]
    Xrpc {
        /// The XRPC method.
        method: &'static str,
        /// HTTP status.
        status: u16,
        /// The server's `error` field.
        error: String,
        /// The server's `message` field.
        message: String,
    },
    /// The client-metadata host did not accept a document.
    #[error("the client-metadata host answered PUT {url} with HTTP {status}: {body}")]
    Publish {
        /// The document URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// Response body.
        body: String,
    },
}

impl Error {
    pub(crate) fn http(url: &str) -> impl FnOnce(reqwest::Error) -> Self + '_ {
        move |source| Self::Http { url: url.to_owned(), source }
    }
}
