//! The client's own identity: a discoverable native client (hosted https `client_id`,
//! custom-scheme redirect) or the loopback development client (atproto OAuth spec, "Client ID
//! Metadata Document" and "Localhost Client Development").

mod client_id;
mod config;
mod loopback_id;
mod metadata_doc;
mod redirect_uri;

pub use client_id::ClientId;
pub use config::{ClientConfig, ClientKind, ClientMetadataOptions};
pub use loopback_id::LoopbackClientId;
pub use metadata_doc::{check_client_metadata, fetch_client_metadata, reverse_domain};
pub use redirect_uri::RedirectUri;

#[cfg(test)]
mod tests;
