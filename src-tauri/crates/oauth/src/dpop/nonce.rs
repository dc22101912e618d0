//! The DPoP nonce cache, keyed by server origin (RFC 9449 §8; profile section C).

use std::collections::HashMap;
use std::sync::Mutex;

/// Where DPoP nonces are kept between requests (and, for a persistent store, between runs).
///
/// Keys are origins (`https://host[:port]`): the authorization server and the PDS may or may
/// not share nonces, so they are never assumed to.
pub trait NonceStore: Send + Sync {
    /// The latest nonce seen from `origin`.
    fn get(&self, origin: &str) -> Option<String>;
    /// Records a nonce `origin` sent (on any response, success or error).
    fn put(&self, origin: &str, nonce: &str);
}

/// An in-memory nonce cache.
#[derive(Debug, Default)]
pub struct MemoryNonces(Mutex<HashMap<String, String>>);

impl NonceStore for MemoryNonces {
    fn get(&self, origin: &str) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(origin).cloned()
    }

    fn put(&self, origin: &str, nonce: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(origin.to_owned(), nonce.to_owned());
    }
}

/// A nonce value is a visible-ASCII token of bounded size (RFC 9449 §8.1 `nonce = 1*NQCHAR`).
/// Anything else (control characters, huge values) is ignored rather than echoed back.
/// Public so that the fuzz targets (`fuzz/`) can check it against the `DPoP-Nonce` rule.
pub fn is_valid_nonce(value: &str) -> bool {
    (1..=1024).contains(&value.len())
        && value.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}
