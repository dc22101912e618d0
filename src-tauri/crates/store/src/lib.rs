//! # skyport-store
//!
//! The SQLite half of Skyport's storage split: account metadata, pending logins, the DPoP
//! nonce cache, the refresh journal and login outcomes. **No secret is ever written here**:
//! tokens, PKCE verifiers and DPoP private keys live in the OS keychain. The account list
//! renders from this database alone, so it works offline and with the keychain locked.
//!
//! The database uses WAL (readers never block the writer; several processes share it) and a
//! busy timeout. Migrations are append-only; a database from a newer Skyport is refused.

mod error;
mod migration;
pub mod table;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

pub use error::StoreError;
pub use migration::SCHEMA_VERSION;

/// A handle to the database. Cheap to share behind an `Arc`; calls are serialised.
pub struct Db {
    conn: Mutex<Connection>,
    store_id: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("store_id", &self.store_id).finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::setup(Connection::open(path)?)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migration::run(&mut conn)?;
        let store_id = table::meta::store_id(&conn)?;
        Ok(Self { conn: Mutex::new(conn), store_id })
    }

    /// A random id of this store, used to keep its keychain items apart from another
    /// store's (another `SKYPORT_HOME`).
    pub fn store_id(&self) -> &str {
        &self.store_id
    }

    /// Runs `f` with the connection.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&self.lock())
    }

    /// Runs `f` in an immediate (write-locked) transaction; commits if it returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// `PRAGMA data_version`: changes whenever another connection (another process) commits
    /// to the database, and not for this connection's own commits.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.with(|c| Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?))
    }

    /// `PRAGMA integrity_check` is `ok`.
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        self.with(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))? == "ok"))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}
