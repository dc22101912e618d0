//! A login between PAR and callback: the pending record (storable, no secrets) and its
//! secrets (PKCE verifier and DPoP key, for the keychain); atproto OAuth spec, "Summary of
//! Authorization Flow" (what the client persists before the redirect).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::callback::{AuthorizedCallback, CallbackParams};
use crate::client::{ClientId, RedirectUri};
use crate::dpop::DpopKey;
use crate::error::{CallbackError, Error, OAuthError, Step};
use crate::identity::ResolvedIdentity;
use crate::metadata::Issuer;
use crate::scope::ScopeText;
use crate::secret::PkceVerifier;

/// How long a pending login waits for its callback.
pub const LOGIN_TTL_SECS: i64 = 10 * 60;

/// A login waiting for its callback, without secrets. Keyed by `state`; single use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    /// The random `state` sent with PAR.
    pub state: String,
    /// The client_id used.
    pub client_id: ClientId,
    /// The redirect URI used with PAR (repeated in the token request).
    pub redirect_uri: RedirectUri,
    /// The authorization server the login was sent to.
    pub issuer: Issuer,
    /// Its token endpoint.
    pub token_endpoint: Url,
    /// Its revocation endpoint, if any.
    pub revocation_endpoint: Option<Url>,
    /// The scope asked for.
    pub requested_scope: ScopeText,
    /// The `login_hint` sent (handle or DID), if any.
    pub login_hint: Option<String>,
    /// The identity resolved before the login (handle or DID logins); `None` for a login that
    /// began from a server URL.
    pub identity: Option<ResolvedIdentity>,
    /// When the login began (seconds since the epoch).
    pub created_at: i64,
    /// When it stops accepting a callback.
    pub expires_at: i64,
}

/// The secrets of a pending login. Store them in the keychain, never beside the record.
#[derive(Debug)]
pub struct PendingSecrets {
    /// The PKCE verifier.
    pub verifier: PkceVerifier,
    /// The DPoP key, which becomes the session's key.
    pub dpop_key: DpopKey,
}

/// What [`OAuthClient::start_login`](crate::OAuthClient::start_login) returns.
#[derive(Debug)]
pub struct StartedLogin {
    /// Open this in the system browser.
    pub authorization_url: Url,
    /// Store this (for example in SQLite), keyed by `state`.
    pub pending: PendingLogin,
    /// Store these in the keychain.
    pub secrets: PendingSecrets,
}

impl PendingLogin {
    /// Checks a callback against this login (RFC 6749 §4.1.2, RFC 9207 §2.4): not expired,
    /// same redirect target, no `error`, a `code`, and `iss` equal to the issuer. The caller must
    /// already have removed this record from its store (single use).
    pub fn accept(&self, callback: CallbackParams, now: i64) -> Result<AuthorizedCallback, Error> {
        if callback.state != self.state {
            return Err(CallbackError::UnknownState.into());
        }
        if now >= self.expires_at {
            return Err(CallbackError::Expired.into());
        }
        if !same_target(&callback.target, self.redirect_uri.as_str()) {
            return Err(CallbackError::RedirectMismatch.into());
        }
        if let Some(code) = callback.error {
            return Err(Error::OAuth(Box::new(OAuthError {
                step: Step::Callback,
                status: 0,
                code: code.chars().take(128).collect(),
                description: callback.error_description,
            })));
        }
        let code = callback.code.ok_or(CallbackError::MissingCode)?;
        match callback.iss {
            None => Err(CallbackError::MissingIssuer.into()),
            Some(iss) if self.issuer != iss => Err(CallbackError::IssuerMismatch {
                expected: self.issuer.to_string(),
                actual: iss.chars().take(200).collect(),
            }
            .into()),
            Some(_) => Ok(AuthorizedCallback { code }),
        }
    }
}

/// The callback's scheme, authority and path against the redirect URI's.
pub(crate) fn same_target(target: &str, redirect_uri: &str) -> bool {
    let strip = |s: &str| -> Option<String> {
        let mut u = Url::parse(s).ok()?;
        u.set_query(None);
        u.set_fragment(None);
        Some(u.to_string())
    };
    strip(target).is_some() && strip(target) == strip(redirect_uri)
}
