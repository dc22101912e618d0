//! Errors of the account manager, and the stable codes the UI and `--json` output use.

use serde::Serialize;
use skyport_keychain::KeychainError;
use skyport_oauth::error::{CallbackError, IdentityError};
use skyport_oauth::{ConnectFailure, TransportError};
use skyport_store::StoreError;

use crate::reason::SignInReason;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The OAuth protocol failed (network, server, identity, callback, input).
    #[error(transparent)]
    OAuth(#[from] skyport_oauth::Error),
    /// The metadata database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OS keychain failed; nothing was deleted and nothing fell back to plaintext.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// No account matches.
    #[error("no account matches {0:?}")]
    UnknownAccount(String),
    /// No connected app has this name.
    #[error("no connected app is named {0:?}; `skyport agent keys` lists them")]
    UnknownApp(String),
    /// No account is active (and none was named).
    #[error("no account is signed in; run `skyport login <handle>`")]
    NoActiveAccount,
    /// The session is over; the user must sign in again.
    #[error("sign-in needed for {did}: {}", .reason.describe())]
    NeedsSignIn {
        /// The account.
        did: String,
        /// Why.
        reason: SignInReason,
    },
    /// The login waited too long for its callback.
    #[error("the sign-in timed out waiting for the browser; start again")]
    LoginTimeout,
    /// The login was cancelled (by the user, or the server said `access_denied`).
    #[error("the sign-in was cancelled")]
    LoginCancelled,
    /// The configuration is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// What the user gave cannot be used (a file that cannot be read, a URL that does not
    /// parse); the text says which.
    #[error("{0}")]
    InvalidInput(String),
    /// A login that another process finished with an error.
    #[error("{message}")]
    Remote {
        /// Its code.
        code: ErrorCode,
        /// Its message.
        message: String,
    },
    /// The loopback client could not listen on `127.0.0.1` for its callback.
    #[error("cannot listen on 127.0.0.1 for the sign-in callback: {source}")]
    CallbackListener {
        /// The socket error.
        source: std::io::Error,
    },
    /// A local I/O failure (data directory, lock files).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A stable, machine-readable error code: the UI branches on it, scripts match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The identifier is not a handle, DID or server URL.
    InvalidInput,
    /// The handle or DID could not be resolved, or identities did not match.
    IdentityMismatch,
    /// The server answered with an OAuth error.
    ServerError,
    /// The server's answer broke the protocol.
    InvalidResponse,
    /// The user declined (access_denied) or cancelled.
    Cancelled,
    /// The sign-in link expired.
    LoginExpired,
    /// No sign-in is waiting for this callback (unknown or already used).
    UnknownLogin,
    /// The callback URL is malformed or fails a check.
    InvalidCallback,
    /// The server could not be reached or broke off (refused, timed out, TLS, 5xx).
    Network,
    /// No network connection: DNS could not be asked, or there is no route to the server.
    Offline,
    /// The handle, DID or server does not exist (DNS or the directory said so).
    NotFound,
    /// The destination is refused by the outbound policy.
    ForbiddenDestination,
    /// The OS keychain is locked.
    KeychainLocked,
    /// The OS keychain is unavailable (no Secret Service) or timed out.
    KeychainUnavailable,
    /// A keychain item exists but cannot be decoded (damaged); the keychain itself works.
    KeychainItemDamaged,
    /// The account needs a new sign-in.
    NeedsSignIn,
    /// No such account.
    UnknownAccount,
    /// No active account.
    NoActiveAccount,
    /// No connected app has this name.
    UnknownApp,
    /// The database failed.
    Storage,
    /// The database is from a newer Skyport.
    NewerDatabase,
    /// The configuration is invalid.
    Config,
    /// The login timed out.
    Timeout,
    /// The PDS rejected an API call.
    ApiError,
    /// Anything else.
    Internal,
}

impl ErrorCode {
    /// A network failure: the server could not be reached, or there is no network.
    pub fn is_network(self) -> bool {
        matches!(self, ErrorCode::Network | ErrorCode::Offline)
    }

