//! Storage work off the async threads: SQLite and the keychain block (an fsync, a D-Bus round
//! trip, an unlock prompt), so async code hands them to tokio's blocking pool through
//! [`Accounts::off_thread`]. While one account waits for the keychain, the other accounts'
//! refreshes, the UI's commands and the event forwarder go on.

use std::sync::Arc;

use skyport_keychain::{KeychainError, SecretStore};
use skyport_oauth::Clock;
use skyport_store::Db;
use skyport_store::table::accounts;

use crate::reason::SignInReason;
use crate::secrets::{Recent, SessionSecrets, Vault};
use crate::{Accounts, Error, KeychainState};

/// What blocking storage work needs: the database, the keychain, the secrets held in memory,
/// and the clock. Cheap to clone (shared handles).
#[derive(Clone)]
pub(crate) struct Storage {
    pub db: Arc<Db>,
    keychain: Arc<dyn SecretStore>,
    recent: Arc<Recent>,
    clock: Arc<dyn Clock>,
}

impl Storage {
    /// The keychain of this store.
    pub fn vault(&self) -> Vault<'_> {
        Vault { store: self.keychain.as_ref(), store_id: self.db.store_id(), recent: &self.recent }
    }

    /// One account, by DID, handle or `@handle`; the active one if `who` is `None`.
    pub fn row(&self, who: Option<&str>) -> Result<accounts::AccountRow, Error> {
        let rows = self.db.with(accounts::list)?;
        let found = match who {
            None => rows.into_iter().find(|r| r.active).ok_or(Error::NoActiveAccount)?,
            Some(w) => {
                let w = w.trim();
                let handle = w.strip_prefix('@').unwrap_or(w).to_ascii_lowercase();
                rows.into_iter()
                    .find(|r| r.did == w || r.handle.as_deref() == Some(handle.as_str()))
                    .ok_or_else(|| Error::UnknownAccount(w.to_owned()))?
            }
        };
        Ok(found)
    }

    /// Now, by the account manager's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// How the keychain answers right now (one cheap read).
    pub fn keychain_state(&self) -> KeychainState {
        match self.vault().probe() {
            Ok(()) => KeychainState::Available,
            Err(e) if e.is_locked() => KeychainState::Locked,
            Err(_) => KeychainState::Unavailable,
        }
    }

    /// Marks an account "needs sign-in" and forgets its secrets held in memory.
    pub fn mark_needs_sign_in(&self, did: &str, reason: SignInReason) -> Result<(), Error> {
        let now = self.clock.now();
        self.vault().forget(did);
        self.db.write(|c| accounts::mark_needs_sign_in(c, did, reason.as_str(), now))?;
        Ok(())
    }

    /// Marks the account and returns the error to report: the `NeedsSignIn` error, or the
    /// storage error if even the mark could not be written.
    pub fn needs_sign_in(&self, did: &str, reason: SignInReason) -> Error {
        match self.mark_needs_sign_in(did, reason) {
            Ok(()) => Error::NeedsSignIn { did: did.to_owned(), reason },
            Err(e) => e,
        }
    }

    /// A keychain read of a session's secrets, for a decision: a missing item or one that
    /// cannot be decoded marks the account "needs sign-in" with its own reason; a locked or
    /// unreachable keychain is an error that changes nothing.
    pub fn found_or_mark(
        &self,
        did: &str,
        read: Result<Option<SessionSecrets>, KeychainError>,
    ) -> Result<SessionSecrets, Error> {
        match read {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(self.needs_sign_in(did, SignInReason::KeyMissing)),
            Err(KeychainError::Corrupt) => Err(self.needs_sign_in(did, SignInReason::KeyUnreadable)),
            Err(e) => Err(e.into()),
        }
    }
}

impl Accounts {
    /// The storage handles, for work on another thread.
    pub(crate) fn storage(&self) -> Storage {
        Storage {
            db: self.db.clone(),
            keychain: self.keychain.clone(),
            recent: self.recent.clone(),
            clock: self.clock.clone(),
        }
    }

    /// Runs blocking storage work on tokio's blocking pool and waits for it without holding
    /// an async worker thread. Outside a runtime it runs in place.
    pub(crate) async fn off_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Storage) -> T + Send + 'static,
    ) -> T {
        let storage = self.storage();
        if tokio::runtime::Handle::try_current().is_err() {
            return work(&storage);
        }
        match tokio::task::spawn_blocking(move || work(&storage)).await {
            Ok(value) => value,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}
