//! Logins: start (PAR, the pending record persisted), complete (from any process), cancel,
//! and wait for another process to complete one.

use std::time::Duration;

use skyport_keychain::KeychainError;
use skyport_oauth::{
    CallbackError, CallbackParams, Issuer, LoginInput, LoginOptions, PendingLogin, Scope, Session,
};
use skyport_store::table::accounts;
use skyport_store::table::outcomes::{self, Outcome};
use skyport_store::table::pending::{self, PendingRow};

use crate::reason::SignInReason;
use crate::refresh_outcome::RefreshOutcome;
use crate::row::{account_row, session_info};
use crate::secrets::SessionSecrets;
use crate::storage::Storage;
use crate::view::{HandleChanged, LoginCompleted, LoginIntent, LoginPreview, LoginStarted};
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
        let row = PendingRow {
            state: state.clone(),
            expected_did: expected_did.clone(),
            record: serde_json::to_string(&started.pending)
                .map_err(|e| Error::Config(format!("pending record: {e}")))?,
            expires_at: started.pending.expires_at,
        };
        let secrets = started.secrets;
        let known = self
            .off_thread(move |s| -> Result<bool, Error> {
                let known = match &row.expected_did {
                    Some(did) => s.db.with(|c| accounts::get(c, did))?.is_some(),
                    None => false,
                };
                s.vault().put_pending(&row.state, &secrets)?;
                if let Err(e) = s.db.write(|c| pending::insert(c, &row)) {
                    let _ = s.vault().delete_pending(&row.state);
                    return Err(e.into());
                }
                Ok(known)
            })
            .await?;
        let intent = if known { LoginIntent::Reauth } else { LoginIntent::Add };
        tracing::info!(server = %host_of(&started.pending.issuer), intent = intent.as_str(), "login started");
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
        let owned = state.clone();
        let taken = self.off_thread(move |s| take_pending(s, &owned)).await?;
        let (row, secrets) = match taken {
            Taken::Unknown(err) => return Err(skyport_oauth::Error::from(err).into()),
            Taken::Ended(err) => return Err(self.finish_login(&state, Err(err)).await),
            Taken::Ready(ready) => *ready,
        };
        let pending: PendingLogin = match serde_json::from_str(&row.record) {
            Ok(p) => p,
            Err(e) => {
                return Err(self
                    .finish_login(&state, Err(Error::Config(format!("stored login: {e}"))))
                    .await);
            }
        };
        let authorized = match pending.accept(params, self.now()) {
            Ok(a) => a,
            Err(e) => return Err(self.finish_login(&state, Err(e.into())).await),
        };
        self.emit(AccountEvent::LoginProgress { state: state.clone() });
        let result = match self.oauth.complete_login(pending, secrets, authorized).await {
            Ok(session) => self.store_session(session).await,
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(done) => {
                let did = done.account.did.clone();
                self.finish_login(&state, Ok(did.clone())).await;
                self.fetch_profile(&did).await;
                // The session was just written to the keychain: no probe needed.
                let account = self.summary(Some(&did), crate::KeychainState::Available)?;
                Ok(LoginCompleted { account, ..done })
            }
            Err(e) => Err(self.finish_login(&state, Err(e)).await),
        }
    }

    /// Cancels a waiting login; its callback will be refused.
    pub fn cancel_login(&self, state: &str) -> Result<(), Error> {
        if let Some((outcome, handle, err)) = cancel_pending(&self.storage(), state)? {
            self.announce(state, outcome, handle, err);
        }
        Ok(())
    }

    /// Waits until the login `state` ends, in this or another process (custom-scheme
    /// callbacks arrive in whichever process the OS starts).
    pub async fn wait_for_login(&self, state: &str, timeout: Duration) -> Result<LoginCompleted, Error> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let owned = state.to_owned();
            if let Some(outcome) = self.off_thread(move |s| s.db.with(|c| outcomes::get(c, &owned))).await? {
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
                let owned = state.to_owned();
                if let Ok(Some((outcome, handle, err))) =
                    self.off_thread(move |s| cancel_pending(s, &owned)).await
                {
                    self.announce(state, outcome, handle, err);
                }
                return Err(Error::LoginTimeout);
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Records how a login ended and tells listeners; returns the error for `?`.
    async fn finish_login(&self, state: &str, result: Result<String, Error>) -> Error {
        let (outcome, err) = outcome_of(result);
        let (owned, recorded) = (state.to_owned(), outcome.clone());
        let handle = self.off_thread(move |s| record_outcome(s, &owned, &recorded)).await;
        self.announce(state, outcome, handle, err)
    }

    /// Logs and emits how a login ended.
    fn announce(&self, state: &str, outcome: Outcome, handle: Option<String>, err: Option<Error>) -> Error {
        match (&outcome.did, &err) {
            (Some(did), _) => tracing::info!(%did, "login completed"),
            (None, Some(e)) => tracing::warn!(code = e.code().as_str(), error = %e, "login failed"),
            (None, None) => {}
        }
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
        let owned = did.clone();
        let (existing, old) = self
            .off_thread(move |s| -> Result<_, Error> {
                let existing = s.db.with(|c| accounts::get(c, &owned))?;
                // The session this login replaces, to revoke once the new one is stored. A
                // DID the database does not know has none worth a keychain lookup.
                let old = match &existing {
                    Some(_) => s.vault().session(&owned).ok().flatten(),
                    None => None,
                };
                Ok((existing, old))
            })
            .await?;
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
        let now = self.now();
        let info = &session.info;
        let row = account_row(info, now);
        let (owned, kept) = (did.clone(), secrets.clone());
        let stored = self
            .off_thread(move |s| -> Result<Result<bool, Error>, Error> {
                s.vault().put_session(&owned, &kept)?;
                let stored = s.db.write(|c| {
                    let known = accounts::upsert_session(c, &row)?;
                    accounts::set_active(c, &owned)?;
                    skyport_store::table::journal::close_open(
                        c,
                        &owned,
                        RefreshOutcome::Replaced.as_str(),
                        now,
                    )?;
                    Ok((known, accounts::get(c, &owned)?))
                });
                Ok(match stored {
                    Ok((known, stored_row)) => {
                        if let Some(r) = stored_row {
                            s.vault().remember(&r, &kept);
                        }
                        Ok(known)
                    }
                    Err(e) => Err(e.into()),
                })
            })
            .await?;
        let updated = match stored {
            Ok(known) => known,
            Err(e) => {
                // The database refused: do not keep tokens nobody can find.
                let _ = self
                    .oauth
                    .revoke(info, &secrets.key, &secrets.refresh_token, Some(&secrets.access_token))
                    .await;
                let (owned, old) = (did.clone(), old.clone());
                self.off_thread(move |s| match &old {
                    Some(o) => {
                        let _ = s.vault().put_session(&owned, o);
                    }
                    None => {
                        let _ = s.vault().delete_session(&owned);
                    }
                })
                .await;
                return Err(e);
            }
        };
        let old_session_revoked = match (old, existing) {
            (Some(old), Some(prev)) => {
                let prev_info = session_info(&prev)?;
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

/// What taking a pending login found.
enum Taken {
    /// No login waits for this state (unknown, used, or expired).
    Unknown(CallbackError),
    /// The login was taken but cannot go on.
    Ended(Error),
    /// The login and its secrets, its keychain item deleted.
    Ready(Box<(PendingRow, skyport_oauth::PendingSecrets)>),
}

/// Takes the pending login `state` (single use) and its secrets. A locked or unavailable
/// keychain puts the login back so it can be retried.
fn take_pending(s: &Storage, state: &str) -> Result<Taken, Error> {
    let Some(row) = s.db.write(|c| pending::take(c, state))? else {
        let previous = s.db.with(|c| outcomes::get(c, state))?;
        return Ok(Taken::Unknown(match previous {
            Some(o) if o.error_code.as_deref() == Some(ErrorCode::LoginExpired.as_str()) => {
                CallbackError::Expired
            }
            _ => CallbackError::UnknownState,
        }));
    };
    match s.vault().pending(state) {
        Ok(Some(secrets)) => {
            let _ = s.vault().delete_pending(state);
            Ok(Taken::Ready(Box::new((row, secrets))))
        }
        Ok(None) => Ok(Taken::Ended(Error::NeedsSignIn {
            did: row.expected_did.clone().unwrap_or_default(),
            reason: SignInReason::KeyMissing,
        })),
        Err(e @ KeychainError::Corrupt) => {
            // The login's own item is damaged: it cannot be finished, only started again.
            let _ = s.vault().delete_pending(state);
            Ok(Taken::Ended(e.into()))
        }
        Err(e) => {
            let _ = s.db.write(|c| pending::insert(c, &row));
            Err(e.into())
        }
    }
}

/// Cancels the pending login `state` if it still waits: what to announce, if it did.
type Cancelled = (Outcome, Option<String>, Option<Error>);
fn cancel_pending(s: &Storage, state: &str) -> Result<Option<Cancelled>, Error> {
    if s.db.write(|c| pending::take(c, state))?.is_none() {
        return Ok(None);
    }
    let _ = s.vault().delete_pending(state);
    let (outcome, err) = outcome_of(Err(Error::LoginCancelled));
    let handle = record_outcome(s, state, &outcome);
    Ok(Some((outcome, handle, err)))
}

/// The outcome to record for a login's result, and the error to return.
fn outcome_of(result: Result<String, Error>) -> (Outcome, Option<Error>) {
    match result {
        Ok(did) => (Outcome { did: Some(did), error_code: None, error_message: None }, None),
        Err(e) => (
            Outcome {
                did: None,
                error_code: Some(e.code().as_str().into()),
                error_message: Some(e.to_string()),
            },
            Some(e),
        ),
    }
}

/// Records how a login ended; returns the account's handle for the event.
fn record_outcome(s: &Storage, state: &str, outcome: &Outcome) -> Option<String> {
    let now = s.now();
    let _ = s.db.write(|c| outcomes::record(c, state, outcome, now));
    let did = outcome.did.as_deref()?;
    s.db.with(|c| accounts::get(c, did)).ok().flatten().and_then(|row| row.handle)
}

fn outcome_error(code: Option<&str>, message: Option<String>) -> Error {
    let message = message.unwrap_or_else(|| "the sign-in failed".into());
    match code.and_then(ErrorCode::parse) {
        Some(ErrorCode::Cancelled) => Error::LoginCancelled,
        Some(code) => Error::Remote { code, message },
        None => Error::Remote { code: ErrorCode::Internal, message },
    }
}

pub(crate) fn host_of(issuer: &Issuer) -> String {
    url::Url::parse(issuer.as_str())
        .ok()
        .map(|u| match u.port() {
            Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
            None => u.host_str().unwrap_or_default().to_owned(),
        })
        .unwrap_or_else(|| issuer.to_string())
}
