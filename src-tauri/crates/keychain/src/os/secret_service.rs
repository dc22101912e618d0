//! The Secret Service (freedesktop.org Secret Service API) through `dbus-secret-service`:
//! **one D-Bus connection and one encrypted session per process**, reconnected once when it
//! breaks.
//!
//! `keyring` v3 opened a new connection and negotiated a new Diffie-Hellman session for every
//! call (13–30 ms each, most of a login's storage time). Here the connection lives in a
//! process-wide slot; a call that fails at the D-Bus level (gnome-keyring restarted, so the
//! session object is gone, or the bus hung up) drops it, connects again and is retried once.
//!
//! Items keep the attributes `keyring` v3 gave them (`service`, `username`, `target` =
//! `default`, `application` = `rust-keyring`) and are found by `service` and `username`
//! alone, so items written by earlier Skyport versions are found, and earlier versions find
//! the items written here.
//!
//! How answers map to [`KeychainError`], as seen with gnome-keyring 42 (Debian 12):
//!
//! | state | here |
//! | --- | --- |
//! | collection locked, item exists (unlock prompt dismissed or no display for it) | [`Locked`](KeychainError::Locked) |
//! | collection locked, no such item (a locked search can miss items) | [`Locked`](KeychainError::Locked), never "missing" |
//! | daemon running, no default collection | `Unavailable` "no default keyring collection" |
//! | `DBUS_SESSION_BUS_ADDRESS` names a missing socket, or no bus and no `$DISPLAY` | `Unavailable` "no D-Bus session bus" |
//! | a bus without any Secret Service provider | `Unavailable` "no Secret Service provider" |

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use dbus_secret_service::{EncryptionType, Error as SsError, Item, SecretService};
use zeroize::Zeroizing;

use crate::KeychainError;

/// The `target` attribute `keyring` v3 wrote (its default collection).
const TARGET: &str = "default";
/// The `application` attribute `keyring` v3 wrote.
const APPLICATION: &str = "rust-keyring";
/// The secret's content type, as `keyring` v3 stored it.
const CONTENT_TYPE: &str = "text/plain";

/// The process's connection and encrypted session; `None` until the first call and after a
/// broken one.
static CONNECTION: Mutex<Option<SecretService>> = Mutex::new(None);

/// How many connections this process has made (for the tests that prove there is one).
static CONNECTIONS_MADE: AtomicUsize = AtomicUsize::new(0);

/// How many Secret Service connections (each with its own encrypted session) this process
/// has made so far.
pub fn connections_made() -> usize {
    CONNECTIONS_MADE.load(Ordering::Relaxed)
}

