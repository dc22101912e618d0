//! # skyport-keychain
//!
//! Secrets in the OS keychain: the Secret Service on Linux (GNOME Keyring, KWallet,
//! KeePassXC), the macOS Keychain, and the Windows Credential Manager. Skyport keeps each
//! session's refresh and access tokens and its DPoP private key in one item here, and only
//! non-secret metadata in SQLite.
//!
//! * [`SecretStore`] is the seam: `put`, `get`, `delete` by item name, and `backend`.
//! * [`OsKeychain`] is the real store. Every call is time-limited ([`DEFAULT_TIMEOUT`]).
//! * [`MemoryKeychain`] is an in-memory store for tests and the `--ephemeral` mode; it can
//!   simulate a locked or unavailable keychain.
//!
//! ## Quickstart
//!
//! ```
//! use skyport_keychain::{KeychainError, MemoryKeychain, SecretStore};
//!
//! # fn main() -> Result<(), KeychainError> {
//! let store = MemoryKeychain::new(); // OsKeychain::new("app.skyport") in the app
//! store.put("did:plc:abc/session-1", b"\x00binary secret")?;
//! let secret = store.get("did:plc:abc/session-1")?.expect("just stored");
//! assert_eq!(secret.expose(), b"\x00binary secret");
//!
//! // A locked keychain is an error, never "no such item".
//! store.set_failure(Some(KeychainError::Locked));
//! assert!(store.get("did:plc:abc/session-1").unwrap_err().is_locked());
//! store.set_failure(None);
//!
//! assert!(store.delete("did:plc:abc/session-1")?);
//! assert!(store.get("did:plc:abc/session-1")?.is_none());
//! # Ok(()) }
//! ```
//!
//! ## Why the Secret Service client is written here
//!
//! `keyring` v3 opens a new D-Bus connection and negotiates a new Diffie-Hellman session for
//! every call (13–30 ms each; see BENCHMARKS.md). On Linux this crate therefore talks to the
//! Secret Service through `dbus-secret-service` (libdbus, blocking) and keeps **one
//! connection and one encrypted session per process**, made again once when it breaks
//! (gnome-keyring restarted). The alternatives were weighed:
//!
//! * `keyring-core` 1.x with `dbus-secret-service-keyring-store` keeps one connection per
//!   store too, but never replaces a broken one (every call fails until the process
//!   restarts), keeps it private, so telling "no such item" from "locked" (which needs the
//!   default collection's state) costs a second connection, and labels new items
//!   differently from the items Skyport 0.1 wrote.
//! * The `zbus`-based stores (`secret-service`, `oo7`) are async: driven from blocking code
//!   inside a tokio runtime they need their own executor, and zbus's blocking API panics when
//!   called from within a runtime; its `tokio` feature also unifies across the workspace.
//!   libdbus has none of that.
//!
//! Items keep `keyring` v3's attributes, so items written by earlier versions are found, and
//! the other way round. macOS and Windows still use `keyring` v3's native stores, which have
//! no connection to keep.
//!
//! ## Missing is not failed
//!
//! Only `Ok(None)` from [`SecretStore::get`] means "no such item". A locked keychain, a
//! missing D-Bus session, or a slow prompt is a [`KeychainError`], and a caller must then keep
//! the session as it is: never treat the error as "signed out" and never delete anything
//! because of it.
//!
//! ## Security notes
//!
//! * [`Secret`] has a redacted `Debug`, no `Serialize`, and is zeroed on drop.
//! * Errors carry short labels of our own, never a secret and never raw platform text.
//! * On Linux the Secret Service transport is encrypted (`crypto-rust`). Any process of the
//!   same user that can talk to the session bus can ask for the same items; that is the
//!   platform's model, not something this crate can change.

mod error;
mod memory;
mod os;
mod secret;

pub use error::KeychainError;
pub use memory::MemoryKeychain;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
pub use os::connections_made;
pub use os::{DEFAULT_TIMEOUT, OsKeychain};
pub use secret::Secret;

/// A place to keep secrets by name: the OS keychain, or memory in tests.
///
/// Calls block (for [`OsKeychain`], at most its timeout); call them from a blocking context
/// such as `tokio::task::spawn_blocking`, not directly on an async executor thread.
pub trait SecretStore: Send + Sync {
    /// Stores `secret` under `name`, replacing any item already there.
    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeychainError>;

    /// The secret stored under `name`; `Ok(None)` means there is no such item. Any error
    /// means the store could not tell (see [`KeychainError`]).
    fn get(&self, name: &str) -> Result<Option<Secret>, KeychainError>;

    /// Deletes the item under `name`; `Ok(true)` if there was one, `Ok(false)` if not.
    fn delete(&self, name: &str) -> Result<bool, KeychainError>;

    /// A stable name for the backend: `"secret-service"`, `"macos-keychain"`,
    /// `"windows-credential-manager"`, `"memory"`, or `"unsupported"`. For diagnostics.
    fn backend(&self) -> &'static str;
}
