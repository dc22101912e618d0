//! Authenticated XRPC calls for an account, refreshing when needed.

use skyport_oauth::{XrpcRequest, XrpcResponse};
use skyport_store::table::accounts::SessionState;

use crate::reason::SignInReason;
use crate::refresh::{Current, Reason};
use crate::row::session_info;
use crate::view::{EXPIRING_SECS, stored_reason};
use crate::{Accounts, Error};

impl Accounts {
    /// Calls the account's PDS (the active account if `who` is `None`). A token about to
    /// expire is refreshed first; `invalid_token` triggers one refresh and one retry. That
    /// refresh names the session generation the failed call used, so a refresh another
    /// process made meanwhile is taken up instead of rotating once more.
    pub async fn api(&self, who: Option<&str>, request: &XrpcRequest) -> Result<XrpcResponse, Error> {
        let row = self.row_off_thread(who).await?;
        if row.state == SessionState::NeedsSignIn {
            return Err(Error::NeedsSignIn { reason: stored_reason(&row), did: row.did });
        }
        let info = session_info(&row)?;
        let used = if row.expires_at - self.now() < EXPIRING_SECS / 5 {
            self.refresh_did(&row.did, row.session_generation, Reason::Expiring).await?
        } else {
            Current { secrets: self.session_secrets(&row).await?, generation: row.session_generation }
        };
        match self.oauth.xrpc(&info, &used.secrets.key, &used.secrets.access_token, request).await {
            Err(e) if e.is_invalid_token() => {
                let fresh = self.refresh_did(&row.did, used.generation, Reason::InvalidToken).await?;
                match self.oauth.xrpc(&info, &fresh.secrets.key, &fresh.secrets.access_token, request).await {
                    Err(e) if e.is_invalid_token() => {
                        Err(self.needs_sign_in(&row.did, SignInReason::InvalidToken).await)
                    }
                    other => Ok(other?),
                }
            }
            other => Ok(other?),
        }
    }
}