/// The secret of the item `(service, name)`; `None` if there is none (and the default
/// collection is unlocked, so a search can be believed).
pub(super) fn get(service: &str, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeychainError> {
    with_service(|ss| match unique(ss, service, name)? {
        Some(item) => Ok(Some(Zeroizing::new(item.get_secret()?))),
        None => confirm_missing(ss).map(|()| None),
    })
}

/// Stores `secret` under `(service, name)`: replaces the secret of the existing item, or
/// creates one in the default collection.
pub(super) fn put(service: &str, name: &str, secret: &[u8]) -> Result<(), KeychainError> {
    with_service(|ss| {
        if let Some(item) = unique(ss, service, name)? {
            return Ok(item.set_secret(secret, CONTENT_TYPE)?);
        }
        // A locked collection asks for its unlock prompt here; dismissed, it is `Locked`.
        let collection = ss.get_default_collection()?;
        let attributes = HashMap::from([
            ("service", service),
            ("username", name),
            ("target", TARGET),
            ("application", APPLICATION),
        ]);
        let label = format!("{name}@{service}:{TARGET} (Skyport)");
        collection.create_item(&label, attributes, secret, true, CONTENT_TYPE)?;
        Ok(())
    })
}

/// Deletes the item `(service, name)`; `false` if there was none.
pub(super) fn delete(service: &str, name: &str) -> Result<bool, KeychainError> {
    with_service(|ss| match unique(ss, service, name)? {
        Some(item) => {
            item.delete()?;
            Ok(true)
        }
        None => confirm_missing(ss).map(|()| false),
    })
}

/// Why a call failed: the Secret Service's own error, or several items under one name.
enum Failure {
    Service(SsError),
    Ambiguous(usize),
}

impl From<SsError> for Failure {
    fn from(err: SsError) -> Self {
        Failure::Service(err)
    }
}

/// Runs `op` on the process's connection, connecting first if there is none. A call that
/// fails at the D-Bus level on a connection made earlier is retried once on a new one.
fn with_service<T>(op: impl Fn(&SecretService) -> Result<T, Failure>) -> Result<T, KeychainError> {
    let mut slot = CONNECTION.lock().unwrap_or_else(PoisonError::into_inner);
    let fresh = slot.is_none();
    let result = match connected(&mut slot) {
        Ok(ss) => op(ss),
        Err(err) => Err(Failure::Service(err)),
    };
    let result = match result {
        Err(Failure::Service(err)) if !fresh && is_broken(&err) => {
            tracing::debug!(error = %err, "Secret Service connection broke; connecting again");
            *slot = None;
            match connected(&mut slot) {
                Ok(ss) => op(ss),
                Err(err) => Err(Failure::Service(err)),
            }
        }
        other => other,
    };
    if matches!(&result, Err(Failure::Service(err)) if is_broken(err)) {
        // Do not keep a connection that just failed at the D-Bus level.
        *slot = None;
    }
    result.map_err(|failure| match failure {
        Failure::Service(err) => classify(&err),
        Failure::Ambiguous(n) => KeychainError::Other(format!("{n} keychain items match one name")),
    })
}

/// The connection in `slot`, made now if there is none.
fn connected(slot: &mut Option<SecretService>) -> Result<&SecretService, SsError> {
    if slot.is_none() {
        *slot = Some(SecretService::connect(EncryptionType::Dh)?);
        CONNECTIONS_MADE.fetch_add(1, Ordering::Relaxed);
    }
    Ok(slot.as_ref().expect("connected just now"))
}

/// A failure of the connection or the session rather than an answer about the keychain.
fn is_broken(err: &SsError) -> bool {
    match err {
        SsError::Dbus(e) => e.name() != Some("org.freedesktop.Secret.Error.IsLocked"),
        SsError::Crypto(_) => true,
        _ => false,
    }
}

/// The one item under `(service, name)`, unlocked (a locked one asks for its unlock prompt;
/// dismissed, it is `Locked`). Found by `service` and `username` only, so items with or
/// without `keyring`'s `target` attribute are found.
fn unique<'a>(ss: &'a SecretService, service: &str, name: &str) -> Result<Option<Item<'a>>, Failure> {
    let search = ss.search_items(HashMap::from([("service", service), ("username", name)]))?;
    match (search.unlocked.len() + search.locked.len(), search.unlocked.into_iter().next()) {
        (0, _) => Ok(None),
        (1, Some(item)) => Ok(Some(item)),
        (1, None) => {
            let item = search.locked.into_iter().next().expect("one locked item");
            item.unlock()?;
            Ok(Some(item))
        }
        (n, _) => Err(Failure::Ambiguous(n)),
    }
}

/// A search that finds nothing counts as "missing" only while the default collection is
/// unlocked: a locked search can miss items (gnome-keyring searches hashed attributes; other
/// providers may hide everything), so then the answer is `Locked`.
fn confirm_missing(ss: &SecretService) -> Result<(), Failure> {
    if ss.get_default_collection()?.is_locked()? { Err(Failure::Service(SsError::Locked)) } else { Ok(()) }
}

/// A Secret Service error, by cause. Never carries the provider's own text.
pub(super) fn classify(err: &SsError) -> KeychainError {
    match err {
        SsError::Locked | SsError::Prompt => KeychainError::Locked,
        SsError::NoResult => KeychainError::unavailable("no default keyring collection"),
        SsError::Unavailable => KeychainError::unavailable("no Secret Service provider"),
        SsError::Dbus(err) => dbus(err.name().unwrap_or_default()),
        SsError::Crypto(_) => KeychainError::unavailable("Secret Service encryption failed"),
        SsError::UnsupportedSecretFormat => KeychainError::Corrupt,
        _ => KeychainError::unavailable("unexpected Secret Service reply"),
    }
}

