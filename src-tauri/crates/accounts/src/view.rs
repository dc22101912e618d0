//! What the UI and `--json` output see: account summaries and details without secrets
//! (no token, verifier, key or callback code can be represented here).

use serde::{Deserialize, Serialize};
use skyport_oauth::PUBLIC_CLIENT_SESSION_SECS;
use skyport_store::table::accounts::{AccountRow, SessionState};

use crate::reason::SignInReason;
use crate::refresh_outcome::RefreshOutcome;

/// One status per account; the UI maps it to a badge and a primary action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Signed in, access token valid for more than 5 minutes.
    Ready,
    /// The access token expires within 5 minutes (or has expired); a refresh is due.
    Expiring,
    /// A refresh is running (in this or another process).
    Refreshing,
    /// The session is over: `invalid_grant`, missing key, two-week limit.
    NeedsSignIn,
    /// The keychain is locked or unavailable; nothing was deleted.
    KeychainLocked,
    /// The last refresh failed for network reasons; the session is kept.
    Offline,
}

/// How the keychain answered a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeychainState {
    /// It answers.
    Available,
    /// It is locked: unlock it to use the accounts.
    Locked,
    /// There is no keychain service, or it did not answer in time.
    Unavailable,
}

/// Seconds before expiry at which an account counts as expiring.
pub const EXPIRING_SECS: i64 = 5 * 60;
/// Warn this long before the two-week session limit.
pub const SESSION_WARNING_SECS: i64 = 2 * 24 * 3600;

/// An account as the list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AccountSummary {
    /// The DID.
    pub did: String,
    /// The handle (verified both ways at sign-in).
    pub handle: Option<String>,
    /// The profile's display name.
    pub display_name: Option<String>,
    /// Whether an avatar image is stored.
    pub has_avatar: bool,
    /// The PDS origin.
    pub pds_url: String,
    /// The PDS host name.
    pub pds_host: String,
    /// The authorization server.
    pub issuer: String,
    /// The active account.
    pub active: bool,
    /// Status.
    pub status: AccountStatus,
    /// Why sign-in is needed, if it is.
    pub status_reason: Option<SignInReason>,
    /// Access-token expiry (seconds since the epoch).
    pub expires_at: i64,
    /// When the session began.
    pub session_started_at: i64,
    /// When the public-client session limit (two weeks) ends it.
    pub session_ends_at: i64,
    /// The session limit is less than two days away.
    pub session_ending_soon: bool,
    /// When the last refresh finished.
    pub last_refresh_at: Option<i64>,
    /// How the last refresh ended (`ok` or a code), if one was recorded.
    pub last_refresh_result: Option<RefreshOutcome>,
    /// The granted scope.
    pub granted_scope: String,
    /// The requested scope.
    pub requested_scope: String,
    /// The DPoP key's RFC 7638 thumbprint.
    pub dpop_thumbprint: String,
}

/// What computing a status needs besides the row.
pub(crate) struct StatusInputs {
    pub now: i64,
    pub keychain: KeychainState,
    pub refreshing: bool,
}

impl AccountSummary {
    pub(crate) fn new(row: &AccountRow, inputs: &StatusInputs) -> Self {
        let session_ends_at = row.session_started_at + PUBLIC_CLIENT_SESSION_SECS;
        let (status, reason) = status(row, inputs, session_ends_at);
        Self {
            did: row.did.clone(),
            handle: row.handle.clone(),
            display_name: row.display_name.clone(),
            has_avatar: row.has_avatar,
            pds_host: url::Url::parse(&row.pds_url)
                .ok()
                .and_then(|u| {
                    let host = u.host_str()?.to_owned();
                    Some(match u.port() {
                        Some(p) => format!("{host}:{p}"),
                        None => host,
                    })
                })
                .unwrap_or_default(),
            pds_url: row.pds_url.clone(),
            issuer: row.issuer.clone(),
            active: row.active,
            status,
            status_reason: reason,
            expires_at: row.expires_at,
            session_started_at: row.session_started_at,
            session_ends_at,
            session_ending_soon: status != AccountStatus::NeedsSignIn
                && session_ends_at - inputs.now < SESSION_WARNING_SECS,
            last_refresh_at: row.last_refresh_at,
            last_refresh_result: stored_refresh_result(row),
            granted_scope: row.granted_scope.clone(),
            requested_scope: row.requested_scope.clone(),
            dpop_thumbprint: row.dpop_thumbprint.clone(),
        }
    }
}

fn status(
    row: &AccountRow,
    inputs: &StatusInputs,
    session_ends_at: i64,
) -> (AccountStatus, Option<SignInReason>) {
    if row.state == SessionState::NeedsSignIn {
        return (AccountStatus::NeedsSignIn, Some(stored_reason(row)));
    }
    if inputs.now >= session_ends_at {
        return (AccountStatus::NeedsSignIn, Some(SignInReason::SessionLimit));
    }
    if inputs.keychain != KeychainState::Available {
        return (AccountStatus::KeychainLocked, None);
    }
    if inputs.refreshing {
        return (AccountStatus::Refreshing, None);
    }
    if stored_refresh_result(row).is_some_and(RefreshOutcome::is_network) {
        return (AccountStatus::Offline, None);
    }
    if row.expires_at - inputs.now < EXPIRING_SECS {
        return (AccountStatus::Expiring, None);
    }
    (AccountStatus::Ready, None)
}

