//! A signed-in session: what is stored about it, split into public metadata and secrets.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::ClientId;
use crate::dpop::DpopKey;
use crate::identity::{Did, Handle};
use crate::metadata::Issuer;
use crate::scope::ScopeText;
use crate::secret::{AccessToken, RefreshToken};

/// Everything about a session except its secrets: safe for a database, logs and a UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The account (the token's `sub`).
    pub did: Did,
    /// The handle, verified both ways at sign-in (display only).
    pub handle: Option<Handle>,
    /// The PDS origin (the resource server).
    pub pds: Url,
    /// The authorization server's issuer.
    pub issuer: Issuer,
    /// Where refreshes go.
    pub token_endpoint: Url,
    /// Where revocations go, if the server has one.
    pub revocation_endpoint: Option<Url>,
    /// The client_id the session was issued to.
    pub client_id: ClientId,
    /// The scope asked for.
    pub requested_scope: ScopeText,
    /// The scope granted (may be narrower).
    pub granted_scope: ScopeText,
    /// When the access token expires (seconds since the epoch).
    pub expires_at: i64,
    /// When the session began (public-client sessions end about two weeks later).
    pub created_at: i64,
    /// The RFC 7638 thumbprint of the session's DPoP key (not secret).
    pub dpop_thumbprint: String,
}

/// The session's tokens.
#[derive(Debug)]
pub struct SessionTokens {
    /// The access token.
    pub access_token: AccessToken,
    /// The refresh token.
    pub refresh_token: RefreshToken,
}

/// A complete session: metadata, DPoP key and tokens.
#[derive(Debug)]
pub struct Session {
    /// Public metadata.
    pub info: SessionInfo,
    /// The session's DPoP key (never rotated).
    pub dpop_key: DpopKey,
    /// The tokens.
    pub tokens: SessionTokens,
    /// Set when the login began with a handle that, resolved again after the token (atproto
    /// OAuth spec, "Identity Authentication"), is no longer the account's verified handle.
    /// [`SessionInfo::handle`] already has the new one; show the change rather than swap names
    /// silently.
    pub handle_change: Option<HandleChange>,
}

/// The account's handle changed between the start of a login and its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandleChange {
    /// The handle the login began with (as typed, or as the DID document claimed it then).
    pub before: Handle,
    /// The verified handle now, if any still verifies both ways.
    pub after: Option<Handle>,
}

/// The longest a public client's session is assumed to last: two weeks. The atproto OAuth
/// spec ("Tokens and Session Lifetime") leaves session lifetimes to the authorization server
/// and recommends at most 7 days for untrusted public clients, so a server may end a session
/// sooner; its refresh then fails with `invalid_grant`.
pub const PUBLIC_CLIENT_SESSION_SECS: i64 = 14 * 24 * 3600;
