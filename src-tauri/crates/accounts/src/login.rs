//! Logins: start (PAR, the pending record persisted), complete (from any process), cancel,
//! and wait for another process to complete one.

use std::time::Duration;

use skyport_keychain::KeychainError;
use skyport_oauth::{CallbackError, CallbackParams, LoginInput, LoginOptions, PendingLogin, Scope, Session};
use skyport_store::table::accounts::{self, AccountRow, SessionState};
use skyport_store::table::outcomes::{self, Outcome};
use skyport_store::table::pending::{self, PendingRow};

use crate::reason::SignInReason;
use crate::secrets::SessionSecrets;
use crate::view::{HandleChanged, LoginCompleted, LoginPreview, LoginStarted};
use crate::{AccountEvent, Accounts, Error, ErrorCode};

/// What a login asks for.
#[derive(Debug, Clone, Default)]
pub struct LoginRequest {
    /// A handle, DID or server URL.
    pub identifier: String,
    /// The scope to ask for (default [`crate::DEFAULT_SCOPE`]).
    pub scope: Option<String>,
    /// The loopback listener's port (loopback client only).
    pub loopback_port: Option<u16>,
}

impl Accounts {
    /// Resolves an identifier and finds its authorization server, to show before the
    /// browser opens. Results are cached for the login that follows.
    pub async fn preview(&self, identifier: &str) -> Result<LoginPreview, Error> {
        let input = LoginInput::parse(identifier).map_err(skyport_oauth::Error::from)?;
        let (identity, server) = self.oauth.discover(&input).await?;
        Ok(LoginPreview {
            did: identity.as_ref().map(|i| i.did.to_string()),
            handle: identity.as_ref().and_then(|i| i.handle.as_ref().map(|h| h.to_string())),
            pds_host: identity.as_ref().and_then(|i| i.pds.host_str().map(str::to_owned)),
            server: host_of(&server.issuer),
        })
    }

    /// Starts a login: returns the URL for the system browser. The pending record goes to
    /// SQLite and its secrets to the keychain, so any process can complete it.
    pub async fn start_login(&self, request: &LoginRequest) -> Result<LoginStarted, Error> {
        let input = LoginInput::parse(&request.identifier).map_err(skyport_oauth::Error::from)?;
        let scope = request.scope.as_deref().unwrap_or(crate::DEFAULT_SCOPE);
        let scope = Scope::parse(scope).map_err(skyport_oauth::Error::from)?;
        let options = LoginOptions { scope: Some(scope), loopback_port: request.loopback_port, prompt: None };
        let started = self.oauth.start_login(&input, &options).await?;
        let state = started.pending.state.clone();
        let expected_did = started.pending.identity.as_ref().map(|i| i.did.to_string());
        let expected_handle =
            started.pending.identity.as_ref().and_then(|i| i.handle.as_ref()).map(|h| h.to_string());
        let known = match &expected_did {
            Some(did) => self.db.with(|c| accounts::get(c, did))?.is_some(),
            None => false,
        };
        let intent = if known { "reauth" } else { "add" };
        self.vault().put_pending(&state, &started.secrets)?;
        let row = PendingRow {
            state: state.clone(),
            issuer: started.pending.issuer.clone(),
            redirect_uri: started.pending.redirect_uri.clone(),
            requested_scope: started.pending.requested_scope.clone(),
            expected_did: expected_did.clone(),
            intent: intent.into(),
            record: serde_json::to_string(&started.pending)
                .map_err(|e| Error::Config(format!("pending record: {e}")))?,
            created_at: started.pending.created_at,
            expires_at: started.pending.expires_at,
        };
        if let Err(e) = self.db.write(|c| pending::insert(c, &row)) {
            let _ = self.vault().delete_pending(&state);
            return Err(e.into());
        }
        tracing::info!(server = %host_of(&started.pending.issuer), intent, "login started");
        Ok(LoginStarted {
            state,
            authorization_url: started.authorization_url.to_string(),
            server: host_of(&started.pending.issuer),
            expected_did,
            expected_handle,
            intent,
            expires_at: started.pending.expires_at,
        })
    }

