//! The session's DPoP key pair (ES256 / P-256).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, KeyError};
use crate::random;

/// A P-256 private key used to sign DPoP proofs.
///
/// One per login, kept for the session's whole life (refresh does not rotate it). It has a
/// redacted `Debug`, no `Serialize`, no `Clone`-free copies on the side: the only way out is
/// [`DpopKey::to_secret_bytes`], which exists for the keychain.
pub struct DpopKey {
    signing: SigningKey,
    public: PublicJwk,
}

/// The public half as a JWK (RFC 7517), the form a DPoP header carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    /// Always `EC`.
    pub kty: &'static str,
    /// Always `P-256`.
    pub crv: &'static str,
    /// base64url of the 32-byte x coordinate.
    pub x: String,
    /// base64url of the 32-byte y coordinate.
    pub y: String,
}

impl DpopKey {
    /// A fresh random key (one per authorization attempt: atproto OAuth spec, "Summary of
    /// Authorization Flow").
    pub fn generate() -> Result<Self, Error> {
        // Rejection sampling: a random 32-byte string is a valid scalar with overwhelming
        // probability; retry in the astronomically rare case it is not.
        for _ in 0..8 {
            let bytes = Zeroizing::new(random::bytes::<32>()?);
            if let Ok(key) = Self::from_secret_bytes(&bytes[..]) {
                return Ok(key);
            }
        }
        Err(KeyError::Random.into())
    }

    /// Rebuilds a key from [`to_secret_bytes`](Self::to_secret_bytes) output.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let signing = SigningKey::from_slice(bytes).map_err(|_| KeyError::Invalid)?;
        let point = signing.verifying_key().to_sec1_point(false);
        let raw = point.as_bytes();
        // Uncompressed SEC1: 0x04 || x (32) || y (32).
        if raw.len() != 65 {
            return Err(KeyError::Invalid.into());
        }
        let public = PublicJwk {
            kty: "EC",
            crv: "P-256",
            x: URL_SAFE_NO_PAD.encode(&raw[1..33]),
            y: URL_SAFE_NO_PAD.encode(&raw[33..65]),
        };
        Ok(Self { signing, public })
    }

    /// The 32-byte private scalar, for storing in the OS keychain and nowhere else.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.signing.to_bytes().to_vec())
    }

    /// The public key as a JWK.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url): safe to show, identifies the key.
    pub fn thumbprint(&self) -> String {
        self.public.thumbprint()
    }

    /// Signs `message` with ES256 and returns the raw 64-byte `r || s` (RFC 7518 §3.4).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        let sig: Signature = self.signing.sign(message);
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        out
    }
}

impl PublicJwk {
    /// The canonical JSON of the required members in lexical order (RFC 7638 §3.2).
    pub fn canonical_json(&self) -> String {
        format!(r#"{{"crv":"{}","kty":"{}","x":"{}","y":"{}"}}"#, self.crv, self.kty, self.x, self.y)
    }

    /// The RFC 7638 thumbprint.
    pub fn thumbprint(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.canonical_json().as_bytes()))
    }
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey").field("thumbprint", &self.thumbprint()).finish_non_exhaustive()
    }
}
