//! A real AT Protocol network on loopback: PLC directory + PDS with its OAuth server.
//!
//! [`Network::start`] installs the Node side if needed (`tests/localnet/setup.sh`: Node 22
//! from the npm registry and the pinned `@atproto/pds`), then runs
//! `tests/localnet/start-network.mjs` and reads the one JSON line it prints when ready.
//! The child's stdin is a pipe, so the network stops by itself when the test process
//! ends, even if it is killed; [`Drop`] stops it earlier.
//!
//! What the network gives a client (see `tests/localnet/start-network.mjs`):
//! - the PDS at `http://localhost:PORT`, which is also the OAuth issuer (dev mode:
//!   **plain http**, so a strict client needs a test-only switch to allow it);
//! - handles under `.test`, resolvable only through the PDS's
//!   `com.atproto.identity.resolveHandle` ([`Network::handle_resolver`]), and DIDs in the
//!   local PLC directory ([`Network::plc_url`]);
//! - optionally an HTTPS host (default [`DEFAULT_CLIENT_HOST`]) for discoverable
//!   `client_id` documents, trusted and resolved to 127.0.0.1 by the PDS process only.
//!   The PDS caches client metadata for 10 minutes per URL: publish each variant under
//!   a fresh path ([`unique_suffix`]).

mod accounts;
mod client_host;
mod error;
mod info;
mod install;
mod process;
mod request_log;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

pub use accounts::unique_suffix;
pub use error::Error;
pub use info::{Account, AppView, ClientHost, Lexicons, NetworkInfo};
pub use request_log::{PdsRequest, token_hash};

use process::NodeProcess;

/// The client-metadata host name used by default. Not a local TLD (the provider refuses
/// those) and not under `example.com` (its fetcher refuses those); the matching
/// private-use redirect scheme is [`DEFAULT_CLIENT_SCHEME`].
pub const DEFAULT_CLIENT_HOST: &str = "app.skyport-test.dev";

/// The private-use URI scheme that goes with [`DEFAULT_CLIENT_HOST`] (the host reversed).
pub const DEFAULT_CLIENT_SCHEME: &str = "dev.skyport-test.app";

/// Environment variable naming a file with the ready line of a network started by a
/// script; [`Network::shared`] then uses that network instead of spawning one.
pub const TESTNET_JSON_ENV: &str = "SKYPORT_TESTNET_JSON";

/// How to start a [`Network`].
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// Accounts created at start, as `(handle, password)`; handles must end in `.test`.
    pub accounts: Vec<(String, String)>,
    /// Host name of the HTTPS client-metadata host, or `None` for no such host.
    pub client_host: Option<String>,
    /// How long to wait for the ready line once Node is installed.
    pub start_timeout: Duration,
    /// How long the one-off install may take (cold: about two minutes).
    pub setup_timeout: Duration,
    /// Pass `--log`: the PDS logs to the child's stderr (kept in error reports).
    pub log: bool,
}

impl Default for StartOptions {
    fn default() -> Self {
        Self {
            accounts: vec![
                ("alice.test".into(), "alice-pass".into()),
                ("bob.test".into(), "bob-pass".into()),
            ],
            client_host: Some(DEFAULT_CLIENT_HOST.into()),
            start_timeout: Duration::from_secs(120),
            setup_timeout: Duration::from_secs(15 * 60),
            log: false,
        }
    }
}

/// A running local network (or one described by [`TESTNET_JSON_ENV`]).
#[derive(Debug)]
pub struct Network {
    info: NetworkInfo,
    /// `None` when the network was started by someone else.
    child: Option<NodeProcess>,
}

impl Network {
    /// Installs the Node side if needed, starts a fresh network and waits until it is ready.
    ///
    /// This blocks the calling thread (for about 3 s when installed).
    pub fn start(opts: &StartOptions) -> Result<Self, Error> {
        let node = install::ensure_installed(opts.setup_timeout)?;
        let mut args = vec!["--exit-on-stdin-close".to_owned()];
        for (handle, password) in &opts.accounts {
            args.push("--account".into());
            args.push(format!("{handle}:{password}"));
        }
        if let Some(host) = &opts.client_host {
            args.push("--client-host".into());
            args.push(host.clone());
        }
        if opts.log {
            args.push("--log".into());
        }
        let (child, info) = NodeProcess::spawn(&node, &args, opts.start_timeout)?;
        Ok(Self { info, child: Some(child) })
    }

    /// Uses a network that is already running, described by its ready line in `path`.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Io { what: format!("read {}", path.display()), source })?;
        let info = serde_json::from_str(text.trim())
            .map_err(|e| Error::InvalidInfo { origin: path.display().to_string(), message: e.to_string() })?;
        Ok(Self { info, child: None })
    }

    /// The network shared by every test of this process, started on first use with
    /// [`StartOptions::default`], or the one named by [`TESTNET_JSON_ENV`].
    ///
    /// # Panics
    ///
    /// If the network cannot be started; the message says why (with the child's stderr).
    /// Use [`Network::try_shared`] to get the error instead.
    pub fn shared() -> &'static Network {
        match Self::try_shared() {
            Ok(net) => net,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Network::shared`], returning the start error instead of panicking.
    pub fn try_shared() -> Result<&'static Network, Error> {
        static SHARED: OnceLock<Result<Network, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                let started = match std::env::var_os(TESTNET_JSON_ENV) {
                    Some(path) => Self::from_file(Path::new(&path)),
                    None => Self::start(&StartOptions::default()),
                };
                started.map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| Error::Earlier(message.clone()))
    }

    /// Everything the ready line said.
    pub fn info(&self) -> &NetworkInfo {
        &self.info
    }

    /// The PLC directory, e.g. `http://localhost:39613` (no trailing slash).
    pub fn plc_url(&self) -> &str {
        &self.info.plc_url
    }

    /// The PDS, e.g. `http://localhost:42491` (no trailing slash).
    pub fn pds_url(&self) -> &str {
        &self.info.pds_url
    }

    /// The OAuth issuer, exactly as the authorization server states it (the PDS origin).
    pub fn issuer(&self) -> &str {
        &self.info.issuer
    }

    /// Where `com.atproto.identity.resolveHandle` answers for `*.test` handles.
    pub fn handle_resolver(&self) -> &str {
        &self.info.handle_resolver
    }

    /// The accounts created at start.
    pub fn accounts(&self) -> &[Account] {
        &self.info.accounts
    }

    /// The account created at start with this handle.
    pub fn account(&self, handle: &str) -> Option<&Account> {
        self.info.accounts.iter().find(|a| a.handle == handle)
    }

    /// The HTTPS client-metadata host, if the network has one.
    pub fn client_host(&self) -> Option<&ClientHost> {
        self.info.client.as_ref()
    }

    /// Process id of the Node process that runs the network.
    pub fn pid(&self) -> u32 {
        self.info.pid
    }

    /// Path of the Node binary used by the harness (`tests/localnet/.node22/...`).
    pub fn node_binary() -> PathBuf {
        install::node_binary()
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            child.stop(Duration::from_secs(5));
        }
    }
}