/// D-Bus error names (the D-Bus specification and the Secret Service API, "Errors").
fn dbus(name: &str) -> KeychainError {
    const BUS: &str = "org.freedesktop.DBus.Error.";
    match name.strip_prefix(BUS) {
        Some(
            "FileNotFound" | "NoServer" | "NotSupported" | "BadAddress" | "Disconnected" | "NoNetwork"
            | "AuthFailed" | "IOError" | "LimitsExceeded",
        ) => return KeychainError::unavailable("no D-Bus session bus"),
        Some("ServiceUnknown" | "NameHasNoOwner") => {
            return KeychainError::unavailable("no Secret Service provider");
        }
        Some(spawn) if spawn.starts_with("Spawn.") => {
            return KeychainError::unavailable("no Secret Service provider");
        }
        Some("AccessDenied") => return KeychainError::unavailable("Secret Service denied access"),
        Some("NoReply" | "Timeout" | "TimedOut") => return KeychainError::Timeout,
        _ => {}
    }
    match name {
        "org.freedesktop.Secret.Error.IsLocked" => KeychainError::Locked,
        "org.freedesktop.Secret.Error.NoSession" => KeychainError::unavailable("Secret Service session lost"),
        _ => KeychainError::unavailable("Secret Service request failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dbus_error(name: &str) -> SsError {
        SsError::Dbus(dbus::Error::new_custom(name, "raw D-Bus text that must not leak"))
    }

    #[test]
    fn locked_collection_is_locked_never_missing() {
        assert_eq!(classify(&SsError::Prompt), KeychainError::Locked);
        assert_eq!(classify(&SsError::Locked), KeychainError::Locked);
        assert_eq!(classify(&dbus_error("org.freedesktop.Secret.Error.IsLocked")), KeychainError::Locked);
    }

    #[test]
    fn missing_bus_or_provider_is_unavailable() {
        let cases = [
            (dbus_error("org.freedesktop.DBus.Error.FileNotFound"), "no D-Bus session bus"),
            (dbus_error("org.freedesktop.DBus.Error.NotSupported"), "no D-Bus session bus"),
            (dbus_error("org.freedesktop.DBus.Error.NoServer"), "no D-Bus session bus"),
            (dbus_error("org.freedesktop.DBus.Error.ServiceUnknown"), "no Secret Service provider"),
            (dbus_error("org.freedesktop.DBus.Error.Spawn.ChildExited"), "no Secret Service provider"),
            (SsError::Unavailable, "no Secret Service provider"),
            (SsError::NoResult, "no default keyring collection"),
            (dbus_error("org.freedesktop.Secret.Error.NoSession"), "Secret Service session lost"),
            (dbus_error("org.example.Whatever"), "Secret Service request failed"),
            (SsError::Parse, "unexpected Secret Service reply"),
        ];
        for (err, reason) in cases {
            let shown = format!("{err:?}");
            let classified = classify(&err);
            assert_eq!(classified, KeychainError::unavailable(reason), "{shown}");
            assert!(!classified.to_string().contains("raw D-Bus text"), "{classified}");
        }
    }

    #[test]
    fn dbus_no_reply_is_a_timeout() {
        assert_eq!(classify(&dbus_error("org.freedesktop.DBus.Error.NoReply")), KeychainError::Timeout);
    }

    #[test]
    fn only_connection_failures_reconnect() {
        assert!(is_broken(&dbus_error("org.freedesktop.Secret.Error.NoSession")));
        assert!(is_broken(&dbus_error("org.freedesktop.DBus.Error.Disconnected")));
        assert!(is_broken(&dbus_error("org.freedesktop.DBus.Error.NoReply")));
        assert!(!is_broken(&dbus_error("org.freedesktop.Secret.Error.IsLocked")));
        assert!(!is_broken(&SsError::Locked));
        assert!(!is_broken(&SsError::Prompt));
        assert!(!is_broken(&SsError::NoResult));
    }
}
