//! `agent_sessions`: local sessions the agent answered `createSession` with.
//!
//! A local session is named by a random id and belongs to one key; the current refresh
//! token's id is kept so a refresh token works once (rotation) and `deleteSession` ends
//! exactly this session. The tokens themselves are signed by the agent and never stored.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::StoreError;

/// Part of migration 4.
pub(crate) const CREATE: &str = "
CREATE TABLE agent_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    key_id INTEGER NOT NULL REFERENCES agent_keys(id) ON DELETE CASCADE,
    refresh_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX agent_sessions_key ON agent_sessions(key_id);
";

/// One local session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSessionRow {
    /// Its random id (`sid` in its tokens).
    pub id: String,
    /// The key it was made with.
    pub key_id: i64,
    /// The id (`jti`) of its current refresh token.
    pub refresh_id: String,
    /// Made at (Unix seconds).
    pub created_at: i64,
    /// Ends at.
    pub expires_at: i64,
}

/// Stores a new local session.
pub fn insert(conn: &Connection, s: &LocalSessionRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO agent_sessions (id, key_id, refresh_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![s.id, s.key_id, s.refresh_id, s.created_at, s.expires_at],
    )?;
    Ok(())
}

/// The session with this id.
pub fn get(conn: &Connection, id: &str) -> Result<Option<LocalSessionRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, key_id, refresh_id, created_at, expires_at FROM agent_sessions WHERE id = ?1",
            [id],
            |r| {
                Ok(LocalSessionRow {
                    id: r.get(0)?,
                    key_id: r.get(1)?,
                    refresh_id: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Replaces the refresh token id if it is still `old` (one use per refresh token); returns
/// whether it was.
pub fn rotate(conn: &Connection, id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE agent_sessions SET refresh_id = ?3 WHERE id = ?1 AND refresh_id = ?2",
        params![id, old, new],
    )? == 1)
}

/// Ends a session; returns whether it existed.
pub fn delete(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM agent_sessions WHERE id = ?1", [id])? == 1)
}

/// Deletes sessions that ended before `now`.
pub fn delete_expired(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM agent_sessions WHERE expires_at < ?1", [now])?)
}
