//! What a failed command returns to the UI: a stable code and a message, never a token.

use serde::Serialize;
use skyport_accounts::{Error, ErrorCode};

/// A command error as the UI sees it.
#[derive(Debug, Serialize)]
pub struct IpcError {
    /// Stable code the UI branches on.
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        Self { code: e.code(), message: e.to_string() }
    }
}

impl IpcError {
    /// An error from the shell itself (not the account core).
    pub fn internal(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::Internal, message: message.into() }
    }
}

/// A command result.
pub type Result<T> = std::result::Result<T, IpcError>;
