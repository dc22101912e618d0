//! The DPoP nonce cache in SQLite, so every process (CLI, desktop app) starts warm.
//!
//! Entries are per session (DPoP key thumbprint) and origin, never shared between accounts
//! (atproto OAuth spec, "Demonstrating Proof of Possession (DPoP)": nonces per account session
//! and per server; see `skyport_store::table::nonces`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use skyport_oauth::Clock;
use skyport_oauth::dpop::{NonceScope, NonceStore};
use skyport_store::Db;
use skyport_store::table::nonces;

/// A [`NonceStore`] backed by the `dpop_session_nonces` table, with an in-memory copy in
/// front so only changed nonces are written.
pub(crate) struct StoredNonces {
    db: Arc<Db>,
    clock: Arc<dyn Clock>,
    /// (thumbprint, origin) → nonce.
    seen: Mutex<HashMap<(String, String), String>>,
}

impl StoredNonces {
    pub fn new(db: Arc<Db>, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock, seen: Mutex::new(HashMap::new()) }
    }
}

fn key(scope: NonceScope<'_>) -> (String, String) {
    (scope.jkt.to_owned(), scope.origin.to_owned())
}

impl NonceStore for StoredNonces {
    fn get(&self, scope: NonceScope<'_>) -> Option<String> {
        if let Some(n) = self.seen.lock().unwrap_or_else(|e| e.into_inner()).get(&key(scope)) {
            return Some(n.clone());
        }
        let stored = self.db.with(|c| nonces::get(c, scope.jkt, scope.origin)).ok().flatten()?;
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).insert(key(scope), stored.clone());
        Some(stored)
    }

    fn put(&self, scope: NonceScope<'_>, nonce: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let key = key(scope);
        if seen.get(&key).map(String::as_str) == Some(nonce) {
            return;
        }
        seen.insert(key, nonce.to_owned());
        drop(seen);
        // A nonce that fails to persist is only a lost optimisation.
        let _ = self.db.write(|c| nonces::put(c, scope.jkt, scope.origin, nonce, self.clock.now()));
    }
}

#[cfg(test)]
mod tests {
    use skyport_oauth::FixedClock;

    use super::*;

    #[test]
    fn nonces_persist_per_session_across_processes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(100));
        let alice = NonceScope { jkt: "jkt-alice", origin: "https://as.example" };
        let bob = NonceScope { jkt: "jkt-bob", origin: "https://as.example" };
        let first = StoredNonces::new(Arc::new(Db::open(&path).unwrap()), clock.clone());
        first.put(alice, "n1");
        assert_eq!(first.get(bob), None, "another session at the same origin sees nothing");
        // A second process (another handle on the same file) starts warm, per session.
        let second = StoredNonces::new(Arc::new(Db::open(&path).unwrap()), clock);
        assert_eq!(second.get(alice).as_deref(), Some("n1"));
        assert_eq!(second.get(bob), None);
    }
}
