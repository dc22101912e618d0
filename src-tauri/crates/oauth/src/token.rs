//! Token requests: code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5) and refresh (RFC 6749 §6),
//! DPoP-bound (RFC 9449 §5), with strict checks of the token response (atproto OAuth spec,
//! "Authorization Scopes" and "Identity Authentication").

use serde_json::Value;
use url::Url;

use crate::client::{ClientId, RedirectUri};
use crate::dpop::DpopKey;
use crate::error::{Error, Step};
use crate::identity::Did;
use crate::scope::ScopeText;
use crate::secret::{AccessToken, AuthorizationCode, PkceVerifier, RefreshToken};
use crate::wire::{Wire, server_error};

/// A checked token response.
#[derive(Debug)]
pub struct TokenSet {
    /// The account (a DID).
    pub sub: Did,
    /// The granted scope, which may be narrower than requested.
    pub scope: ScopeText,
    /// The access token.
    pub access_token: AccessToken,
    /// The refresh token (single use).
    pub refresh_token: RefreshToken,
    /// When the access token expires (seconds since the epoch), from `expires_in`.
    pub expires_at: i64,
}

/// The longest access-token lifetime believed (a day); longer values are clamped.
const MAX_EXPIRES_IN: i64 = 24 * 3600;

/// Exchanges an authorization code (the same `redirect_uri` as PAR: RFC 6749 §4.1.3).
pub(crate) async fn exchange(
    wire: &Wire,
    token_endpoint: &Url,
    key: &DpopKey,
    client_id: &ClientId,
    redirect_uri: &RedirectUri,
    code: &AuthorizationCode,
    verifier: &PkceVerifier,
) -> Result<TokenSet, Error> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("redirect_uri", redirect_uri.as_str()),
        ("client_id", client_id.as_str()),
        ("code_verifier", verifier.expose()),
    ];
    let res = wire.post_to_server(Step::Token, key, token_endpoint, &form).await?;
    parse_response(Step::Token, res.status, &res, wire.clock.now())
}

/// Refreshes (grant `refresh_token`). `invalid_grant` means the session is dead.
pub(crate) async fn refresh(
    wire: &Wire,
    token_endpoint: &Url,
    key: &DpopKey,
    client_id: &ClientId,
    refresh_token: &RefreshToken,
) -> Result<TokenSet, Error> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
        ("client_id", client_id.as_str()),
    ];
    let res = wire.post_to_server(Step::Refresh, key, token_endpoint, &form).await?;
    parse_response(Step::Refresh, res.status, &res, wire.clock.now())
}

fn parse_response(
    step: Step,
    status: u16,
    res: &crate::http::HttpResponse,
    now: i64,
) -> Result<TokenSet, Error> {
    if status != 200 {
        return Err(server_error(step, res));
    }
    let body = res.json_object(step)?;
    let bad = |reason: &str| Error::invalid(step, reason.to_owned());
    let text = |name: &str| body.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
    let token_type = text("token_type").ok_or_else(|| bad("no token_type"))?;
    if !token_type.eq_ignore_ascii_case("DPoP") {
        return Err(bad("token_type is not DPoP (a Bearer token is never accepted)"));
    }
    if body.contains_key("id_token") {
        return Err(bad("an id_token is not expected in the atproto profile"));
    }
    let access_token = text("access_token").ok_or_else(|| bad("no access_token"))?;
    let refresh_token = text("refresh_token").ok_or_else(|| bad("no refresh_token"))?;
    let sub = text("sub").ok_or_else(|| bad("no sub"))?;
    let sub = Did::parse(sub).map_err(|_| bad("sub is not a DID"))?;
    let scope = text("scope").ok_or_else(|| bad("no scope"))?;
    let scope = ScopeText::parse(scope).map_err(|_| bad("the granted scope does not include atproto"))?;
    let expires_in = body
        .get("expires_in")
        .and_then(Value::as_i64)
        .filter(|e| *e > 0)
        .ok_or_else(|| bad("no positive expires_in"))?;
    Ok(TokenSet {
        sub,
        scope,
        access_token: AccessToken::new(access_token),
        refresh_token: RefreshToken::new(refresh_token),
        expires_at: now + expires_in.min(MAX_EXPIRES_IN),
    })
}
