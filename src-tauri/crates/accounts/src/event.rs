//! Events the core pushes to whoever listens (the desktop shell forwards them to the UI).

use serde::Serialize;

use crate::error::ErrorCode;
use crate::view::{AccountStatus, KeychainState};

/// Something changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountEvent {
    /// Accounts were added, removed, reordered or switched: reload the list.
    AccountsChanged,
    /// One account's status changed.
    StatusChanged {
        /// The account.
        did: String,
        /// Its new status.
        status: AccountStatus,
    },
    /// A refresh finished.
    RefreshFinished {
        /// The account.
        did: String,
        /// Success.
        ok: bool,
        /// The error code, on failure.
        error_code: Option<ErrorCode>,
        /// The new expiry, on success.
        expires_at: Option<i64>,
    },
    /// A login's callback arrived and passed its checks; the code is being exchanged.
    LoginProgress {
        /// The login's state.
        state: String,
    },
    /// A login ended (in this process, or noticed from another one).
    LoginFinished {
        /// The login's state.
        state: String,
        /// The account, on success.
        did: Option<String>,
        /// Its handle, on success.
        handle: Option<String>,
        /// The error code, on failure.
        error_code: Option<ErrorCode>,
        /// A message, on failure.
        message: Option<String>,
    },
    /// The keychain changed state.
    Keychain {
        /// Its state.
        state: KeychainState,
    },
}
