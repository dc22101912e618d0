//! The hosted client-metadata document (atproto OAuth spec, "Client ID Metadata Document"):
//! printing the one this configuration needs, and checking one, fetched or from a file,
//! against every rule. What `skyport client-metadata print|check` runs.

use serde::Serialize;
use serde_json::Value;
use skyport_oauth::ClientMetadataOptions;
use skyport_oauth::client::{check_client_metadata, fetch_client_metadata};
use skyport_oauth::http::ReqwestClient;

use crate::{Config, Error};

/// The rule a file alone cannot check: the document's `client_id` is the URL it is served at.
const UNCHECKED_WITHOUT_URL: &str = "client_id equals the URL it is served at: no --url given";

/// Where a document to check comes from.
#[derive(Debug, Clone)]
pub enum MetadataSource {
    /// Fetched from this URL (it must answer 200, without redirects).
    Url(String),
    /// Read from a file; `served_at` is the URL it is (to be) served at, if known.
    File {
        /// The file.
        path: std::path::PathBuf,
        /// The URL it will be served at.
        served_at: Option<String>,
    },
}

/// What a check found.
#[derive(Debug, Clone, Serialize)]
pub struct MetadataCheck {
    /// The URL the rules were checked against.
    pub client_id: String,
    /// The rules broken (empty: the document follows every rule that could be checked).
    pub problems: Vec<String>,
    /// Rules that could not be checked, and why; never counted as passed.
    pub unchecked: Vec<String>,
}

impl MetadataCheck {
    /// No rule is broken.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Config {
    /// The client-metadata document to host at the configured `client_id`.
    pub fn client_metadata_document(
        &self,
        client_name: Option<String>,
        client_uri: Option<String>,
    ) -> Result<Value, Error> {
        let options = ClientMetadataOptions { client_name, client_uri, ..Default::default() };
        Ok(self.client()?.metadata_document(&options).map_err(skyport_oauth::Error::from)?)
    }

    /// Checks a client-metadata document against every rule (development allows a port).
    pub async fn check_client_metadata(&self, source: &MetadataSource) -> Result<MetadataCheck, Error> {
        let (url, doc, unchecked) = match source {
            MetadataSource::Url(raw) => {
                let url = url::Url::parse(raw).map_err(|e| Error::InvalidInput(format!("{raw}: {e}")))?;
                let http =
                    ReqwestClient::new(self.profile()?.http.clone()).map_err(skyport_oauth::Error::from)?;
                (raw.clone(), fetch_client_metadata(&http, &url).await?, Vec::new())
            }
            MetadataSource::File { path, served_at } => {
                let shown = path.display();
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::InvalidInput(format!("{shown}: {e}")))?;
                let doc: Value = serde_json::from_str(&text)
                    .map_err(|e| Error::InvalidInput(format!("{shown} is not JSON: {e}")))?;
                match served_at {
                    Some(url) => (url.clone(), doc, Vec::new()),
                    // The document's own client_id stands in for the URL: every other rule is
                    // checked against it, and "client_id equals the URL" holds trivially, so it
                    // is reported as not checked rather than as passed.
                    None => {
                        let id = doc.get("client_id").and_then(Value::as_str).unwrap_or_default().to_owned();
                        (id, doc, vec![UNCHECKED_WITHOUT_URL.to_owned()])
                    }
                }
            }
        };
        let problems = check_client_metadata(&url, &doc, self.development).err().unwrap_or_default();
        Ok(MetadataCheck { client_id: url, problems, unchecked })
    }
}
