//! Random values: OAuth `state`, DPoP `jti`, PKCE verifiers and key material.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Error, KeyError};

/// `n` bytes from the operating system's CSPRNG.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| Error::Key(KeyError::Random))?;
    Ok(buf)
}

/// A random, unguessable token: 32 bytes as base64url (43 characters).
///
/// Used for `state` (RFC 6749 §10.12: carries no application data) and for DPoP `jti`
/// (RFC 9449 §4.2: unique per proof).
pub(crate) fn token() -> Result<String, Error> {
    Ok(URL_SAFE_NO_PAD.encode(bytes::<32>()?))
}
