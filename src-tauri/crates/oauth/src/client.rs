//! The client's own identity: a discoverable native client (hosted https `client_id`,
//! custom-scheme redirect) or the loopback development client (profile A.1, A.2).

mod config;
mod loopback_id;
mod metadata_doc;

pub use config::{ClientConfig, ClientKind, ClientMetadataOptions};
pub use loopback_id::LoopbackClientId;
pub use metadata_doc::{check_client_metadata, fetch_client_metadata, reverse_domain};

#[cfg(test)]
mod tests;
