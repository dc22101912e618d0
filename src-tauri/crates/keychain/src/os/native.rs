//! The macOS Keychain and the Windows Credential Manager through `keyring` v3, whose native
//! stores call the platform API directly (no connection to keep). Errors are classified by
//! cause; both stores report a locked store as an error, never as "no such item".

use zeroize::Zeroizing;

use crate::KeychainError;

#[cfg(any(target_os = "macos", target_os = "ios"))]
const NAME: &str = "macOS keychain";
#[cfg(not(any(target_os = "macos", target_os = "ios")))]
const NAME: &str = "Windows Credential Manager";

pub(super) fn get(service: &str, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeychainError> {
    match keyring::Entry::new(service, name).and_then(|e| e.get_secret()) {
        Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(err) => Err(classify(err)),
    }
}

pub(super) fn put(service: &str, name: &str, secret: &[u8]) -> Result<(), KeychainError> {
    keyring::Entry::new(service, name).and_then(|e| e.set_secret(secret)).map_err(classify)
}

pub(super) fn delete(service: &str, name: &str) -> Result<bool, KeychainError> {
    match keyring::Entry::new(service, name).and_then(|e| e.delete_credential()) {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(err) => Err(classify(err)),
    }
}

/// Classifies every `keyring` error except `NoEntry` (callers turn that into "missing").
/// macOS: no such / invalid / read-only keychain; Windows: no logon session.
fn classify(err: keyring::Error) -> KeychainError {
    match err {
        keyring::Error::NoStorageAccess(_) => {
            KeychainError::Unavailable { reason: format!("{NAME} not accessible") }
        }
        keyring::Error::PlatformFailure(_) => {
            KeychainError::Unavailable { reason: format!("{NAME} failure") }
        }
        keyring::Error::BadEncoding(_) => KeychainError::Corrupt,
        keyring::Error::TooLong(field, limit) => {
            KeychainError::Other(format!("the {field} is longer than the keychain's limit of {limit}"))
        }
        keyring::Error::Invalid(field, reason) => KeychainError::Other(format!("invalid {field}: {reason}")),
        keyring::Error::Ambiguous(items) => {
            KeychainError::Other(format!("{} keychain items match one name", items.len()))
        }
        keyring::Error::NoEntry => KeychainError::Other("the keychain lost an item while writing it".into()),
        _ => KeychainError::Other("unexpected keychain error".into()),
    }
}
