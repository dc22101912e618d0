//! Local session tokens: what the agent answers `createSession` with, in place of a PDS's
//! tokens. They are JWTs (RFC 7519) because SDKs decode them to schedule refreshes (the
//! Python SDK reads `exp` before every call), signed with HMAC-SHA256 (RFC 7518 §3.2) by a
//! random key that lives in the OS keychain. They work only at this agent: the agent never
//! forwards them, and they name a local session a `deleteSession` or key revocation ends.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// How long a local access token lasts (as long as a PDS's own access tokens).
pub const ACCESS_SECS: i64 = 2 * 3600;
/// How long a local session (its refresh token) lasts, at most: the key's expiry cuts it.
pub const SESSION_SECS: i64 = 90 * 86_400;

/// The issuer every local token names.
pub const ISSUER: &str = "skyport-agent";

/// Which of a local session's two tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenUse {
    /// `accessJwt`.
    #[serde(rename = "com.atproto.access")]
    Access,
    /// `refreshJwt`.
    #[serde(rename = "com.atproto.refresh")]
    Refresh,
}

/// A local token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Always [`ISSUER`].
    pub iss: String,
    /// The account's DID.
    pub sub: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at.
    pub exp: i64,
    /// Access or refresh (the names legacy PDS tokens use).
    pub scope: TokenUse,
    /// The local session.
    pub sid: String,
    /// This token's id.
    pub jti: String,
}

/// Why a presented local token is no good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Not a JWT of ours (shape, signature, claims).
    Invalid,
    /// Ours, but past its `exp`.
    Expired,
}

/// The HMAC key tokens are signed with. `Debug` does not show it.
pub struct TokenKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(…)")
    }
}

impl TokenKey {
    /// From 32 stored bytes.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        (bytes.len() == 32).then(|| {
            key.copy_from_slice(bytes);
            Self(key)
        })
    }

    /// A new random key.
    pub(crate) fn generate() -> Result<Self, getrandom::Error> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *key)?;
        Ok(Self(key))
    }

    /// The bytes to store in the keychain.
    pub(crate) fn bytes(&self) -> &[u8] {
        &*self.0
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length.
        Hmac::<Sha256>::new_from_slice(&*self.0).expect("HMAC takes any key length")
    }

    /// Signs `claims`.
    pub fn mint(&self, claims: &Claims) -> String {
        let typ = match claims.scope {
            TokenUse::Access => "at+jwt",
            TokenUse::Refresh => "refresh+jwt",
        };
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#));
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{input}.{sig}")
    }

    /// Checks a token's signature (in constant time), issuer, use and expiry.
    pub fn verify(&self, token: &str, want: TokenUse, now: i64) -> Result<Claims, TokenProblem> {
        if token.len() > 2048 {
            return Err(TokenProblem::Invalid);
        }
        let (input, sig) = token.rsplit_once('.').ok_or(TokenProblem::Invalid)?;
        let (header, payload) = input.split_once('.').ok_or(TokenProblem::Invalid)?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| TokenProblem::Invalid)?;
        let mut mac = self.mac();
        mac.update(input.as_bytes());
        mac.verify_slice(&sig).map_err(|_| TokenProblem::Invalid)?;
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).map_err(|_| TokenProblem::Invalid)?)
                .map_err(|_| TokenProblem::Invalid)?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(TokenProblem::Invalid);
        }
        let claims: Claims =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenProblem::Invalid)?)
                .map_err(|_| TokenProblem::Invalid)?;
        if claims.iss != ISSUER || claims.scope != want {
            return Err(TokenProblem::Invalid);
        }
        if claims.exp <= now {
            return Err(TokenProblem::Expired);
        }
        Ok(claims)
    }
}

/// Whether `token` looks like a JWT (three base64url parts), not a key.
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(scope: TokenUse, exp: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            sub: "did:plc:alice".into(),
            iat: 100,
            exp,
            scope,
            sid: "s1".into(),
            jti: "j1".into(),
        }
    }

    #[test]
    fn a_token_verifies_once_signed_and_not_when_changed() {
        let key = TokenKey::generate().unwrap();
        let token = key.mint(&claims(TokenUse::Access, 1000));
        assert!(looks_like_jwt(&token));
        assert_eq!(key.verify(&token, TokenUse::Access, 500).unwrap().sub, "did:plc:alice");
        assert_eq!(key.verify(&token, TokenUse::Access, 1000), Err(TokenProblem::Expired));
        assert_eq!(key.verify(&token, TokenUse::Refresh, 500), Err(TokenProblem::Invalid));
        let other = TokenKey::generate().unwrap();
        assert_eq!(other.verify(&token, TokenUse::Access, 500), Err(TokenProblem::Invalid));
        let mut tampered = token.clone().into_bytes();
        let at = token.find('.').unwrap() + 3;
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            key.verify(&String::from_utf8(tampered).unwrap(), TokenUse::Access, 500),
            Err(TokenProblem::Invalid)
        );
        assert_eq!(key.verify("a.b", TokenUse::Access, 500), Err(TokenProblem::Invalid));
    }

    #[test]
    fn a_token_carries_what_sdks_read() {
        let key = TokenKey::generate().unwrap();
        let token = key.mint(&claims(TokenUse::Refresh, 1000));
        let payload = token.split('.').nth(1).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(json["exp"], 1000);
        assert_eq!(json["sub"], "did:plc:alice");
        assert_eq!(json["scope"], "com.atproto.refresh");
    }
}
