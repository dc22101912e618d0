//! The PDS's own log of the requests it received (served by `start-network.mjs`), so tests
//! can prove what reached the PDS and with which credentials, from the PDS's side.

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::{Error, Network};

/// One request the PDS received.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PdsRequest {
    /// The method.
    pub method: String,
    /// The URL path.
    pub path: String,
    /// The XRPC method, for `/xrpc/` paths.
    pub nsid: Option<String>,
    /// The `Authorization` scheme (`DPoP`, `Bearer`, ...).
    pub auth_scheme: Option<String>,
    /// SHA-256 (hex) of the credential after the scheme.
    pub token_sha256: Option<String>,
    /// Whether a `DPoP` proof header came with it.
    #[serde(default)]
    pub dpop_proof: bool,
    /// The status the PDS answered (none for upgrades).
    pub status: Option<u16>,
}

/// SHA-256 (hex) of a credential, as the log records it.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl Network {
    fn request_log_url(&self) -> Result<String, Error> {
        self.info().request_log_url.clone().ok_or_else(|| Error::InvalidInfo {
            origin: "the ready line".into(),
            message: "no requestLogUrl (a start-network.mjs from before the request log?)".into(),
        })
    }

    /// Every request the PDS received since the last [`clear_pds_requests`](Self::clear_pds_requests).
    pub async fn pds_requests(&self) -> Result<Vec<PdsRequest>, Error> {
        let url = format!("{}/requests", self.request_log_url()?);
        let http = |source| Error::Http { url: url.clone(), source };
        let res = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(http)?
            .get(&url)
            .send()
            .await
            .map_err(http)?;
        res.json().await.map_err(http)
    }

    /// Empties the PDS's request log.
    pub async fn clear_pds_requests(&self) -> Result<(), Error> {
        let url = format!("{}/requests", self.request_log_url()?);
        let http = |source| Error::Http { url: url.clone(), source };
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(http)?
            .delete(&url)
            .send()
            .await
            .map_err(http)?;
        Ok(())
    }
}
