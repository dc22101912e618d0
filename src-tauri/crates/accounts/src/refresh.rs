//! Refresh: once per account at a time across threads and processes; journal first,
//! rotated tokens stored before they are used; crash recovery from the journal.

use skyport_keychain::KeychainError;
use skyport_oauth::TokenSet;
use skyport_store::table::accounts::{self, AccountRow, SessionState};
use skyport_store::table::journal;

use crate::reason::SignInReason;
use crate::refresh_outcome::RefreshOutcome;
use crate::row::session_info;
use crate::secrets::SessionSecrets;
use crate::view::{AccountSummary, EXPIRING_SECS, stored_reason, stored_refresh_result};
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
        let row = self.row_off_thread(who).await?;
        self.refresh_did(&row.did, row.session_generation, Reason::Forced).await?;
        // The refresh read (and maybe wrote) the keychain: no probe needed.
        self.summary(Some(&row.did), crate::KeychainState::Available)
    }

    /// Refreshes every signed-in account whose token expires within `margin` seconds, at
    /// most `concurrency` at a time. Returns (account, result) pairs. Storage work runs off
    /// the async threads, so one slow keychain call does not hold up the others.
    pub async fn refresh_due(&self, margin: i64, concurrency: usize) -> Vec<(String, Result<(), Error>)> {
        use futures::StreamExt as _;
        let now = self.now();
        let due: Vec<AccountRow> = match self.off_thread(|s| s.db.with(accounts::list)).await {
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
        let owned = did.to_owned();
        let (row, secrets, open) = self
            .off_thread(move |s| -> Result<_, Error> {
                let did = owned.as_str();
                let row =
                    s.db.with(|c| accounts::get(c, did))?
                        .ok_or_else(|| Error::UnknownAccount(did.to_owned()))?;
                if row.state == SessionState::NeedsSignIn {
                    return Err(Error::NeedsSignIn { did: did.to_owned(), reason: stored_reason(&row) });
                }
                let secrets = s.found_or_mark(did, s.vault().session(did))?;
                let open = s.db.with(|c| journal::open_entry(c, did))?;
                Ok((row, secrets, open))
            })
            .await?;
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
        // Was a refresh interrupted (crash) before? Its outcome at the server is unknown. If
        // the rotation was stored but the journal not closed, it finished.
        let interrupted = matches!(open, Some((_, generation, _)) if generation == row.session_generation);
        let finished_earlier = open.is_some() && !interrupted;
        // A refresh that failed on the network at this generation may have reached the
        // server (the answer was lost): an invalid_grant now means exactly that.
        let interrupted = interrupted || stored_refresh_result(&row).is_some_and(RefreshOutcome::is_network);
        let info = session_info(&row)?;
        let (owned, generation) = (did.to_owned(), row.session_generation);
        let entry = self
            .off_thread(move |s| {
                s.db.write(|c| {
                    if finished_earlier {
                        journal::close_open(c, &owned, RefreshOutcome::Ok.as_str(), now)?;
                    }
                    journal::begin(c, &owned, generation, std::process::id(), now)
                })
            })
            .await?;
        self.emit(AccountEvent::StatusChanged {
            did: did.to_owned(),
            status: crate::AccountStatus::Refreshing,
        });
        let result = self.oauth.refresh(&info, &secrets.key, &secrets.refresh_token).await;
        let outcome = match result {
            Ok(tokens) => self.store_rotation(did, secrets, tokens, entry).await,
            Err(e) => {
                let e: Error = e.into();
                let now = self.now();
                let owned = did.to_owned();
                if let Error::OAuth(oe) = &e
                    && oe.is_invalid_grant()
                {
                    let why = if interrupted {
                        SignInReason::RefreshInterrupted
                    } else {
                        SignInReason::InvalidGrant
                    };
                    let ended = RefreshOutcome::Ended(why).as_str();
                    let err = self
                        .off_thread(move |s| -> Result<Error, Error> {
                            s.db.write(|c| {
                                journal::finish(c, entry, ended, now)?;
                                journal::close_open(c, &owned, ended, now)
                            })?;
                            let _ = s.vault().delete_session(&owned);
                            Ok(s.needs_sign_in(&owned, why))
                        })
                        .await?;
                    return self.finish_refresh(did, Err(err)).await;
                }
                let failed = RefreshOutcome::Failed(e.code()).as_str();
                self.off_thread(move |s| {
                    s.db.write(|c| {
                        journal::finish(c, entry, failed, now)?;
                        if interrupted {
                            journal::close_open(c, &owned, failed, now)?;
                        }
                        accounts::record_refresh_failure(c, &owned, failed, now)
                    })
                })
                .await?;
                Err(e)
            }
        };
        self.finish_refresh(did, outcome).await
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
        let now = self.now();
        let (owned, kept, expires_at, scope) =
            (did.to_owned(), fresh.clone(), tokens.expires_at, tokens.scope);
        let stored = self
            .off_thread(move |s| -> Result<Result<AccountRow, KeychainError>, Error> {
                let did = owned.as_str();
                if let Err(e) = s.vault().put_session(did, &kept) {
                    return Ok(Err(e));
                }
                let row = s.db.write(|c| {
                    accounts::record_rotation(c, did, expires_at, scope.as_str(), now)?;
                    journal::close_open(c, did, RefreshOutcome::Ok.as_str(), now)?;
                    journal::finish(c, entry, RefreshOutcome::Ok.as_str(), now)?;
                    accounts::get(c, did)
                })?;
                let row = row.ok_or_else(|| Error::UnknownAccount(did.to_owned()))?;
                s.vault().remember(&row, &kept);
                Ok(Ok(row))
            })
            .await?;
        match stored {
            Ok(row) => Ok(Current { secrets: fresh, generation: row.session_generation }),
            Err(e) => {
                // The old refresh token is spent and the new one cannot be kept: the session
                // is lost. Revoke what we got and say so.
                let owned = did.to_owned();
                let row = self.off_thread(move |s| s.db.with(|c| accounts::get(c, &owned))).await;
                if let Ok(Some(row)) = row
                    && let Ok(info) = session_info(&row)
                {
                    let _ = self
                        .oauth
                        .revoke(&info, &fresh.key, &fresh.refresh_token, Some(&fresh.access_token))
                        .await;
                }
                let owned = did.to_owned();
                self.off_thread(move |s| {
                    let _ = s.db.write(|c| {
                        journal::finish(c, entry, RefreshOutcome::KeychainWriteFailed.as_str(), now)
                    });
                    let _ = s.mark_needs_sign_in(&owned, SignInReason::KeyMissing);
                })
                .await;
                Err(e.into())
            }
        }
    }

    async fn finish_refresh(&self, did: &str, result: Result<Current, Error>) -> Result<Current, Error> {
        let owned = did.to_owned();
        let expires_at = self
            .off_thread(move |s| s.db.with(|c| accounts::get(c, &owned)).ok().flatten().map(|r| r.expires_at))
            .await;
        self.emit(AccountEvent::RefreshFinished {
            did: did.to_owned(),
            ok: result.is_ok(),
            error_code: result.as_ref().err().map(Error::code),
            expires_at: result.as_ref().ok().and(expires_at),
        });
        // After a successful refresh the keychain answered; after a failure, ask it.
        let keychain = match result {
            Ok(_) => crate::KeychainState::Available,
            Err(_) => self.off_thread(|s| s.keychain_state()).await,
        };
        if let Ok(summary) = self.summary(Some(did), keychain) {
            self.emit(AccountEvent::StatusChanged { did: did.to_owned(), status: summary.status });
        }
        result
    }

    /// Marks an account "needs sign-in" (off the async threads).
    pub(crate) async fn needs_sign_in(&self, did: &str, reason: SignInReason) -> Error {
        let owned = did.to_owned();
        self.off_thread(move |s| s.needs_sign_in(&owned, reason)).await
    }

    /// The secrets of the session `row` describes, from memory when this process holds
    /// exactly that session (API calls), otherwise from the keychain; a missing or damaged
    /// item marks the account (see [`Storage::found_or_mark`](crate::storage::Storage)).
    pub(crate) async fn session_secrets(&self, row: &AccountRow) -> Result<SessionSecrets, Error> {
        let row = row.clone();
        self.off_thread(move |s| s.found_or_mark(&row.did, s.vault().session_of(&row))).await
    }
}
