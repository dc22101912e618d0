//! Forwarding a program's XRPC call to an account's PDS (the agent's gateway): like
//! [`Accounts::api`], with bodies streamed both ways. A token about to expire is refreshed
//! first; `invalid_token` triggers one refresh (naming the generation the failed call used,
//! so another process's refresh is taken up rather than repeated) and one retry.

use skyport_oauth::ForwardRequest;
use skyport_oauth::http::StreamResponse;
use skyport_store::table::accounts::SessionState;

use crate::reason::SignInReason;
use crate::refresh::{Current, Reason};
use crate::row::session_info;
use crate::view::{EXPIRING_SECS, stored_reason};
use crate::{Accounts, Error};

impl Accounts {
    /// Sends `request` to the PDS of account `did` with its session.
    pub async fn forward(&self, did: &str, request: &ForwardRequest) -> Result<StreamResponse, Error> {
        let row = self.row_off_thread(Some(did)).await?;
        if row.state == SessionState::NeedsSignIn {
            return Err(Error::NeedsSignIn { reason: stored_reason(&row), did: row.did });
        }
        let info = session_info(&row)?;
        let used = if row.expires_at - self.now() < EXPIRING_SECS / 5 {
            self.refresh_did(&row.did, row.session_generation, Reason::Expiring).await?
        } else {
            Current { secrets: self.session_secrets(&row).await?, generation: row.session_generation }
        };
        match self.oauth.forward(&info, &used.secrets.key, &used.secrets.access_token, request).await {
            Err(e) if e.is_invalid_token() => {
                let fresh = self.refresh_did(&row.did, used.generation, Reason::InvalidToken).await?;
                match self
                    .oauth
                    .forward(&info, &fresh.secrets.key, &fresh.secrets.access_token, request)
                    .await
                {
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
