//! What goes into the OS keychain, and nothing else: per account one item with the DPoP
//! private key and both tokens; per pending login one item with the PKCE verifier and the
//! DPoP key. Item names carry the store id so two data directories never collide.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use skyport_keychain::{KeychainError, SecretStore};
use skyport_oauth::{AccessToken, DpopKey, PendingSecrets, PkceVerifier, RefreshToken};
use zeroize::Zeroizing;

/// A session's secrets.
#[derive(Debug)]
pub(crate) struct SessionSecrets {
    pub key: DpopKey,
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

/// The keychain of one store.
#[derive(Clone)]
pub(crate) struct Vault<'a> {
    pub store: &'a dyn SecretStore,
    pub store_id: &'a str,
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
            key: decode_key(blob.dpop_key)?,
            access_token: AccessToken::new(blob.access_token),
            refresh_token: RefreshToken::new(blob.refresh_token),
        }))
    }

    pub fn delete_session(&self, did: &str) -> Result<bool, KeychainError> {
        self.store.delete(&self.session_name(did))
    }

    pub fn put_pending(&self, state: &str, s: &PendingSecrets) -> Result<(), KeychainError> {
        let key = Zeroizing::new(URL_SAFE_NO_PAD.encode(&*s.dpop_key.to_secret_bytes()));
        let blob = PendingBlob { v: 1, dpop_key: &key, verifier: s.verifier.expose() };
        self.store.put(&self.pending_name(state), &encode(&blob))
    }

    pub fn pending(&self, state: &str) -> Result<Option<PendingSecrets>, KeychainError> {
        let Some(secret) = self.store.get(&self.pending_name(state))? else { return Ok(None) };
        let blob: PendingBlob<'_> =
            serde_json::from_slice(secret.expose()).map_err(|_| KeychainError::Corrupt)?;
        Ok(Some(PendingSecrets {
            dpop_key: decode_key(blob.dpop_key)?,
            verifier: PkceVerifier::new(blob.verifier),
        }))
    }

    pub fn delete_pending(&self, state: &str) -> Result<bool, KeychainError> {
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
