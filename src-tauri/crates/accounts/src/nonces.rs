//! The DPoP nonce cache in SQLite, so every process (CLI, desktop app) starts warm.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use skyport_oauth::Clock;
use skyport_oauth::dpop::NonceStore;
use skyport_store::Db;
use skyport_store::table::nonces;

/// A [`NonceStore`] backed by the `dpop_nonces` table, with an in-memory copy in front so
/// only changed nonces are written.
pub(crate) struct StoredNonces {
    db: Arc<Db>,
    clock: Arc<dyn Clock>,
    seen: Mutex<HashMap<String, String>>,
}

impl StoredNonces {
    pub fn new(db: Arc<Db>, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock, seen: Mutex::new(HashMap::new()) }
    }
}

impl NonceStore for StoredNonces {
    fn get(&self, origin: &str) -> Option<String> {
        if let Some(n) = self.seen.lock().unwrap_or_else(|e| e.into_inner()).get(origin) {
            return Some(n.clone());
        }
        let stored = self.db.with(|c| nonces::get(c, origin)).ok().flatten()?;
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).insert(origin.to_owned(), stored.clone());
        Some(stored)
    }

    fn put(&self, origin: &str, nonce: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get(origin).map(String::as_str) == Some(nonce) {
            return;
        }
        seen.insert(origin.to_owned(), nonce.to_owned());
        drop(seen);
        // A nonce that fails to persist is only a lost optimisation.
        let _ = self.db.write(|c| nonces::put(c, origin, nonce, self.clock.now()));
    }
}
