//! [`OsKeychain`]: the platform keychain through `keyring` v3, every call time-limited.

mod classify;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::{KeychainError, Secret, SecretStore};

/// How long an [`OsKeychain`] call may take unless [`OsKeychain::with_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
const BACKEND: Option<&str> = Some("secret-service");
#[cfg(any(target_os = "macos", target_os = "ios"))]
const BACKEND: Option<&str> = Some("macos-keychain");
#[cfg(target_os = "windows")]
const BACKEND: Option<&str> = Some("windows-credential-manager");
/// Elsewhere `keyring` would silently fall back to its in-memory mock; refuse instead.
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
)))]
const BACKEND: Option<&str> = None;

/// The OS keychain: the Secret Service (Linux, BSD), the macOS Keychain, or the Windows
/// Credential Manager.
///
/// An item is found by the pair (`service`, `name`): `service` is the keyring service field
/// and `name` the account ("user") field. On Linux the item goes in the default collection
/// (usually "login"). Secrets are stored as raw bytes (`keyring`'s secret API), not text.
///
/// ## Time limits and unlock prompts
///
/// Each call runs the blocking `keyring` call on a helper thread and waits at most
/// [`timeout`](OsKeychain::timeout) (default [`DEFAULT_TIMEOUT`], 3 s as in cli/cli's
/// `internal/keyring`). On a desktop, a locked Secret Service collection or macOS keychain
/// shows the system's unlock prompt and the call waits for the user: if the user is quicker
/// than the limit the call succeeds, otherwise the caller gets [`KeychainError::Timeout`]
/// while the helper thread keeps waiting, so a `put` may still land later. Each retry can
/// queue another prompt: after a timeout, wait for the user rather than retrying in a loop.
/// Where no prompt can be shown (no display), the answer is [`KeychainError::Locked`].
///
/// On the Secret Service, a lookup that finds nothing counts as "no such item" only while the
/// default collection is unlocked; while it is locked the answer is [`KeychainError::Locked`], even for a name that
/// was never stored.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
    timeout: Duration,
}

impl OsKeychain {
    /// A keychain whose items all carry `service` (for example `"app.skyport"`).
    pub fn new(service: &str) -> Self {
        Self { service: service.to_owned(), timeout: DEFAULT_TIMEOUT }
    }

    /// The same keychain with a different time limit per call.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit per call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The service field of every item.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs `op` on the entry for `name` on a helper thread, at most [`Self::timeout`] long.
    /// The outer error is ours (timeout, no backend); the inner one is `keyring`'s.
    fn call<T: Send + 'static>(
        &self,
        name: &str,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<keyring::Result<T>, KeychainError> {
        if BACKEND.is_none() {
            return Err(KeychainError::unavailable("no supported keychain on this platform"));
        }
        let (service, name) = (self.service.clone(), name.to_owned());
        run_with_timeout(self.timeout, move || op(&keyring::Entry::new(&service, &name)?))
    }

    fn fail(&self, op: &'static str, err: keyring::Error) -> KeychainError {
        tracing::debug!(backend = self.backend(), op, error = %err, "keychain call failed");
        classify::classify(err)
    }
}

impl SecretStore for OsKeychain {
    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeychainError> {
        let secret = Zeroizing::new(secret.to_vec());
        self.call(name, move |entry| entry.set_secret(&secret))?.map_err(|err| self.fail("put", err))
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, KeychainError> {
        let found = self.call(name, |entry| match entry.get_secret() {
            Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
            Err(keyring::Error::NoEntry) => classify::confirm_missing().map(|()| None),
            Err(err) => Err(err),
        })?;
        found.map(|bytes| bytes.map(Secret::from)).map_err(|err| self.fail("get", err))
    }

    fn delete(&self, name: &str) -> Result<bool, KeychainError> {
        let deleted = self.call(name, |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => classify::confirm_missing().map(|()| false),
            Err(err) => Err(err),
        })?;
        deleted.map_err(|err| self.fail("delete", err))
    }

    fn backend(&self) -> &'static str {
        BACKEND.unwrap_or("unsupported")
    }
}

/// Runs `f` on a new thread and waits for it at most `timeout`. On a timeout the thread is
/// left to finish on its own; whatever it returns then is dropped (and zeroed, for secrets).
fn run_with_timeout<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, KeychainError> {
    let (tx, rx) = mpsc::sync_channel(1);
    thread::Builder::new()
        .name("skyport-keychain".into())
        .spawn(move || {
            // The receiver is gone after a timeout; dropping the value is all that is left.
            let _ = tx.send(f());
        })
        .map_err(|_| KeychainError::Other("could not start a keychain thread".into()))?;
    match rx.recv_timeout(timeout) {
        Ok(value) => Ok(value),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(KeychainError::Timeout),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(KeychainError::Other("the keychain call panicked".into()))
        }
    }
}

#[cfg(test)]
mod tests;
