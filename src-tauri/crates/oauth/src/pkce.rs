//! PKCE with S256 only (RFC 7636; atproto OAuth spec, "Proof Key for Code Exchange (PKCE)").

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::random;
use crate::secret::PkceVerifier;

/// A fresh verifier and its challenge. `plain` is never used.
#[derive(Debug)]
pub struct Pkce {
    /// Kept secret until the token request.
    pub verifier: PkceVerifier,
    /// `base64url(SHA-256(verifier))`, sent in the PAR request.
    pub challenge: String,
}

impl Pkce {
    /// A new random verifier: 64 bytes → 86 base64url characters, inside RFC 7636's 43–128.
    pub fn generate() -> Result<Self, Error> {
        let verifier = URL_SAFE_NO_PAD.encode(random::bytes::<64>()?);
        Ok(Self { challenge: challenge(&verifier), verifier: PkceVerifier::new(verifier) })
    }
}

/// The S256 code challenge of a verifier (RFC 7636 §4.2).
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests;
