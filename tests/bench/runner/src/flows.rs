//! What one client process measured, in the same shape for both clients.
//!
//! Metric names (milliseconds unless they start with `req_`, which are request counts):
//!
//! | name | what |
//! |---|---|
//! | `resolve` | handle → DID → DID document → protected-resource and authorization-server metadata |
//! | `par` | pushed authorization request (with the DPoP nonce retry when there is one) |
//! | `token` | code → tokens, and the identity check that follows |
//! | `login_protocol` | `resolve + par + token` |
//! | `storage` | Skyport only: keychain and SQLite work of a login (pending login, session, account row) |
//! | `storage_keychain` | the keychain part of `storage` |
//! | `login_client` | `login_protocol + storage` (the TS client keeps sessions in memory: its storage is 0) |
//! | `login_keychain_connections` | Skyport only: Secret Service connections the login made (the product's counter; 1 when its first keychain call connected the process) |
//! | `login_keychain_first_call` | Skyport only: the login's first keychain call |
//! | `profile` | Skyport only: reading the profile record after sign-in (not part of a protocol login) |
//! | `resource1`, `resource2`, `resource3` | `getSession`: first, second, and first after the refresh |
//! | `refresh` | forced refresh; Skyport also reports `refresh_protocol`, `refresh_keychain_write`, `refresh_keychain_read`, `refresh_other`, `refresh_excl_write` |
//! | `revoke` | sign-out with revocation; Skyport also `revoke_protocol`, `revoke_keychain` |
//! | `*_protocol` | time on the wire (first request sent → last response read) |

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One login and what followed it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoginResult {
    /// Milliseconds and `req_*` counts, by name (see the module docs).
    pub metrics: BTreeMap<String, f64>,
    /// The request log of each phase.
    pub requests: BTreeMap<String, Vec<String>>,
    /// The keychain calls of each phase (Skyport).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keychain: BTreeMap<String, Vec<String>>,
}

/// One client process: a cold login, then warm ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProcessResult {
    /// `skyport` or `ts`.
    pub client: String,
    /// Start-up costs before the first login (ms).
    pub startup: BTreeMap<String, f64>,
    /// Login 0 is cold (first in the process), the rest warm.
    pub logins: Vec<LoginResult>,
    /// Approval time of each login, measured by the runner (ms; not client work).
    #[serde(default)]
    pub approvals_ms: Vec<f64>,
    /// Anything else worth keeping (versions, the DPoP algorithm used).
    #[serde(default)]
    pub info: BTreeMap<String, String>,
}