    /// Parses [`as_str`](Self::as_str) output.
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }

    /// The code as a string (`keychain_locked`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::IdentityMismatch => "identity_mismatch",
            ErrorCode::ServerError => "server_error",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::LoginExpired => "login_expired",
            ErrorCode::UnknownLogin => "unknown_login",
            ErrorCode::InvalidCallback => "invalid_callback",
            ErrorCode::Network => "network",
            ErrorCode::Offline => "offline",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ForbiddenDestination => "forbidden_destination",
            ErrorCode::KeychainLocked => "keychain_locked",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::KeychainItemDamaged => "keychain_item_damaged",
            ErrorCode::NeedsSignIn => "needs_sign_in",
            ErrorCode::UnknownAccount => "unknown_account",
            ErrorCode::NoActiveAccount => "no_active_account",
            ErrorCode::UnknownApp => "unknown_app",
            ErrorCode::Storage => "storage",
            ErrorCode::NewerDatabase => "newer_database",
            ErrorCode::Config => "config",
            ErrorCode::Timeout => "timeout",
            ErrorCode::ApiError => "api_error",
            ErrorCode::Internal => "internal",
        }
    }
}

impl Error {
    /// No login is waiting for this `state` (unknown, used, or finished).
    pub fn unknown_login() -> Self {
        Error::OAuth(CallbackError::UnknownState.into())
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        use skyport_oauth::Error as O;
        match self {
            Error::OAuth(e) if e.is_access_denied() => ErrorCode::Cancelled,
            Error::OAuth(O::Callback(CallbackError::Expired)) => ErrorCode::LoginExpired,
            Error::OAuth(O::Callback(CallbackError::UnknownState)) => ErrorCode::UnknownLogin,
            Error::OAuth(O::Callback(_)) => ErrorCode::InvalidCallback,
            Error::OAuth(O::Input(_)) => ErrorCode::InvalidInput,
            Error::OAuth(O::Identity(
                IdentityError::HandleNotFound { .. } | IdentityError::DidNotFound { .. },
            )) => ErrorCode::NotFound,
            Error::OAuth(O::Transport {
                source:
                    TransportError::DnsUnavailable
                    | TransportError::Connect { kind: ConnectFailure::Unreachable, .. },
                ..
            }) => ErrorCode::Offline,
            Error::OAuth(O::Transport { source: TransportError::NoSuchHost, .. }) => ErrorCode::NotFound,
            Error::OAuth(O::Identity(_)) => ErrorCode::IdentityMismatch,
            Error::OAuth(O::Transport { .. }) => ErrorCode::Network,
            Error::OAuth(O::ServerUnavailable { .. }) => ErrorCode::Network,
            Error::OAuth(O::Forbidden { .. }) => ErrorCode::ForbiddenDestination,
            Error::OAuth(O::OAuth(_)) => ErrorCode::ServerError,
            Error::OAuth(O::InvalidToken { .. }) => ErrorCode::NeedsSignIn,
            Error::OAuth(O::Xrpc { .. }) => ErrorCode::ApiError,
            Error::OAuth(O::InvalidResponse { .. }) => ErrorCode::InvalidResponse,
            Error::OAuth(O::Config(_)) => ErrorCode::Config,
            Error::OAuth(_) => ErrorCode::Internal,
            Error::Store(StoreError::NewerSchema { .. }) => ErrorCode::NewerDatabase,
            Error::Store(_) => ErrorCode::Storage,
            Error::Keychain(k) if k.is_locked() => ErrorCode::KeychainLocked,
            Error::Keychain(skyport_keychain::KeychainError::Corrupt) => ErrorCode::KeychainItemDamaged,
            Error::Keychain(_) => ErrorCode::KeychainUnavailable,
            Error::UnknownAccount(_) => ErrorCode::UnknownAccount,
            Error::NoActiveAccount => ErrorCode::NoActiveAccount,
            Error::UnknownApp(_) => ErrorCode::UnknownApp,
            Error::NeedsSignIn { .. } => ErrorCode::NeedsSignIn,
            Error::LoginTimeout => ErrorCode::Timeout,
            Error::LoginCancelled => ErrorCode::Cancelled,
            Error::Config(_) => ErrorCode::Config,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::Io { .. } => ErrorCode::Storage,
            Error::CallbackListener { .. } => ErrorCode::Internal,
            Error::Remote { code, .. } => *code,
        }
    }

    /// Whether this is a network failure (a session is kept, the account shows Offline).
    pub fn is_network(&self) -> bool {
        self.code().is_network()
    }
}
