//! `skyport client-metadata print|check`: a few lines over `skyport-accounts`.

use serde_json::json;
use skyport_accounts::{Config, MetadataSource};

use crate::cli::ClientMetadataAction;
use crate::output::{self, Failure};

pub async fn run(action: ClientMetadataAction, json: bool) -> Result<(), Failure> {
    let config = Config::from_env()?;
    match action {
        ClientMetadataAction::Print { client_name, client_uri } => {
            let doc = config.client_metadata_document(client_name, client_uri)?;
            // The document is JSON in both modes.
            if json {
                output::json(&doc)
            } else {
                output::pretty(&doc)
            }
            Ok(())
        }
        ClientMetadataAction::Check { source, url: served_at } => {
            let source = if source.starts_with("https://") || source.starts_with("http://") {
                if served_at.is_some() {
                    return Err(Failure::Other {
                        code: "invalid_input",
                        message: "--url is for a file; a fetched document is checked against its own URL"
                            .into(),
                    });
                }
                MetadataSource::Url(source)
            } else {
                MetadataSource::File { path: source.into(), served_at }
            };
            let check = config.check_client_metadata(&source).await?;
            if !check.ok() {
                return Err(Failure::Invalid { problems: check.problems, unchecked: check.unchecked });
            }
            let url = &check.client_id;
            if json {
                output::json(&json!({"ok": true, "client_id": url, "unchecked": check.unchecked}));
            } else if check.unchecked.is_empty() {
                println!("✓ {url}: the document follows every rule");
            } else {
                println!("✓ {url}: the document follows every rule that could be checked");
                for u in &check.unchecked {
                    println!("  ? not checked: {u}");
                }
            }
            Ok(())
        }
    }
}
