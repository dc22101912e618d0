//! The DPoP nonce cache, keyed by session and server origin (RFC 9449 §8; atproto OAuth spec,
//! "Demonstrating Proof of Possession (DPoP)").

use std::collections::HashMap;
use std::sync::Mutex;

/// Which cache entry a nonce belongs to: one session's view of one server.
///
/// Every session has its own DPoP key *and its own nonce cache* (the atproto OAuth spec:
/// "Clients should track the DPoP nonce per account session and per server"). A nonce
/// is something the server handed out; echoing the nonce one account learned in a proof
/// signed by another account's key would let the server link the two accounts of one
/// computer. So the cache is keyed by the DPoP key's RFC 7638 thumbprint (`jkt`) and the
/// origin. A pending login has its own key, and that key becomes the session's key, so the
/// nonce learned during PAR and the token request carries over to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NonceScope<'a> {
    /// The RFC 7638 thumbprint of the DPoP key ([`DpopKey::thumbprint`](super::DpopKey::thumbprint)).
    pub jkt: &'a str,
    /// The server origin (`https://host[:port]`). The authorization server and the PDS may
    /// or may not share nonces, so they are never assumed to.
    pub origin: &'a str,
}

/// Where DPoP nonces are kept between requests (and, for a persistent store, between runs),
/// one entry per [`NonceScope`] (DPoP key and origin).
pub trait NonceStore: Send + Sync {
    /// The latest nonce this key was given by this origin.
    fn get(&self, scope: NonceScope<'_>) -> Option<String>;
    /// Records a nonce the origin sent to a request signed with this key (on any response,
    /// success or error).
    fn put(&self, scope: NonceScope<'_>, nonce: &str);
}

/// An in-memory nonce cache.
#[derive(Debug, Default)]
pub struct MemoryNonces(Mutex<HashMap<(String, String), String>>);

impl NonceStore for MemoryNonces {
    fn get(&self, scope: NonceScope<'_>) -> Option<String> {
        let key = (scope.jkt.to_owned(), scope.origin.to_owned());
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned()
    }

    fn put(&self, scope: NonceScope<'_>, nonce: &str) {
        let key = (scope.jkt.to_owned(), scope.origin.to_owned());
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key, nonce.to_owned());
    }
}

/// A nonce value is a visible-ASCII token of bounded size (RFC 9449 §8.1 `nonce = 1*NQCHAR`).
/// Anything else (control characters, huge values) is ignored rather than echoed back.
/// Public so that the fuzz targets (`fuzz/`) can check it against the `DPoP-Nonce` rule.
pub fn is_valid_nonce(value: &str) -> bool {
    (1..=1024).contains(&value.len())
        && value.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}
