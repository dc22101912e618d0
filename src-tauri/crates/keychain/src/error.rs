//! [`KeychainError`]: why a keychain call failed, kept apart by cause.
//!
//! A missing item is **not** an error: [`get`](crate::SecretStore::get) answers `Ok(None)` and
//! [`delete`](crate::SecretStore::delete) answers `Ok(false)`. Every error below means "the
//! keychain could not tell", so callers must never read one as "signed out" and must never
//! delete anything because of one. Use the classifiers ([`KeychainError::is_locked`],
//! [`KeychainError::is_unavailable`], [`KeychainError::is_timeout`]) instead of matching text.

/// Why a keychain call failed. None of these says whether the item exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeychainError {
    /// The keychain is locked and the user must unlock it (for the Secret Service: the
    /// collection is locked and the unlock prompt was dismissed or could not be shown, or the
    /// provider answered `IsLocked`). Nothing was read, written or deleted; the item may well
    /// exist. Ask the user to unlock, then retry.
    #[error("the keychain is locked")]
    Locked,
    /// There is no usable keychain: no D-Bus session bus, no Secret Service provider, no
    /// default collection, or a platform failure. `reason` is a short, stable, human label
    /// (for example "no D-Bus session bus"); it never carries raw platform text.
    #[error("the keychain is unavailable: {reason}")]
    Unavailable {
        /// A short, stable, human label for the cause.
        reason: String,
    },
    /// The keychain did not answer within the time limit. The outcome is unknown: a write
    /// may still land later (for example once the user answers an unlock prompt).
    #[error("the keychain did not answer in time")]
    Timeout,
    /// The stored value exists but cannot be decoded.
    #[error("the stored secret cannot be decoded")]
    Corrupt,
    /// Anything else: an invalid or too long name, several items matching one name, or an
    /// error this crate does not know. The text is ours, never a secret.
    #[error("keychain error: {0}")]
    Other(String),
}

impl KeychainError {
    /// The keychain is locked: the user must unlock it (see [`KeychainError::Locked`]).
    pub fn is_locked(&self) -> bool {
        matches!(self, KeychainError::Locked)
    }

    /// There is no usable keychain (see [`KeychainError::Unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, KeychainError::Unavailable { .. })
    }

    /// The keychain did not answer in time (see [`KeychainError::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, KeychainError::Timeout)
    }

    /// An [`Unavailable`](KeychainError::Unavailable) error with a stable label.
    pub(crate) fn unavailable(reason: &str) -> Self {
        KeychainError::Unavailable { reason: reason.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifiers_pick_one_cause_each() {
        let cases = [
            (KeychainError::Locked, [true, false, false]),
            (KeychainError::unavailable("no D-Bus session bus"), [false, true, false]),
            (KeychainError::Timeout, [false, false, true]),
            (KeychainError::Corrupt, [false, false, false]),
            (KeychainError::Other("x".into()), [false, false, false]),
        ];
        for (err, [locked, unavailable, timeout]) in cases {
            assert_eq!(err.is_locked(), locked, "{err:?}");
            assert_eq!(err.is_unavailable(), unavailable, "{err:?}");
            assert_eq!(err.is_timeout(), timeout, "{err:?}");
        }
    }

    #[test]
    fn display_carries_the_label() {
        let err = KeychainError::unavailable("no Secret Service provider");
        assert_eq!(err.to_string(), "the keychain is unavailable: no Secret Service provider");
    }
}
