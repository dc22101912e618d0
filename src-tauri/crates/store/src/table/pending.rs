//! `pending_logins`: logins waiting for their callback. Single use; expire after 10 minutes.
//! The record (no secrets) is stored as JSON; its secrets are in the keychain.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::StoreError;

/// Schema 1's table. Migration 1 still creates it (migrations are append-only); migration 3
/// drops the columns nothing read.
pub(crate) const CREATE_V1: &str = "
CREATE TABLE pending_logins (
    state TEXT PRIMARY KEY NOT NULL,
    issuer TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    requested_scope TEXT NOT NULL,
    expected_did TEXT,
    intent TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
";

/// Migration 3: drops the columns that were written but never read. `issuer`,
/// `redirect_uri`, `requested_scope` and `created_at` repeat fields of `record`, which is
/// what a login is completed from; `intent` is answered when the login starts and not
/// needed after. Pending logins waiting at the time keep their `record` and complete as
/// before.
pub(crate) const MIGRATE_V3: &str = "
ALTER TABLE pending_logins DROP COLUMN issuer;
ALTER TABLE pending_logins DROP COLUMN redirect_uri;
ALTER TABLE pending_logins DROP COLUMN requested_scope;
ALTER TABLE pending_logins DROP COLUMN intent;
ALTER TABLE pending_logins DROP COLUMN created_at;
";

/// A pending login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    /// The OAuth `state` (key).
    pub state: String,
    /// The DID the login is for, if known.
    pub expected_did: Option<String>,
    /// The full pending record as JSON (no secrets).
    pub record: String,
    /// When it stops accepting a callback (expired rows are swept).
    pub expires_at: i64,
}

/// Stores a pending login.
pub fn insert(conn: &Connection, row: &PendingRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO pending_logins (state, expected_did, record, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![row.state, row.expected_did, row.record, row.expires_at],
    )?;
    Ok(())
}

/// Removes and returns the pending login for `state` (single use). Call inside a write
/// transaction so two processes cannot both take it.
pub fn take(conn: &Connection, state: &str) -> Result<Option<PendingRow>, StoreError> {
    let row = conn
        .query_row(
            "SELECT state, expected_did, record, expires_at FROM pending_logins WHERE state = ?1",
            params![state],
            |r| {
                Ok(PendingRow {
                    state: r.get(0)?,
                    expected_did: r.get(1)?,
                    record: r.get(2)?,
                    expires_at: r.get(3)?,
                })
            },
        )
        .optional()?;
    if row.is_some() {
        conn.execute("DELETE FROM pending_logins WHERE state = ?1", params![state])?;
    }
    Ok(row)
}

/// Whether a pending login for `state` exists.
pub fn exists(conn: &Connection, state: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row("SELECT 1 FROM pending_logins WHERE state = ?1", params![state], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Deletes expired pending logins; returns their states (so their keychain items can go too).
pub fn sweep_expired(conn: &Connection, now: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT state FROM pending_logins WHERE expires_at <= ?1")?;
    let states = stmt.query_map(params![now], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    conn.execute("DELETE FROM pending_logins WHERE expires_at <= ?1", params![now])?;
    Ok(states)
}

/// The pending logins that still accept a callback at `now`, oldest first.
pub fn waiting(conn: &Connection, now: i64) -> Result<Vec<PendingRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT state, expected_did, record, expires_at FROM pending_logins WHERE expires_at > ?1 \
         ORDER BY expires_at, state",
    )?;
    let rows = stmt.query_map(params![now], |r| {
        Ok(PendingRow { state: r.get(0)?, expected_did: r.get(1)?, record: r.get(2)?, expires_at: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Every pending state (for cleanup).
pub fn states(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT state FROM pending_logins")?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?)
}
