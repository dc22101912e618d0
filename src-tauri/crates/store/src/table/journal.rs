//! `refresh_journal`: every refresh is written here before it is sent, and finished after
//! the rotated tokens are stored. An unfinished row after a crash means a refresh was in
//! flight: its outcome at the server is unknown.
//!
//! `outcome` is a stable code (`ok`, `network`, `invalid_grant`, `replaced`, ...); the
//! account manager reads and writes it as its `RefreshOutcome` enum. This module stores the
//! text as given.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::StoreError;

pub(crate) const CREATE: &str = "
CREATE TABLE refresh_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    did TEXT NOT NULL,
    pid INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT
);
CREATE INDEX refresh_journal_open ON refresh_journal(did) WHERE finished_at IS NULL;
";

/// Records that a refresh of `did` (at session `generation`) is about to be sent.
pub fn begin(conn: &Connection, did: &str, generation: i64, pid: u32, now: i64) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO refresh_journal (did, pid, generation, started_at) VALUES (?1, ?2, ?3, ?4)",
        params![did, pid, generation, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records how a refresh ended (its outcome code).
pub fn finish(conn: &Connection, id: i64, outcome: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE refresh_journal SET finished_at = ?2, outcome = ?3 WHERE id = ?1",
        params![id, now, outcome],
    )?;
    Ok(())
}

/// An unfinished refresh of `did`, if any: (id, generation, started_at).
pub fn open_entry(conn: &Connection, did: &str) -> Result<Option<(i64, i64, i64)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, generation, started_at FROM refresh_journal WHERE did = ?1 AND finished_at IS NULL \
             ORDER BY id DESC LIMIT 1",
            params![did],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Closes every unfinished entry of `did` as `outcome` (after recovery decided what happened).
pub fn close_open(conn: &Connection, did: &str, outcome: &str, now: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE refresh_journal SET finished_at = ?2, outcome = ?3 WHERE did = ?1 AND finished_at IS NULL",
        params![did, now, outcome],
    )?)
}

/// Deletes finished entries older than `before`.
pub fn prune(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM refresh_journal WHERE finished_at IS NOT NULL AND finished_at < ?1",
        params![before],
    )?)
}
