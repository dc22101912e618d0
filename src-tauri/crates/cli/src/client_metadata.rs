//! `skyport client-metadata print|check`.

use serde_json::{Value, json};
use skyport_accounts::Config;
use skyport_oauth::ClientMetadataOptions;
use skyport_oauth::client::{check_client_metadata, fetch_client_metadata};
use skyport_oauth::http::ReqwestClient;

use crate::cli::ClientMetadataAction;
use crate::output::{self, Failure};

/// The rule a file alone cannot check (profile A.1 rule 4): where it will be served.
const UNCHECKED_WITHOUT_URL: &str = "client_id equals the URL it is served at: no --url given";

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
        ClientMetadataAction::Check { source, url: served_at } => {
            let is_url = source.starts_with("https://") || source.starts_with("http://");
            let (url, doc, unchecked) = if is_url {
                if served_at.is_some() {
                    return Err(Failure::Other {
                        code: "invalid_input",
                        message: "--url is for a file; a fetched document is checked against its own URL"
                            .into(),
                    });
                }
                let profile = config.profile()?;
                let http = ReqwestClient::new(profile.http.clone()).map_err(skyport_oauth::Error::from)?;
                let url = url::Url::parse(&source).map_err(|e| Failure::Other {
                    code: "invalid_input",
                    message: format!("{source}: {e}"),
                })?;
                (source.clone(), fetch_client_metadata(&http, &url).await?, Vec::new())
            } else {
                let text = std::fs::read_to_string(&source).map_err(|e| Failure::Other {
                    code: "invalid_input",
                    message: format!("{source}: {e}"),
                })?;
                let doc: Value = serde_json::from_str(&text).map_err(|e| Failure::Other {
                    code: "invalid_input",
                    message: format!("{source} is not JSON: {e}"),
                })?;
                match served_at {
                    Some(url) => (url, doc, Vec::new()),
                    // The document's own client_id stands in for the URL: every other rule
                    // is checked against it, and rule 4 holds trivially, so it is reported
                    // as not checked rather than as passed.
                    None => {
                        let id = doc.get("client_id").and_then(Value::as_str).unwrap_or_default().to_owned();
                        (id, doc, vec![UNCHECKED_WITHOUT_URL.to_owned()])
                    }
                }
            };
            match check_client_metadata(&url, &doc, config.development) {
                Ok(()) => {
                    if json {
                        output::json(&json!({"ok": true, "client_id": url, "unchecked": unchecked}));
                    } else if unchecked.is_empty() {
                        println!("✓ {url}: the document follows every rule");
                    } else {
                        println!("✓ {url}: the document follows every rule that could be checked");
                        for u in &unchecked {
                            println!("  ? not checked: {u}");
                        }
                    }
                    Ok(())
                }
                Err(problems) => Err(Failure::Invalid { problems, unchecked }),
            }
        }
    }
}
