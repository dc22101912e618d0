//! DPoP proof JWTs (RFC 9449 §4.2).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::key::{DpopKey, PublicJwk};
use crate::error::Error;
use crate::random;

/// The header of a DPoP proof: `typ` is exactly `dpop+jwt`, `alg` is `ES256`, and `jwk` is
/// the public key (no `d`).
#[derive(Serialize)]
struct Header<'a> {
    typ: &'static str,
    alg: &'static str,
    jwk: &'a PublicJwk,
}

/// The claims of a DPoP proof.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProofClaims {
    /// Unique per proof, retries included (32 random bytes).
    pub jti: String,
    /// The HTTP method, upper case.
    pub htm: String,
    /// The request URL without query and fragment.
    pub htu: String,
    /// Issued-at, seconds since the epoch.
    pub iat: i64,
    /// The latest nonce from the target origin, if one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// `base64url(SHA-256(access_token))`, only on requests that carry an access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ath: Option<String>,
}

/// A signed DPoP proof, ready for the `DPoP` header.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The compact JWS.
    pub jwt: String,
    /// What was signed (for diagnostics; contains no secret).
    pub claims: ProofClaims,
}

impl Proof {
    /// Mints a proof with a fresh `jti`.
    pub fn mint(
        key: &DpopKey,
        htm: &str,
        htu: String,
        iat: i64,
        nonce: Option<String>,
        ath: Option<String>,
    ) -> Result<Self, Error> {
        let claims = ProofClaims { jti: random::token()?, htm: htm.to_owned(), htu, iat, nonce, ath };
        Ok(Self { jwt: sign(key, &claims), claims })
    }
}

fn sign(key: &DpopKey, claims: &ProofClaims) -> String {
    let header = Header { typ: "dpop+jwt", alg: "ES256", jwk: key.public_jwk() };
    // Serialising these plain structs cannot fail.
    let header = serde_json::to_vec(&header).unwrap_or_default();
    let claims = serde_json::to_vec(claims).unwrap_or_default();
    let mut jwt = String::with_capacity(512);
    URL_SAFE_NO_PAD.encode_string(header, &mut jwt);
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut jwt);
    let signature = key.sign(jwt.as_bytes());
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut jwt);
    jwt
}

/// The `ath` claim: base64url of SHA-256 of the access token (RFC 9449 §4.2).
pub fn access_token_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}
