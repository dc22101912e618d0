//! `keyring` errors → [`KeychainError`], by cause, and when `NoEntry` may be believed.
//!
//! `keyring` folds very different states into `NoStorageAccess`, so on the Secret Service we
//! look at the error underneath. Seen with gnome-keyring 42 (Debian 12):
//!
//! | state | `keyring` error | here |
//! | --- | --- | --- |
//! | collection locked, item exists (unlock prompt dismissed or no display for it) | `NoStorageAccess(Prompt)` | [`Locked`](KeychainError::Locked) |
//! | collection locked, no such item | `NoEntry` | [`Locked`](KeychainError::Locked), see [`confirm_missing`] |
//! | daemon running, no default collection | `NoStorageAccess(NoResult)` | `Unavailable` "no default keyring collection" |
//! | `DBUS_SESSION_BUS_ADDRESS` names a missing socket | `PlatformFailure(Dbus(FileNotFound))` | `Unavailable` "no D-Bus session bus" |
//! | no session bus and no `$DISPLAY` | `PlatformFailure(Dbus(NotSupported))` | `Unavailable` "no D-Bus session bus" |
//! | a bus without any Secret Service provider | `PlatformFailure(Dbus(ServiceUnknown))` | `Unavailable` "no Secret Service provider" |

use crate::KeychainError;

/// The boxed platform error inside `keyring`'s `NoStorageAccess` and `PlatformFailure`.
type PlatformError = dyn std::error::Error + Send + Sync + 'static;

pub(super) use platform::confirm_missing;

