//! Authenticated calls for an account, refreshing when needed: one policy for the
//! account manager's own XRPC calls ([`Accounts::api`]) and the agent's forwarded ones
//! ([`Accounts::forward`]).

use std::future::Future;
use std::sync::Arc;

use skyport_oauth::http::StreamResponse;
use skyport_oauth::{AccessToken, DpopKey, ForwardRequest, SessionInfo, XrpcRequest, XrpcResponse};
use skyport_store::table::accounts::SessionState;

use crate::reason::SignInReason;
use crate::refresh::{Current, Reason};
use crate::row::session_info;
use crate::view::{EXPIRING_SECS, stored_reason};
use crate::{Accounts, Error};

impl Accounts {
    /// Calls the account's PDS (the active account if `who` is `None`).
    pub async fn api(&self, who: Option<&str>, request: &XrpcRequest) -> Result<XrpcResponse, Error> {
        self.with_session(who, |info, key, token| async move {
            self.oauth.xrpc(&info, &key, &token, request).await
        })
        .await
    }

    /// Forwards a call as it came to the account's PDS (the active account if `who` is
    /// `None`), bodies streamed both ways: the agent's gateway, `skyport api` with raw
    /// bodies and headers. The PDS's answer comes back whatever its status.
    pub async fn forward(
        &self,
        who: Option<&str>,
        request: &ForwardRequest,
    ) -> Result<StreamResponse, Error> {
        self.with_session(who, |info, key, token| async move {
            self.oauth.forward(&info, &key, &token, request).await
        })
        .await
    }

    /// Runs `call` with the account's session. A token about to expire is refreshed first;
    /// `invalid_token` triggers one refresh and one retry. That refresh names the session
    /// generation the failed call used, so a refresh another process made meanwhile is
    /// taken up instead of rotating once more. A second `invalid_token` ends the session.
    async fn with_session<T, F, Fut>(&self, who: Option<&str>, call: F) -> Result<T, Error>
    where
        F: Fn(SessionInfo, Arc<DpopKey>, AccessToken) -> Fut,
        Fut: Future<Output = Result<T, skyport_oauth::Error>>,
    {
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
        let attempt = |c: &Current| call(info.clone(), c.secrets.key.clone(), c.secrets.access_token.clone());
        match attempt(&used).await {
            Err(e) if e.is_invalid_token() => {
                let fresh = self.refresh_did(&row.did, used.generation, Reason::InvalidToken).await?;
                match attempt(&fresh).await {
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
