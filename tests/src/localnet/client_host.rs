//! Publishing client-metadata documents on the network's HTTPS client host.

use std::net::{Ipv4Addr, SocketAddr};

use super::{ClientHost, Error, Network};

impl Network {
    /// Publishes `doc` at `path` on the client-metadata host and returns its URL,
    /// `https://<host>:<port><path>`, ready to be used as a discoverable `client_id`.
    ///
    /// The PDS caches a client's metadata for 10 minutes per URL, so give each variant of
    /// a document its own path (see [`super::unique_suffix`]). The document's `client_id`
    /// must equal the returned URL; build it from [`ClientHost::origin`] first.
    pub async fn publish_client_metadata(
        &self,
        path: &str,
        doc: &serde_json::Value,
    ) -> Result<String, Error> {
        let host = self.client_host().ok_or(Error::NoClientHost)?;
        let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
        let url = format!("{}{path}", host.origin);
        let res = host.http_client()?.put(&url).json(doc).send().await.map_err(Error::http(&url))?;
        let status = res.status();
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            return Err(Error::Publish { url, status: status.as_u16(), body });
        }
        Ok(url)
    }
}

impl ClientHost {
    /// An HTTP client that trusts only this host's CA and resolves its name to
    /// 127.0.0.1, as the PDS process does. Redirects are not followed.
    pub fn http_client(&self) -> Result<reqwest::Client, Error> {
        let pem = std::fs::read(&self.ca_cert)
            .map_err(|source| Error::Io { what: format!("read {}", self.ca_cert.display()), source })?;
        let ca = reqwest::Certificate::from_pem(&pem).map_err(Error::http(&self.origin))?;
        reqwest::Client::builder()
            .tls_certs_only([ca])
            .resolve(&self.host, SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Error::http(&self.origin))
    }
}
