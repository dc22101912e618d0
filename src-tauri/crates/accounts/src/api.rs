//! Authenticated XRPC calls for an account, refreshing when needed.

use skyport_oauth::{XrpcRequest, XrpcResponse};
use skyport_store::table::accounts::SessionState;

use crate::refresh::{Reason, session_info};
use crate::view::EXPIRING_SECS;
use crate::{Accounts, Error};

impl Accounts {
    /// Calls the account's PDS (the active account if `who` is `None`). A token about to
    /// expire is refreshed first; `invalid_token` triggers one refresh and one retry.
    pub async fn api(&self, who: Option<&str>, request: &XrpcRequest) -> Result<XrpcResponse, Error> {
        let row = self.row(who)?;
        if row.state == SessionState::NeedsSignIn {
            return Err(Error::NeedsSignIn { did: row.did, reason: row.status_reason.unwrap_or_default() });
        }
        let info = session_info(&row)?;
        let secrets = if row.expires_at - self.now() < EXPIRING_SECS / 5 {
            self.refresh_did(&row.did, row.session_generation, Reason::Expiring).await?
        } else {
            match self.vault().session_of(&row)? {
                Some(s) => s,
                None => {
                    self.mark_needs_sign_in(&row.did, "key_missing")?;
                    return Err(Error::NeedsSignIn { did: row.did, reason: "key_missing".into() });
                }
            }
        };
        match self.oauth.xrpc(&info, &secrets.key, &secrets.access_token, request).await {
            Err(e) if e.is_invalid_token() => {
                let generation = self.row(Some(&row.did))?.session_generation;
                let fresh = self.refresh_did(&row.did, generation, Reason::InvalidToken).await?;
                match self.oauth.xrpc(&info, &fresh.key, &fresh.access_token, request).await {
                    Err(e) if e.is_invalid_token() => {
                        self.mark_needs_sign_in(&row.did, "invalid_token")?;
                        Err(Error::NeedsSignIn { did: row.did, reason: "invalid_token".into() })
                    }
                    other => Ok(other?),
                }
            }
            other => Ok(other?),
        }
    }
}
