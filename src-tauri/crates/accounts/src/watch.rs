//! Noticing what other processes change in the store (the CLI next to the app, `skyport
//! complete`, the headless agent): SQLite's `PRAGMA data_version` changes when another
//! connection commits, and only then, so polling it is cheap when nothing happens (a read of
//! shared memory, no disk I/O). A change becomes [`AccountEvent::AccountsChanged`]: the
//! front-end reloads the list, the active account, statuses and pending logins.

use std::sync::Arc;
use std::time::Duration;

use crate::{AccountEvent, Accounts};

impl Accounts {
    /// Watches the store for commits by other processes, every `every`, until the returned
    /// task is aborted (or the last `Arc` of the account manager goes).
    pub fn watch_store(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut last: Option<i64> = None;
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(accounts) = weak.upgrade() else { return };
                let version = accounts.off_thread(|s| s.db.data_version()).await;
                match (last, version) {
                    (Some(before), Ok(now)) if now != before => {
                        tracing::debug!("another process changed the store");
                        accounts.emit(AccountEvent::AccountsChanged);
                        last = Some(now);
                    }
                    (None, Ok(now)) => last = Some(now),
                    (_, Ok(_)) => {}
                    (_, Err(e)) => tracing::warn!(error = %e, "could not read the store's data version"),
                }
            }
        })
    }
}
