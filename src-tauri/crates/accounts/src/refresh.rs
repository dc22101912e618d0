//! Refresh: once per account at a time across threads and processes; journal first,
//! rotated tokens stored before they are used; crash recovery from the journal.

use skyport_keychain::KeychainError;
use skyport_oauth::{Did, SessionInfo, TokenSet};
use skyport_store::table::accounts::{self, AccountRow, SessionState};
use skyport_store::table::journal;

use crate::reason::SignInReason;
use crate::secrets::SessionSecrets;
use crate::view::{AccountSummary, EXPIRING_SECS, stored_reason};
use crate::{AccountEvent, Accounts, Error};

/// The secrets to use and the session generation they belong to (a later `invalid_token`
/// must name this generation, so a refresh another process made in between is used, not
/// repeated).
#[derive(Debug, Clone)]
pub(crate) struct Current {
    pub secrets: SessionSecrets,
    pub generation: i64,
}

/// Why a refresh is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The user asked ("Refresh now", `skyport refresh`): refresh unless someone else just did.
    Forced,
    /// Proactive: only if the access token expires soon.
    Expiring,
    /// The PDS said `invalid_token`: refresh unless someone else already did.
    InvalidToken,
}

impl Accounts {
    /// Refreshes an account now (the active one if `who` is `None`). If another thread or
    /// process refreshed it while this call waited for the lock, that result is used and no
    /// second request is sent.
    pub async fn refresh(&self, who: Option<&str>) -> Result<AccountSummary, Error> {
        let row = self.row(who)?;
        self.refresh_did(&row.did, row.session_generation, Reason::Forced).await?;
        // The refresh read (and maybe wrote) the keychain: no probe needed.
        self.summary(Some(&row.did), crate::KeychainState::Available)
    }

