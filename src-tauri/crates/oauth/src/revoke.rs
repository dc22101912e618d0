//! Token revocation (RFC 7009 §2). Best effort: the caller always deletes the
//! local session afterwards.

use url::Url;

use crate::client::ClientId;
use crate::dpop::DpopKey;
use crate::error::Step;
use crate::secret::{AccessToken, RefreshToken};
use crate::wire::Wire;

/// Whether the server revoked the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeOutcome {
    /// The server accepted the revocation.
    Revoked,
    /// The session could not be revoked at the server (404/405, network, no endpoint).
    NotRevoked {
        /// Why, in words.
        reason: String,
    },
}

/// Revokes the refresh token (`token_type_hint=refresh_token`), falling back to the access
/// token if the server refuses (in the reference server either one ends the session).
pub(crate) async fn revoke(
    wire: &Wire,
    endpoint: Option<&Url>,
    key: &DpopKey,
    client_id: &ClientId,
    refresh_token: &RefreshToken,
    access_token: Option<&AccessToken>,
) -> RevokeOutcome {
    let Some(endpoint) = endpoint else {
        return RevokeOutcome::NotRevoked { reason: "the server has no revocation endpoint".into() };
    };
    let attempts =
        [Some((refresh_token.expose(), "refresh_token")), access_token.map(|a| (a.expose(), "access_token"))];
    let mut reason = String::new();
    for (token, hint) in attempts.into_iter().flatten() {
        let form = [("token", token), ("token_type_hint", hint), ("client_id", client_id.as_str())];
        match wire.post_to_server(Step::Revoke, key, endpoint, &form).await {
            Ok(res) if res.status == 200 => return RevokeOutcome::Revoked,
            Ok(res) if matches!(res.status, 404 | 405) => {
                return RevokeOutcome::NotRevoked {
                    reason: format!("the server answered HTTP {}", res.status),
                };
            }
            Ok(res) => reason = format!("the server answered HTTP {}", res.status),
            Err(e) => return RevokeOutcome::NotRevoked { reason: e.to_string() },
        }
    }
    RevokeOutcome::NotRevoked { reason }
}
