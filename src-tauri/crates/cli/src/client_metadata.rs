//! `skyport client-metadata print|check`.

use serde_json::{Value, json};
use skyport_accounts::Config;
use skyport_oauth::ClientMetadataOptions;
use skyport_oauth::client::{check_client_metadata, fetch_client_metadata};
use skyport_oauth::http::ReqwestClient;

use crate::cli::ClientMetadataAction;
use crate::output::{self, Failure};

pub async fn run(action: ClientMetadataAction, json: bool) -> Result<(), Failure> {
    let config = Config::from_env()?;
    match action {
        ClientMetadataAction::Print { client_name, client_uri } => {
            let client = config.client()?;
            let options = ClientMetadataOptions { client_name, client_uri, ..Default::default() };
            let doc = client.metadata_document(&options).map_err(skyport_oauth::Error::from)?;
            // The document is JSON in both modes.
            if json {
                output::json(&doc)
            } else {
                output::pretty(&doc)
            }
            Ok(())
        }
        ClientMetadataAction::Check { source } => {
            let (url, doc) = if source.starts_with("https://") || source.starts_with("http://") {
                let profile = config.profile()?;
                let http = ReqwestClient::new(profile.http.clone()).map_err(skyport_oauth::Error::from)?;
                let url = url::Url::parse(&source).map_err(|e| Failure::Other {
                    code: "invalid_input",
                    message: format!("{source}: {e}"),
                })?;
                (source.clone(), fetch_client_metadata(&http, &url).await?)
            } else {
                let text = std::fs::read_to_string(&source).map_err(|e| Failure::Other {
                    code: "invalid_input",
                    message: format!("{source}: {e}"),
                })?;
                let doc: Value = serde_json::from_str(&text).map_err(|e| Failure::Other {
                    code: "invalid_input",
                    message: format!("{source} is not JSON: {e}"),
                })?;
                let id = doc.get("client_id").and_then(Value::as_str).unwrap_or_default().to_owned();
                (id, doc)
            };
            match check_client_metadata(&url, &doc, config.development) {
                Ok(()) => {
                    if json {
                        output::json(&json!({"ok": true, "client_id": url}));
                    } else {
                        println!("✓ {url}: the document follows every rule");
                    }
                    Ok(())
                }
                Err(problems) => Err(Failure::Invalid(problems)),
            }
        }
    }
}
