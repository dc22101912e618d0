//! `skyport doctor` and "Copy diagnostics": what is configured and how things answer.
//! Redacted by construction: nothing here can hold a secret.

use serde::Serialize;
use serde_json::{Value, json};
use skyport_oauth::http::HttpRequest;
use skyport_oauth::{ClientConfig, Step};

use crate::{Accounts, Error, KeychainState};

/// The doctor's findings.
#[derive(Debug, Clone, Serialize)]
pub struct Doctor {
    /// Skyport's version.
    pub version: &'static str,
    /// The data directory.
    pub data_dir: String,
    /// The SQLite file.
    pub database: String,
    /// The keychain backend.
    pub keychain_backend: &'static str,
    /// How the keychain answers.
    pub keychain_state: KeychainState,
    /// `production` or `development`.
    pub network_profile: String,
    /// Whether plain http to loopback hosts is allowed (development only).
    pub loopback_allowed: bool,
    /// The PLC directory.
    pub plc_directory: String,
    /// How handles are resolved.
    pub handle_resolution: String,
    /// `discoverable` (hosted client_id, custom scheme) or `loopback`.
    pub client_kind: &'static str,
    /// The client_id.
    pub client_id: String,
    /// The redirect URI (loopback: the port is chosen per login).
    pub redirect_uri: String,
    /// Server clock minus local clock, from the active account's PDS `Date` header.
    pub clock_offset_secs: Option<i64>,
    /// How many accounts are stored.
    pub accounts: usize,
}

impl Accounts {
    /// Checks the setup. Contacts the active account's PDS once, for the clock.
    pub async fn doctor(&self) -> Result<Doctor, Error> {
        let client: &ClientConfig = self.oauth.config();
        let profile = self.oauth.profile();
        let list = self.list()?;
        let clock_offset_secs = match list.iter().find(|a| a.active) {
            Some(a) => self.measure_clock_offset(&a.pds_url).await,
            None => None,
        };
        Ok(Doctor {
            version: env!("CARGO_PKG_VERSION"),
            data_dir: self.config.home.display().to_string(),
            database: self.config.database_path().display().to_string(),
            keychain_backend: self.keychain.backend(),
            keychain_state: self.keychain_state(),
            network_profile: profile.to_string(),
            loopback_allowed: profile.http.policy.allow_loopback,
            plc_directory: profile.plc_directory.to_string(),
            handle_resolution: match &profile.handle_resolver {
                Some(url) => format!("XRPC resolveHandle at {url}"),
                None => "DNS TXT + HTTPS well-known".into(),
            },
            client_kind: if client.is_loopback() { "loopback" } else { "discoverable" },
            client_id: client.client_id().to_string(),
            redirect_uri: client
                .redirect_uri(Some(0))
                .map(|r| r.as_str().replace(":0/", ":<port>/"))
                .unwrap_or_default(),
            clock_offset_secs,
            accounts: list.len(),
        })
    }

    async fn measure_clock_offset(&self, pds: &str) -> Option<i64> {
        let url = url::Url::parse(&format!("{pds}/xrpc/_health")).ok()?;
        let res = skyport_oauth::http::Fetch::fetch(
            self.oauth.http().as_ref(),
            Step::Resource,
            HttpRequest::get(url),
        )
        .await
        .ok()?;
        let date = res.header("date")?;
        Some(skyport_oauth::http::parse_http_date(date)? - self.now())
    }

    /// A redacted JSON report for bug reports: versions, keychain, and per account its DID,
    /// PDS, issuer, scopes, expiry and last refresh result. No tokens under any name.
    pub async fn diagnostics(&self) -> Result<Value, Error> {
        let doctor = self.doctor().await?;
        let accounts: Vec<Value> = self
            .list()?
            .into_iter()
            .map(|a| {
                json!({
                    "did": a.did, "handle": a.handle, "pds": a.pds_url, "issuer": a.issuer,
                    "status": a.status, "status_reason": a.status_reason, "active": a.active,
                    "granted_scope": a.granted_scope, "requested_scope": a.requested_scope,
                    "expires_at": a.expires_at, "session_started_at": a.session_started_at,
                    "last_refresh_at": a.last_refresh_at, "last_refresh_result": a.last_refresh_result,
                    "dpop_thumbprint": a.dpop_thumbprint,
                })
            })
            .collect();
        Ok(json!({
            "skyport": doctor.version,
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "doctor": doctor,
            "accounts": accounts,
        }))
    }
}