    /// Refreshes every signed-in account whose token expires within `margin` seconds, at
    /// most `concurrency` at a time. Returns (account, result) pairs.
    pub async fn refresh_due(&self, margin: i64, concurrency: usize) -> Vec<(String, Result<(), Error>)> {
        use futures::StreamExt as _;
        let now = self.now();
        let due: Vec<AccountRow> = match self.db.with(accounts::list) {
            Ok(rows) => rows
                .into_iter()
                .filter(|r| r.state == SessionState::SignedIn && r.expires_at - now < margin)
                .collect(),
            Err(e) => return vec![(String::new(), Err(e.into()))],
        };
        futures::stream::iter(due)
            .map(|row| async move {
                let result =
                    self.refresh_did(&row.did, row.session_generation, Reason::Expiring).await.map(|_| ());
                (row.did, result)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await
    }

    /// Refreshes `did`, which the caller saw at `seen_generation`. Returns the secrets to use.
    pub(crate) async fn refresh_did(
        &self,
        did: &str,
        seen_generation: i64,
        reason: Reason,
    ) -> Result<Current, Error> {
        let _guard = self.locks.lock(did).await?;
        // Re-read under the lock: another thread or process may have refreshed already.
        let row =
            self.db.with(|c| accounts::get(c, did))?.ok_or_else(|| Error::UnknownAccount(did.to_owned()))?;
        if row.state == SessionState::NeedsSignIn {
            return Err(Error::NeedsSignIn { did: did.to_owned(), reason: stored_reason(&row) });
        }
        let secrets = self.stored_session(did)?;
        let now = self.now();
        let someone_else_refreshed = row.session_generation != seen_generation;
        let fresh_enough = row.expires_at - now > EXPIRING_SECS;
        match reason {
            Reason::Forced | Reason::InvalidToken if someone_else_refreshed => {
                return Ok(Current { secrets, generation: row.session_generation });
            }
            Reason::Expiring if someone_else_refreshed || fresh_enough => {
                return Ok(Current { secrets, generation: row.session_generation });
            }
            _ => {}
        }
        // Was a refresh interrupted (crash) before? Its outcome at the server is unknown.
        let interrupted = match self.db.with(|c| journal::open_entry(c, did))? {
            Some((_, generation, _)) if generation == row.session_generation => true,
            Some(_) => {
                // The rotation was stored but the journal not closed: it finished.
                self.db.write(|c| journal::close_open(c, did, "ok", now))?;
                false
            }
            None => false,
        };
        // A refresh that failed on the network at this generation may have reached the
        // server (the answer was lost): an invalid_grant now means exactly that.
        let interrupted = interrupted || row.last_refresh_result.as_deref() == Some("network");
        let info = session_info(&row)?;
        let entry =
            self.db.write(|c| journal::begin(c, did, row.session_generation, std::process::id(), now))?;
        self.emit(AccountEvent::StatusChanged {
            did: did.to_owned(),
            status: crate::AccountStatus::Refreshing,
        });
        let result = self.oauth.refresh(&info, &secrets.key, &secrets.refresh_token).await;
        let outcome = match result {
            Ok(tokens) => self.store_rotation(did, secrets, tokens, entry).await,
            Err(e) => {
                let e: Error = e.into();
                let code = if e.is_network() { "network" } else { e.code().as_str() };
                let now = self.now();
                if let Error::OAuth(oe) = &e
                    && oe.is_invalid_grant()
                {
                    let why = if interrupted {
                        SignInReason::RefreshInterrupted
                    } else {
                        SignInReason::InvalidGrant
                    };
                    self.db.write(|c| journal::finish(c, entry, why.as_str(), now))?;
                    self.db.write(|c| journal::close_open(c, did, why.as_str(), now))?;
                    let _ = self.vault().delete_session(did);
                    return self.finish_refresh(did, Err(self.needs_sign_in(did, why)));
                }
                self.db.write(|c| {
                    journal::finish(c, entry, code, now)?;
                    if interrupted {
                        journal::close_open(c, did, code, now)?;
                    }
                    accounts::record_refresh_failure(c, did, code, now)
                })?;
                Err(e)
            }
        };
        self.finish_refresh(did, outcome)
    }

    /// Stores rotated tokens durably (keychain, then SQLite) before anyone uses them.
    async fn store_rotation(
        &self,
        did: &str,
        old: SessionSecrets,
        tokens: TokenSet,
        entry: i64,
    ) -> Result<Current, Error> {
        let fresh = SessionSecrets {
            key: old.key,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        };
        if let Err(e) = self.vault().put_session(did, &fresh) {
            // The old refresh token is spent and the new one cannot be kept: the session is
            // lost. Revoke what we got and say so.
            if let Ok(row) = self.db.with(|c| accounts::get(c, did))
                && let Some(info) = row.as_ref().and_then(|r| session_info(r).ok())
            {
                let _ = self
                    .oauth
                    .revoke(&info, &fresh.key, &fresh.refresh_token, Some(&fresh.access_token))
                    .await;
            }
            let now = self.now();
            let _ = self.db.write(|c| journal::finish(c, entry, "keychain_write_failed", now));
            let _ = self.mark_needs_sign_in(did, SignInReason::KeyMissing);
            return Err(e.into());
        }
        let now = self.now();
        let row = self.db.write(|c| {
            accounts::record_rotation(c, did, tokens.expires_at, &tokens.scope, now)?;
            journal::close_open(c, did, "ok", now)?;
            journal::finish(c, entry, "ok", now)?;
            accounts::get(c, did)
        })?;
        let row = row.ok_or_else(|| Error::UnknownAccount(did.to_owned()))?;
        self.vault().remember(&row, &fresh);
        Ok(Current { secrets: fresh, generation: row.session_generation })
    }

    fn finish_refresh(&self, did: &str, result: Result<Current, Error>) -> Result<Current, Error> {
        let expires_at = self.db.with(|c| accounts::get(c, did)).ok().flatten().map(|r| r.expires_at);
        self.emit(AccountEvent::RefreshFinished {
            did: did.to_owned(),
            ok: result.is_ok(),
            error_code: result.as_ref().err().map(Error::code),
            expires_at: result.as_ref().ok().and(expires_at),
        });
        // After a successful refresh the keychain answered; after a failure, ask it.
        let keychain = if result.is_ok() { crate::KeychainState::Available } else { self.keychain_state() };
        if let Ok(summary) = self.summary(Some(did), keychain) {
            self.emit(AccountEvent::StatusChanged { did: did.to_owned(), status: summary.status });
        }
        result
    }

    pub(crate) fn mark_needs_sign_in(&self, did: &str, reason: SignInReason) -> Result<(), Error> {
        let now = self.now();
        self.vault().forget(did);
        self.db.write(|c| accounts::mark_needs_sign_in(c, did, reason.as_str(), now))?;
        Ok(())
    }

    /// Marks the account and returns the error to report: the `NeedsSignIn` error, or the
    /// storage error if even the mark could not be written.
    pub(crate) fn needs_sign_in(&self, did: &str, reason: SignInReason) -> Error {
        match self.mark_needs_sign_in(did, reason) {
            Ok(()) => Error::NeedsSignIn { did: did.to_owned(), reason },
            Err(e) => e,
        }
    }

    /// The session's secrets from the keychain, for a decision (refresh under its lock). A
    /// missing item or one that cannot be decoded marks the account "needs sign-in" with its
    /// own reason; a locked or unreachable keychain is an error that changes nothing.
    pub(crate) fn stored_session(&self, did: &str) -> Result<SessionSecrets, Error> {
        self.found_or_mark(did, self.vault().session(did))
    }

    /// The secrets of the session `row` describes, from memory when this process holds
    /// exactly that session (API calls), marked as [`stored_session`](Self::stored_session)
    /// marks.
    pub(crate) fn session_secrets(&self, row: &AccountRow) -> Result<SessionSecrets, Error> {
        self.found_or_mark(&row.did, self.vault().session_of(row))
    }

    fn found_or_mark(
        &self,
        did: &str,
        read: Result<Option<SessionSecrets>, KeychainError>,
    ) -> Result<SessionSecrets, Error> {
        match read {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(self.needs_sign_in(did, SignInReason::KeyMissing)),
            Err(KeychainError::Corrupt) => Err(self.needs_sign_in(did, SignInReason::KeyUnreadable)),
            Err(e) => Err(e.into()),
        }
    }
}

/// The OAuth core's view of a stored account.
pub(crate) fn session_info(row: &AccountRow) -> Result<SessionInfo, Error> {
    let bad = |what: &str| Error::Config(format!("stored account {}: invalid {what}", row.did));
    Ok(SessionInfo {
        did: Did::parse(&row.did).map_err(|_| bad("DID"))?,
        handle: row.handle.as_deref().and_then(|h| skyport_oauth::Handle::parse(h).ok()),
        pds: url::Url::parse(&row.pds_url).map_err(|_| bad("PDS URL"))?,
        issuer: row.issuer.clone(),
        token_endpoint: url::Url::parse(&row.token_endpoint).map_err(|_| bad("token endpoint"))?,
        revocation_endpoint: row.revocation_endpoint.as_deref().and_then(|u| url::Url::parse(u).ok()),
        client_id: row.client_id.clone(),
        requested_scope: row.requested_scope.clone(),
        granted_scope: row.granted_scope.clone(),
        expires_at: row.expires_at,
        created_at: row.session_started_at,
        dpop_thumbprint: row.dpop_thumbprint.clone(),
    })
}