/// Classifies every `keyring` error except `NoEntry`, which callers turn into "missing"
/// once [`confirm_missing`] agrees.
pub(super) fn classify(err: keyring::Error) -> KeychainError {
    match err {
        keyring::Error::NoStorageAccess(inner) => platform::no_access(inner.as_ref()),
        keyring::Error::PlatformFailure(inner) => platform::failure(inner.as_ref()),
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

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
mod platform {
    use dbus_secret_service::{EncryptionType, Error as SsError, SecretService};

    use super::PlatformError;
    use crate::KeychainError;

    /// `keyring` answers `NoEntry` when a search of a locked collection finds nothing, and
    /// a locked search can miss items (gnome-keyring searches hashed attributes; other
    /// providers may hide everything). So `NoEntry` counts as "missing" only while the
    /// default collection, where `keyring` keeps its items, is unlocked; otherwise the
    /// answer is `Locked`.
    pub(crate) fn confirm_missing() -> keyring::Result<()> {
        let fail = |err: SsError| keyring::Error::PlatformFailure(Box::new(err));
        // No secret crosses this session, so it needs no encryption.
        let service = SecretService::connect(EncryptionType::Plain).map_err(fail)?;
        let collection = service.get_default_collection().map_err(fail)?;
        if collection.is_locked().map_err(fail)? { Err(fail(SsError::Locked)) } else { Ok(()) }
    }

    pub(super) fn no_access(inner: &PlatformError) -> KeychainError {
        secret_service(inner).unwrap_or_else(|| KeychainError::unavailable("Secret Service refused access"))
    }

    pub(super) fn failure(inner: &PlatformError) -> KeychainError {
        secret_service(inner).unwrap_or_else(|| KeychainError::unavailable("Secret Service failure"))
    }

    fn secret_service(inner: &PlatformError) -> Option<KeychainError> {
        Some(match inner.downcast_ref::<SsError>()? {
            SsError::Locked | SsError::Prompt => KeychainError::Locked,
            SsError::NoResult => KeychainError::unavailable("no default keyring collection"),
            SsError::Unavailable => KeychainError::unavailable("no Secret Service provider"),
            SsError::Dbus(err) => dbus(err.name().unwrap_or_default()),
            SsError::Crypto(_) => KeychainError::unavailable("Secret Service encryption failed"),
            _ => KeychainError::unavailable("unexpected Secret Service reply"),
        })
    }

    /// D-Bus error names (the D-Bus specification and the Secret Service API, "Errors").
    pub(super) fn dbus(name: &str) -> KeychainError {
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
            "org.freedesktop.Secret.Error.NoSession" => {
                KeychainError::unavailable("Secret Service session lost")
            }
            _ => KeychainError::unavailable("Secret Service request failed"),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
mod platform {
    use super::PlatformError;
    use crate::KeychainError;

    #[cfg(any(target_os = "macos", target_os = "ios"))]
    const NAME: &str = "macOS keychain";
    #[cfg(not(any(target_os = "macos", target_os = "ios")))]
    const NAME: &str = "Windows Credential Manager";

    /// The macOS and Windows stores report a locked store as an error, not as `NoEntry`.
    pub(crate) fn confirm_missing() -> keyring::Result<()> {
        Ok(())
    }

    /// macOS: no such / invalid / read-only keychain; Windows: no logon session.
    pub(super) fn no_access(_inner: &PlatformError) -> KeychainError {
        KeychainError::Unavailable { reason: format!("{NAME} not accessible") }
    }

    pub(super) fn failure(_inner: &PlatformError) -> KeychainError {
        KeychainError::Unavailable { reason: format!("{NAME} failure") }
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
mod tests {
    use dbus_secret_service::Error as SsError;

    use super::*;

    fn no_access(err: SsError) -> keyring::Error {
        keyring::Error::NoStorageAccess(Box::new(err))
    }

    fn failure(err: SsError) -> keyring::Error {
        keyring::Error::PlatformFailure(Box::new(err))
    }

    fn dbus(name: &str) -> SsError {
        SsError::Dbus(dbus::Error::new_custom(name, "raw D-Bus text that must not leak"))
    }

    fn unavailable(reason: &str) -> KeychainError {
        KeychainError::unavailable(reason)
    }

    #[test]
    fn locked_collection_is_locked_never_missing() {
        assert_eq!(classify(no_access(SsError::Prompt)), KeychainError::Locked);
        assert_eq!(classify(no_access(SsError::Locked)), KeychainError::Locked);
        assert_eq!(classify(failure(dbus("org.freedesktop.Secret.Error.IsLocked"))), KeychainError::Locked);
    }

    #[test]
    fn missing_bus_or_provider_is_unavailable() {
        let cases = [
            (failure(dbus("org.freedesktop.DBus.Error.FileNotFound")), "no D-Bus session bus"),
            (failure(dbus("org.freedesktop.DBus.Error.NotSupported")), "no D-Bus session bus"),
            (failure(dbus("org.freedesktop.DBus.Error.NoServer")), "no D-Bus session bus"),
            (failure(dbus("org.freedesktop.DBus.Error.ServiceUnknown")), "no Secret Service provider"),
            (failure(dbus("org.freedesktop.DBus.Error.Spawn.ChildExited")), "no Secret Service provider"),
            (failure(SsError::Unavailable), "no Secret Service provider"),
            (no_access(SsError::NoResult), "no default keyring collection"),
            (failure(dbus("org.freedesktop.Secret.Error.NoSession")), "Secret Service session lost"),
            (failure(dbus("org.example.Whatever")), "Secret Service request failed"),
            (failure(SsError::Parse), "unexpected Secret Service reply"),
        ];
        for (err, reason) in cases {
            let shown = format!("{err:?}");
            let classified = classify(err);
            assert_eq!(classified, unavailable(reason), "{shown}");
            assert!(!classified.to_string().contains("raw D-Bus text"), "{classified}");
        }
    }

    #[test]
    fn dbus_no_reply_is_a_timeout() {
        assert_eq!(classify(failure(dbus("org.freedesktop.DBus.Error.NoReply"))), KeychainError::Timeout);
    }

    #[test]
    fn unknown_platform_errors_are_unavailable() {
        let other = || Box::new(std::io::Error::other("something")) as Box<PlatformError>;
        assert!(classify(keyring::Error::PlatformFailure(other())).is_unavailable());
        assert!(classify(keyring::Error::NoStorageAccess(other())).is_unavailable());
    }

    #[test]
    fn the_rest_is_corrupt_or_other() {
        assert_eq!(classify(keyring::Error::BadEncoding(vec![0xff])), KeychainError::Corrupt);
        let too_long = classify(keyring::Error::TooLong("username".into(), 512));
        assert_eq!(
            too_long,
            KeychainError::Other("the username is longer than the keychain's limit of 512".into())
        );
        assert!(matches!(
            classify(keyring::Error::Invalid("target".into(), "cannot be empty".into())),
            KeychainError::Other(_)
        ));
        assert!(matches!(classify(keyring::Error::Ambiguous(Vec::new())), KeychainError::Other(_)));
    }
}
