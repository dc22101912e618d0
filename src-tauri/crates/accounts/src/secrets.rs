//! What goes into the OS keychain, and nothing else: per account one item with the DPoP
//! private key and both tokens; per pending login one item with the PKCE verifier and the
//! DPoP key. Item names carry the store id so two data directories never collide.
//!
//! Every Secret Service call is a D-Bus round trip (about 1 ms for a read over the process's
//! kept connection, and it can wait on an unlock prompt), so items this process wrote or read
//! are also kept in memory ([`Recent`]), zeroed on drop: a resource call or the profile read
//! after a login then touches no keychain. Reads that decide something (a refresh under its lock, sign-out,
//! the old session a new login replaces) still go to the keychain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use skyport_keychain::{KeychainError, SecretStore};
use skyport_oauth::{AccessToken, DpopKey, PendingSecrets, PkceVerifier, RefreshToken};
use skyport_store::table::accounts::AccountRow;
use zeroize::Zeroizing;

/// A session's secrets.
#[derive(Debug, Clone)]
pub(crate) struct SessionSecrets {
    pub key: Arc<DpopKey>,
    pub access_token: AccessToken,
    pub refresh_token: RefreshToken,
}

#[derive(Serialize, Deserialize)]
struct SessionBlob<'a> {
    v: u8,
    dpop_key: &'a str,
    access_token: &'a str,
    refresh_token: &'a str,
}

#[derive(Serialize, Deserialize)]
struct PendingBlob<'a> {
    v: u8,
    dpop_key: &'a str,
    verifier: &'a str,
}

/// Secrets this process wrote to or read from the keychain, in memory.
///
/// A session entry is stamped with its account row's `session_generation` and key
/// thumbprint and used only while the row still carries that stamp: a refresh or a new login
/// in any process changes the row, and the next use reads the keychain again. A pending
/// login's item never changes once written (its name is the random `state`).
#[derive(Default)]
pub(crate) struct Recent {
    sessions: Mutex<HashMap<String, (Stamp, SessionSecrets)>>,
    pending: Mutex<HashMap<String, Zeroizing<Vec<u8>>>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    generation: i64,
    thumbprint: String,
}

impl Stamp {
    fn of(row: &AccountRow) -> Self {
        Self { generation: row.session_generation, thumbprint: row.dpop_thumbprint.clone() }
    }
}

impl Recent {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Stamp, SessionSecrets)>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, Zeroizing<Vec<u8>>>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The keychain of one store.
#[derive(Clone)]
pub(crate) struct Vault<'a> {
    pub store: &'a dyn SecretStore,
    pub store_id: &'a str,
    pub recent: &'a Recent,
}

impl Vault<'_> {
    fn session_name(&self, did: &str) -> String {
        format!("{}:session:{did}", self.store_id)
    }

    fn pending_name(&self, state: &str) -> String {
        format!("{}:pending:{state}", self.store_id)
    }

    pub fn put_session(&self, did: &str, s: &SessionSecrets) -> Result<(), KeychainError> {
        let key = Zeroizing::new(URL_SAFE_NO_PAD.encode(&*s.key.to_secret_bytes()));
        let blob = SessionBlob {
            v: 1,
            dpop_key: &key,
            access_token: s.access_token.expose(),
            refresh_token: s.refresh_token.expose(),
        };
        self.store.put(&self.session_name(did), &encode(&blob))
    }

    /// The session's secrets; `Ok(None)` if there is no item.
    pub fn session(&self, did: &str) -> Result<Option<SessionSecrets>, KeychainError> {
        let Some(secret) = self.store.get(&self.session_name(did))? else { return Ok(None) };
        let blob: SessionBlob<'_> =
            serde_json::from_slice(secret.expose()).map_err(|_| KeychainError::Corrupt)?;
        Ok(Some(SessionSecrets {
            key: Arc::new(decode_key(blob.dpop_key)?),
            access_token: AccessToken::new(blob.access_token),
            refresh_token: RefreshToken::new(blob.refresh_token),
        }))
    }

    /// The secrets of the session `row` describes: from memory if this process holds them
    /// for exactly that session (same generation and key), otherwise from the keychain.
    pub fn session_of(&self, row: &AccountRow) -> Result<Option<SessionSecrets>, KeychainError> {
        let stamp = Stamp::of(row);
        if let Some((held, secrets)) = self.recent.sessions().get(&row.did)
            && *held == stamp
        {
            return Ok(Some(secrets.clone()));
        }
        let found = self.session(&row.did)?;
        match &found {
            Some(s) => self.remember(row, s),
            None => self.forget(&row.did),
        }
        Ok(found)
    }

    /// Keeps `secrets` in memory as those of the session `row` describes (call it after the
    /// keychain and the row both hold them).
    pub fn remember(&self, row: &AccountRow, secrets: &SessionSecrets) {
        self.recent.sessions().insert(row.did.clone(), (Stamp::of(row), secrets.clone()));
    }

    /// Drops the in-memory copy of a session.
    pub fn forget(&self, did: &str) {
        self.recent.sessions().remove(did);
    }

    pub fn delete_session(&self, did: &str) -> Result<bool, KeychainError> {
        self.forget(did);
        self.store.delete(&self.session_name(did))
    }

    pub fn put_pending(&self, state: &str, s: &PendingSecrets) -> Result<(), KeychainError> {
        let key = Zeroizing::new(URL_SAFE_NO_PAD.encode(&*s.dpop_key.to_secret_bytes()));
        let blob = PendingBlob { v: 1, dpop_key: &key, verifier: s.verifier.expose() };
        let bytes = encode(&blob);
        self.store.put(&self.pending_name(state), &bytes)?;
        self.recent.pending().insert(state.to_owned(), bytes);
        Ok(())
    }

    /// A pending login's secrets: from memory if this process started the login, otherwise
    /// from the keychain.
    pub fn pending(&self, state: &str) -> Result<Option<PendingSecrets>, KeychainError> {
        let held = self.recent.pending().remove(state);
        let secret = match held {
            Some(bytes) => bytes,
            None => match self.store.get(&self.pending_name(state))? {
                Some(secret) => Zeroizing::new(secret.expose().to_vec()),
                None => return Ok(None),
            },
        };
        let blob: PendingBlob<'_> = serde_json::from_slice(&secret).map_err(|_| KeychainError::Corrupt)?;
        Ok(Some(PendingSecrets {
            dpop_key: decode_key(blob.dpop_key)?,
            verifier: PkceVerifier::new(blob.verifier),
        }))
    }

    pub fn delete_pending(&self, state: &str) -> Result<bool, KeychainError> {
        self.recent.pending().remove(state);
        self.store.delete(&self.pending_name(state))
    }

    /// A cheap read that tells whether the keychain answers (locked, unavailable).
    pub fn probe(&self) -> Result<(), KeychainError> {
        self.store.get(&format!("{}:probe", self.store_id)).map(|_| ())
    }
}

fn encode<T: Serialize>(value: &T) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(1024));
    // Serialising plain strings into memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
    out
}

fn decode_key(b64: &str) -> Result<DpopKey, KeychainError> {
    let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(b64).map_err(|_| KeychainError::Corrupt)?);
    DpopKey::from_secret_bytes(&bytes).map_err(|_| KeychainError::Corrupt)
}