/// The reason stored with a row that needs sign-in.
pub(crate) fn stored_reason(row: &AccountRow) -> SignInReason {
    row.status_reason.as_deref().map_or(SignInReason::Unknown, SignInReason::parse)
}

/// How the row's last refresh ended, if one was recorded.
pub(crate) fn stored_refresh_result(row: &AccountRow) -> Option<RefreshOutcome> {
    row.last_refresh_result.as_deref().map(RefreshOutcome::parse)
}

/// Everything the details screen shows.
#[derive(Debug, Clone, Serialize)]
pub struct AccountDetails {
    /// The summary.
    #[serde(flatten)]
    pub summary: AccountSummary,
    /// Where the secrets are: "system keychain (secret-service)".
    pub storage: String,
    /// The client_id the session belongs to.
    pub client_id: String,
    /// When the account was first added.
    pub added_at: i64,
}

/// The result of signing out.
#[derive(Debug, Clone, Serialize)]
pub struct SignOutResult {
    /// The account.
    pub did: String,
    /// Its handle, if known.
    pub handle: Option<String>,
    /// Whether the server revoked the session.
    pub revoked: bool,
    /// Why not, if not.
    pub revoke_error: Option<String>,
    /// The account that became active, if the removed one was active.
    pub new_active: Option<String>,
}

/// A login that is waiting for the browser.
#[derive(Debug, Clone, Serialize)]
pub struct LoginStarted {
    /// Identifies this login (the OAuth `state`; it is random, not secret once sent).
    pub state: String,
    /// Open this in the system browser.
    pub authorization_url: String,
    /// The authorization server's host, to show before leaving the app.
    pub server: String,
    /// The account the login is for, when known in advance.
    pub expected_did: Option<String>,
    /// Its verified handle, when known in advance.
    pub expected_handle: Option<String>,
    /// A new account, or a known one signing in again.
    pub intent: LoginIntent,
    /// When the login stops accepting a callback.
    pub expires_at: i64,
}

/// A login waiting for its callback, as any process sees it in the store (a sign-in the CLI
/// or another window started shows in the app too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingSummary {
    /// The OAuth `state` (the one the starting process got in [`LoginStarted`]).
    pub state: String,
    /// What the user typed, when it names an account (a handle or DID).
    pub login_hint: Option<String>,
    /// The account, when known in advance.
    pub expected_did: Option<String>,
    /// Its handle, when known in advance.
    pub expected_handle: Option<String>,
    /// The authorization server's host.
    pub server: String,
    /// When the login started.
    pub started_at: i64,
    /// When it stops accepting a callback.
    pub expires_at: i64,
}

/// What a login is for, decided when it starts: the JSON the UI sees is `add` or `reauth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginIntent {
    /// An account this app does not know yet (or one not known in advance: a login that
    /// began from a server URL).
    Add,
    /// A known account signing in again.
    Reauth,
}

impl LoginIntent {
    /// The stable code: `add` or `reauth`.
    pub fn as_str(self) -> &'static str {
        match self {
            LoginIntent::Add => "add",
            LoginIntent::Reauth => "reauth",
        }
    }

    /// Parses [`as_str`](Self::as_str) output.
    pub fn parse(code: &str) -> Option<Self> {
        [LoginIntent::Add, LoginIntent::Reauth].into_iter().find(|i| i.as_str() == code)
    }
}

impl std::fmt::Display for LoginIntent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finished login.
#[derive(Debug, Clone, Serialize)]
pub struct LoginCompleted {
    /// The account, now active.
    pub account: AccountSummary,
    /// The account was known and was updated in place.
    pub updated: bool,
    /// Whether the replaced session was revoked at the server (known accounts only).
    pub old_session_revoked: Option<bool>,
    /// The account's handle is not the one the login began with (or the one stored for it):
    /// the stored handle was updated. Front-ends say so.
    pub handle_changed: Option<HandleChanged>,
}

/// A handle that changed: the stored one is now `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandleChanged {
    /// The handle the login began with, or the one stored for the account.
    pub before: String,
    /// The verified handle now; `None` if none verifies both ways any more.
    pub after: Option<String>,
}

/// What an identifier resolves to, before the browser opens.
#[derive(Debug, Clone, Serialize)]
pub struct LoginPreview {
    /// The DID, unless the identifier was a server URL.
    pub did: Option<String>,
    /// The verified handle, if any.
    pub handle: Option<String>,
    /// The PDS host, if known.
    pub pds_host: Option<String>,
    /// The authorization server's host.
    pub server: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_intent_codes_are_the_json_the_ui_sees() {
        for (intent, code) in [(LoginIntent::Add, "add"), (LoginIntent::Reauth, "reauth")] {
            assert_eq!(intent.as_str(), code);
            assert_eq!(serde_json::to_value(intent).unwrap(), code);
            assert_eq!(LoginIntent::parse(code), Some(intent));
        }
        assert_eq!(LoginIntent::parse("Add"), None);
    }
}