    /// Completes a login from its callback URL (a deep link, the loopback listener, or
    /// `skyport complete`). A bad callback changes nothing; a used or unknown state is
    /// refused.
    pub async fn complete_login(&self, callback_url: &str) -> Result<LoginCompleted, Error> {
        let params = CallbackParams::parse(callback_url).map_err(skyport_oauth::Error::from)?;
        // A link for another scheme, host or path is refused before any pending login is
        // looked up (and consumed).
        if !self.oauth.config().is_redirect_target(&params) {
            return Err(skyport_oauth::Error::from(CallbackError::RedirectMismatch).into());
        }
        let state = params.state.clone();
        let Some(row) = self.db.write(|c| pending::take(c, &state))? else {
            let previous = self.db.with(|c| outcomes::get(c, &state))?;
            let err = match previous {
                Some(o) if o.error_code.as_deref() == Some(ErrorCode::LoginExpired.as_str()) => {
                    CallbackError::Expired
                }
                _ => CallbackError::UnknownState,
            };
            return Err(skyport_oauth::Error::from(err).into());
        };
        let secrets = match self.vault().pending(&state) {
            Ok(Some(s)) => s,
            Ok(None) => {
                let err = Error::NeedsSignIn {
                    did: row.expected_did.clone().unwrap_or_default(),
                    reason: SignInReason::KeyMissing,
                };
                return Err(self.finish_login(&state, Err(err)));
            }
            Err(e @ KeychainError::Corrupt) => {
                // The login's own item is damaged: it cannot be finished, only started again.
                let _ = self.vault().delete_pending(&state);
                return Err(self.finish_login(&state, Err(e.into())));
            }
            Err(e) => {
                // Keychain locked or unavailable: put the login back so it can be retried.
                let _ = self.db.write(|c| pending::insert(c, &row));
                return Err(e.into());
            }
        };
        let _ = self.vault().delete_pending(&state);
        let pending: PendingLogin = match serde_json::from_str(&row.record) {
            Ok(p) => p,
            Err(e) => return Err(self.finish_login(&state, Err(Error::Config(format!("stored login: {e}"))))),
        };
        let authorized = match pending.accept(params, self.now()) {
            Ok(a) => a,
            Err(e) => return Err(self.finish_login(&state, Err(e.into()))),
        };
        self.emit(AccountEvent::LoginProgress { state: state.clone() });
        let result = match self.oauth.complete_login(pending, secrets, authorized).await {
            Ok(session) => self.store_session(session).await,
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(done) => {
                let did = done.account.did.clone();
                self.finish_login(&state, Ok(did.clone()));
                self.fetch_profile(&did).await;
                // The session was just written to the keychain: no probe needed.
                let account = self.summary(Some(&did), crate::KeychainState::Available)?;
                Ok(LoginCompleted { account, ..done })
            }
            Err(e) => Err(self.finish_login(&state, Err(e))),
        }
    }

    /// Cancels a waiting login; its callback will be refused.
    pub fn cancel_login(&self, state: &str) -> Result<(), Error> {
        let taken = self.db.write(|c| pending::take(c, state))?;
        if taken.is_some() {
            let _ = self.vault().delete_pending(state);
            self.finish_login(state, Err(Error::LoginCancelled));
        }
        Ok(())
    }

