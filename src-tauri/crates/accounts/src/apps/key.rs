//! A connected app's key: `skp_` and 256 random bits, base64url. Shown once when made; only
//! its SHA-256 is stored. A key has so much entropy that a fast hash is safe to store (no
//! dictionary to try), and lookups by hash reveal nothing an attacker can steer.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// The prefix every key starts with (so secret scanners and people recognise one).
pub const KEY_PREFIX: &str = "skp_";

/// A key, in full. `Debug` does not show it.
#[derive(Clone)]
pub struct AppKey(Zeroizing<String>);

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppKey(skp_…)")
    }
}

impl AppKey {
    /// A new random key.
    pub(crate) fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *bytes)?;
        Ok(Self(Zeroizing::new(format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(*bytes)))))
    }

    /// Takes what a program presented, if it has the shape of a key (the check that it is a
    /// real one is [`KeyHash::matches`] against the store).
    pub fn parse(presented: &str) -> Option<Self> {
        let body = presented.strip_prefix(KEY_PREFIX)?;
        let ok =
            body.len() == 43 && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(Zeroizing::new(presented.to_owned())))
    }

    /// The key itself, to show the user once or hand to a child process.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its hash, as stored.
    pub fn hash(&self) -> KeyHash {
        KeyHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

/// SHA-256 of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHash(pub(crate) [u8; 32]);

impl KeyHash {
    /// Compares with a stored hash in constant time.
    pub fn matches(&self, stored: &[u8]) -> bool {
        stored.len() == 32 && bool::from(self.0.ct_eq(stored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_has_256_bits_and_its_debug_hides_it() {
        let key = AppKey::generate().unwrap();
        assert_eq!(key.expose().len(), 4 + 43);
        assert!(AppKey::parse(key.expose()).is_some());
        assert!(!format!("{key:?}").contains(&key.expose()[4..]));
        assert!(key.hash().matches(&key.hash().0));
        assert!(!key.hash().matches(&[0u8; 32]));
        assert!(!key.hash().matches(&key.hash().0[..31]));
    }

    #[test]
    fn only_the_key_shape_parses() {
        for bad in [
            "",
            "skp_",
            "skp_short",
            "sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "skp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "skp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(AppKey::parse(bad).is_none(), "{bad:?}");
        }
    }
}
