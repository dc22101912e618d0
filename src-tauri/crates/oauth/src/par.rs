//! Pushed authorization requests (RFC 9126; atproto OAuth spec, "Pushed Authorization
//! Requests (PAR)") and the browser URL (RFC 9126 §4).

use serde_json::Value;
use url::Url;

use crate::client::{ClientId, RedirectUri};
use crate::dpop::DpopKey;
use crate::error::{Error, Step};
use crate::metadata::AuthorizationServer;
use crate::scope::ScopeText;
use crate::wire::{Wire, server_error};

/// What PAR sends besides the client_id and the DPoP proof.
pub(crate) struct ParRequest<'a> {
    pub client_id: &'a ClientId,
    pub redirect_uri: &'a RedirectUri,
    pub scope: &'a ScopeText,
    pub state: &'a str,
    pub code_challenge: &'a str,
    pub login_hint: Option<&'a str>,
    pub prompt: Option<&'a str>,
}

/// The `request_uri` prefix of RFC 9126 §2.2.
const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Sends the PAR request; returns the `request_uri` (RFC 9126 §2.2: 201 with `request_uri`
/// and `expires_in`).
pub(crate) async fn push(
    wire: &Wire,
    server: &AuthorizationServer,
    key: &DpopKey,
    req: &ParRequest<'_>,
) -> Result<String, Error> {
    let mut form = vec![
        ("response_type", "code"),
        ("client_id", req.client_id.as_str()),
        ("redirect_uri", req.redirect_uri.as_str()),
        ("scope", req.scope.as_str()),
        ("state", req.state),
        ("code_challenge", req.code_challenge),
        ("code_challenge_method", "S256"),
    ];
    if let Some(hint) = req.login_hint {
        form.push(("login_hint", hint));
    }
    if let Some(prompt) = req.prompt {
        form.push(("prompt", prompt));
    }
    let res = wire.post_to_server(Step::Par, key, &server.par_endpoint, &form).await?;
    if res.status != 201 {
        return Err(if (200..300).contains(&res.status) {
            Error::invalid(Step::Par, format!("HTTP {} (expected 201 Created)", res.status))
        } else {
            server_error(Step::Par, &res)
        });
    }
    let body = res.json_object(Step::Par)?;
    let request_uri = body
        .get("request_uri")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with(REQUEST_URI_PREFIX) && u.len() <= 2048)
        .ok_or_else(|| Error::invalid(Step::Par, "no valid request_uri"))?;
    if body.get("expires_in").and_then(Value::as_i64).is_none_or(|e| e <= 0) {
        return Err(Error::invalid(Step::Par, "no positive expires_in"));
    }
    Ok(request_uri.to_owned())
}

/// The URL to open in the system browser: the authorization endpoint with only `client_id`
/// and `request_uri` (RFC 9126 §4; atproto OAuth spec, "Pushed Authorization Requests (PAR)").
pub(crate) fn authorization_url(
    server: &AuthorizationServer,
    client_id: &ClientId,
    request_uri: &str,
) -> Url {
    let mut url = server.authorization_endpoint.clone();
    url.query_pairs_mut()
        .clear()
        .append_pair("client_id", client_id.as_str())
        .append_pair("request_uri", request_uri);
    url
}