    /// Waits until the login `state` ends, in this or another process (custom-scheme
    /// callbacks arrive in whichever process the OS starts).
    pub async fn wait_for_login(&self, state: &str, timeout: Duration) -> Result<LoginCompleted, Error> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(outcome) = self.db.with(|c| outcomes::get(c, state))? {
                return match (outcome.did, outcome.error_code) {
                    (Some(did), _) => Ok(LoginCompleted {
                        account: self.account(Some(&did))?,
                        updated: false,
                        old_session_revoked: None,
                        handle_changed: None,
                    }),
                    (None, code) => Err(outcome_error(code.as_deref(), outcome.error_message)),
                };
            }
            if tokio::time::Instant::now() >= deadline {
                let _ = self.cancel_login(state);
                return Err(Error::LoginTimeout);
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Records how a login ended and tells listeners; returns the error for `?`.
    fn finish_login(&self, state: &str, result: Result<String, Error>) -> Error {
        let (outcome, err) = match result {
            Ok(did) => (Outcome { did: Some(did), error_code: None, error_message: None }, None),
            Err(e) => (
                Outcome {
                    did: None,
                    error_code: Some(e.code().as_str().into()),
                    error_message: Some(e.to_string()),
                },
                Some(e),
            ),
        };
        let _ = self.db.write(|c| outcomes::record(c, state, &outcome, self.now()));
        match (&outcome.did, &err) {
            (Some(did), _) => tracing::info!(%did, "login completed"),
            (None, Some(e)) => tracing::warn!(code = e.code().as_str(), error = %e, "login failed"),
            (None, None) => {}
        }
        let handle = outcome
            .did
            .as_deref()
            .and_then(|did| self.db.with(|c| accounts::get(c, did)).ok().flatten())
            .and_then(|row| row.handle);
        self.emit(AccountEvent::LoginFinished {
            state: state.to_owned(),
            did: outcome.did.clone(),
            handle,
            error_code: err.as_ref().map(Error::code),
            message: outcome.error_message.clone(),
        });
        self.emit(AccountEvent::AccountsChanged);
        err.unwrap_or(Error::LoginCancelled)
    }

    /// Stores a new session: keychain first, then SQLite; the account becomes active. A known
    /// DID is updated in place, and its old session is revoked after the new one is stored.
    async fn store_session(&self, session: Session) -> Result<LoginCompleted, Error> {
        let did = session.info.did.to_string();
        let _guard = self.locks.lock(&did).await?;
        let existing = self.db.with(|c| accounts::get(c, &did))?;
        // The session this login replaces, to revoke once the new one is stored. A DID the
        // database does not know has none worth a keychain lookup.
        let old = match &existing {
            Some(_) => self.vault().session(&did).ok().flatten(),
            None => None,
        };
        let new_handle = session.info.handle.as_ref().map(ToString::to_string);
        let handle_changed = match (session.handle_change, existing.as_ref().and_then(|r| r.handle.clone())) {
            (Some(change), _) => Some(HandleChanged { before: change.before.to_string(), after: new_handle }),
            (None, Some(stored)) if Some(&stored) != new_handle.as_ref() => {
                Some(HandleChanged { before: stored, after: new_handle })
            }
            _ => None,
        };
        if let Some(change) = &handle_changed {
            tracing::info!(%did, before = %change.before, after = ?change.after, "stored handle updated");
        }
        let secrets = SessionSecrets {
            key: std::sync::Arc::new(session.dpop_key),
            access_token: session.tokens.access_token,
            refresh_token: session.tokens.refresh_token,
        };
        self.vault().put_session(&did, &secrets)?;
        let now = self.now();
        let info = &session.info;
        let row = AccountRow {
            did: did.clone(),
            handle: info.handle.as_ref().map(|h| h.to_string()),
            display_name: None,
            has_avatar: false,
            pds_url: info.pds.as_str().trim_end_matches('/').to_owned(),
            issuer: info.issuer.clone(),
            token_endpoint: info.token_endpoint.to_string(),
            revocation_endpoint: info.revocation_endpoint.as_ref().map(|u| u.to_string()),
            client_id: info.client_id.clone(),
            requested_scope: info.requested_scope.clone(),
            granted_scope: info.granted_scope.clone(),
            expires_at: info.expires_at,
            session_started_at: info.created_at,
            session_generation: 1,
            last_refresh_at: None,
            last_refresh_result: None,
            state: SessionState::SignedIn,
            status_reason: None,
            active: false,
            position: 0,
            dpop_thumbprint: info.dpop_thumbprint.clone(),
            added_at: now,
            updated_at: now,
        };
        let stored = self.db.write(|c| {
            let known = accounts::upsert_session(c, &row)?;
            accounts::set_active(c, &did)?;
            skyport_store::table::journal::close_open(c, &did, "replaced", now)?;
            Ok((known, accounts::get(c, &did)?))
        });
        let updated = match stored {
            Ok((known, stored_row)) => {
                if let Some(r) = stored_row {
                    self.vault().remember(&r, &secrets);
                }
                known
            }
            Err(e) => {
                // The database refused: do not keep tokens nobody can find.
                let _ = self
                    .oauth
                    .revoke(info, &secrets.key, &secrets.refresh_token, Some(&secrets.access_token))
                    .await;
                match &old {
                    Some(o) => {
                        let _ = self.vault().put_session(&did, o);
                    }
                    None => {
                        let _ = self.vault().delete_session(&did);
                    }
                }
                return Err(e.into());
            }
        };
        let old_session_revoked = match (old, existing) {
            (Some(old), Some(prev)) => {
                let prev_info = crate::refresh::session_info(&prev)?;
                let outcome = self
                    .oauth
                    .revoke(&prev_info, &old.key, &old.refresh_token, Some(&old.access_token))
                    .await;
                Some(outcome == skyport_oauth::RevokeOutcome::Revoked)
            }
            _ => None,
        };
        self.emit(AccountEvent::AccountsChanged);
        let account = self.summary(Some(&did), crate::KeychainState::Available)?;
        Ok(LoginCompleted { account, updated, old_session_revoked, handle_changed })
    }
}

fn outcome_error(code: Option<&str>, message: Option<String>) -> Error {
    let message = message.unwrap_or_else(|| "the sign-in failed".into());
    match code.and_then(ErrorCode::parse) {
        Some(ErrorCode::Cancelled) => Error::LoginCancelled,
        Some(code) => Error::Remote { code, message },
        None => Error::Remote { code: ErrorCode::Internal, message },
    }
}

fn host_of(issuer: &str) -> String {
    url::Url::parse(issuer)
        .ok()
        .map(|u| match u.port() {
            Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
            None => u.host_str().unwrap_or_default().to_owned(),
        })
        .unwrap_or_else(|| issuer.to_owned())
}
