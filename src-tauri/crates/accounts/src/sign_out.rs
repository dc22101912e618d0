//! Sign out: revoke at the server with the session's DPoP key (best effort), then always
//! delete the keychain item and the rows.

use skyport_keychain::KeychainError;
use skyport_store::table::{accounts, agent_keys, journal, nonces};

use crate::reason::SignInReason;
use crate::refresh_outcome::RefreshOutcome;
use crate::row::session_info;
use crate::view::SignOutResult;
use crate::{AccountEvent, Accounts, Error};

impl Accounts {
    /// Signs out of one account. Only a locked or unreachable keychain stops it, and then
    /// nothing is deleted (it would leave a session nobody can revoke): the error says to
    /// unlock it. A keychain item that cannot be decoded cannot be revoked: it and the row
    /// are deleted, and the result says the server was not asked.
    pub async fn sign_out(&self, who: Option<&str>) -> Result<SignOutResult, Error> {
        let row = self.row_off_thread(who).await?;
        let did = row.did.clone();
        let _guard = self.locks.lock(&did).await?;
        let owned = did.clone();
        let read = self.off_thread(move |s| s.vault().session(&owned)).await;
        let (revoked, revoke_error) = match read {
            Ok(Some(s)) => {
                let info = session_info(&row)?;
                match self.oauth.revoke(&info, &s.key, &s.refresh_token, Some(&s.access_token)).await {
                    skyport_oauth::RevokeOutcome::Revoked => (true, None),
                    skyport_oauth::RevokeOutcome::NotRevoked { reason } => (false, Some(reason)),
                }
            }
            Ok(None) => (false, Some("no session secrets were stored".into())),
            Err(KeychainError::Corrupt) => (
                false,
                Some(
                    "the session's keychain item is damaged, so the server could not be asked to revoke it"
                        .into(),
                ),
            ),
            Err(e) => return Err(e.into()),
        };
        let now = self.now();
        let (owned, jkt) = (did.clone(), row.dpop_thumbprint.clone());
        let new_active = self
            .off_thread(move |s| -> Result<_, Error> {
                s.vault().delete_session(&owned)?;
                Ok(s.db.write(|c| {
                    journal::close_open(
                        c,
                        &owned,
                        RefreshOutcome::Ended(SignInReason::SignedOut).as_str(),
                        now,
                    )?;
                    nonces::delete_session(c, &jkt)?;
                    // Its connected apps' keys (and their local sessions) go with it.
                    agent_keys::delete_for(c, &owned)?;
                    accounts::delete(c, &owned)
                })?)
            })
            .await?;
        self.emit(AccountEvent::AccountsChanged);
        tracing::info!(%did, revoked, "signed out");
        Ok(SignOutResult { did, handle: row.handle.clone(), revoked, revoke_error, new_active })
    }

    /// Signs out of every account.
    pub async fn sign_out_all(&self) -> Result<Vec<SignOutResult>, Error> {
        let rows = self.off_thread(|s| s.db.with(accounts::list)).await?;
        let dids: Vec<String> = rows.into_iter().map(|r| r.did).collect();
        let mut results = Vec::with_capacity(dids.len());
        for did in dids {
            results.push(self.sign_out(Some(&did)).await?);
        }
        Ok(results)
    }
}
