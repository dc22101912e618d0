//! [`OsKeychain`]: the platform keychain, every call time-limited. Linux and the BSDs: the
//! Secret Service over one kept connection ([`secret_service`]); macOS and Windows: the
//! native stores through `keyring` v3 ([`native`]).

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
mod native;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
mod secret_service;

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
use native as backend;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
use secret_service as backend;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
pub use secret_service::connections_made;

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
/// Elsewhere there is no keychain (`keyring` would silently fall back to its in-memory mock);
/// refuse instead.
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
/// (usually "login"). Secrets are stored as raw bytes, not text.
///
/// ## One connection
///
/// On the Secret Service every `OsKeychain` of the process shares one D-Bus connection and
/// one encrypted session, made at the first call and made again once when it breaks (a
/// restarted gnome-keyring). Calls take turns on it.
///
/// ## Time limits and unlock prompts
///
/// Each call runs the blocking platform call on a helper thread and waits at most
/// [`timeout`](OsKeychain::timeout) (default [`DEFAULT_TIMEOUT`], 3 s as in cli/cli's
/// `internal/keyring`). On a desktop, a locked Secret Service collection or macOS keychain
/// shows the system's unlock prompt and the call waits for the user: if the user is quicker
/// than the limit the call succeeds, otherwise the caller gets [`KeychainError::Timeout`]
/// while the helper thread keeps waiting, so a `put` may still land later. On the Secret
/// Service, calls made while a prompt is open wait their turn on the connection and time out
/// too, until the user answers it. After a timeout, wait for the user rather than retrying in
/// a loop.
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

    /// Runs `op` with the service and `name` on a helper thread, at most [`Self::timeout`]
    /// long.
    fn call<T: Send + 'static>(
        &self,
        name: &str,
        op: impl FnOnce(&str, &str) -> Result<T, KeychainError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        if BACKEND.is_none() {
            return Err(KeychainError::unavailable("no supported keychain on this platform"));
        }
        let (service, name) = (self.service.clone(), name.to_owned());
        run_with_timeout(self.timeout, move || op(&service, &name))?.inspect_err(|err| {
            tracing::debug!(backend = self.backend(), error = %err, "keychain call failed");
        })
    }
}

impl SecretStore for OsKeychain {
    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeychainError> {
        let secret = Zeroizing::new(secret.to_vec());
        self.call(name, move |service, name| backend::put(service, name, &secret))
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, KeychainError> {
        Ok(self.call(name, backend::get)?.map(Secret::from))
    }

    fn delete(&self, name: &str) -> Result<bool, KeychainError> {
        self.call(name, backend::delete)
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
