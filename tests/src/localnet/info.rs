//! The ready line printed by `start-network.mjs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// What the network reports when it is ready (one JSON line on its stdout).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NetworkInfo {
    /// PLC directory origin, `http://localhost:PORT`.
    pub plc_url: String,
    /// PDS origin, `http://localhost:PORT`.
    pub pds_url: String,
    /// OAuth issuer as the authorization server states it (equals `pds_url`).
    pub issuer: String,
    /// Base URL for `com.atproto.identity.resolveHandle` (the PDS).
    pub handle_resolver: String,
    /// Accounts created at start.
    pub accounts: Vec<Account>,
    /// HTTPS client-metadata host, if started with one.
    pub client: Option<ClientHost>,
    /// Process id of the Node process.
    pub pid: u32,
    /// Node version, e.g. `v22.23.3`.
    pub node: String,
    /// The PDS's request log (`GET {url}/requests`, `DELETE {url}/requests`).
    #[serde(default)]
    pub request_log_url: Option<String>,
    /// The AppView stand-in the PDS proxies `app.bsky.*` calls to.
    #[serde(default)]
    pub app_view: Option<AppView>,
    /// The permission sets the network publishes, and who publishes them.
    #[serde(default)]
    pub lexicons: Option<Lexicons>,
    /// Start-up phases in milliseconds (`importMs`, `pdsStartMs`, `totalMs`, ...).
    #[serde(default)]
    pub timings: BTreeMap<String, u64>,
}

/// Permission-set lexicons published by the `lexicons.test` account, which the PDS takes as
/// the authority for every NSID (no DNS on a local network).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Lexicons {
    /// The publishing account's DID.
    pub authority: String,
    /// `posting`: a permission set (repo create/delete of `app.bsky.feed.post` and
    /// `app.bsky.feed.like`, rpc `app.bsky.actor.getProfile` with the include's audience);
    /// `notASet`: a published lexicon that is not a permission set; `fullApp` and `chat`:
    /// short stand-ins for `app.bsky.authFullApp` and `chat.bsky.authFullChatClient`.
    pub sets: BTreeMap<String, String>,
}

/// The AppView stand-in (`app.bsky.actor.getProfile` from the PDS's own data).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct AppView {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its service DID (`did:web:localhost%3APORT`).
    pub did: String,
}

/// An account on the local PDS.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// Handle, e.g. `alice.test`.
    pub handle: String,
    /// Password (a throwaway test password).
    pub password: String,
    /// DID, `did:plc:...`, registered in the local PLC directory.
    pub did: String,
}

impl Account {
    /// Builds an account record (for accounts made outside this crate).
    pub fn new(handle: impl Into<String>, password: impl Into<String>, did: impl Into<String>) -> Self {
        Self { handle: handle.into(), password: password.into(), did: did.into() }
    }
}

/// The HTTPS host that serves client-metadata documents.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientHost {
    /// `https://HOST:PORT`.
    pub origin: String,
    /// Host name, e.g. `app.skyport-test.dev` (resolves to 127.0.0.1 only inside the
    /// network's process; other clients must pin it themselves).
    pub host: String,
    /// Port on 127.0.0.1.
    pub port: u16,
    /// PEM file of the CA that signed the host's certificate.
    pub ca_cert: PathBuf,
}
