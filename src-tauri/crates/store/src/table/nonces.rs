//! `dpop_session_nonces`: the latest DPoP nonce per session and server origin.
//!
//! A session is named by its DPoP key's RFC 7638 thumbprint (`jkt`): one key per session
//! and per pending login, and a login's key becomes its session's key, so a nonce learned
//! during PAR and the token request carries over. Keying by origin alone (schema 1's
//! `dpop_nonces`) shared nonces between accounts and let a server link the accounts of one
//! computer (the atproto OAuth spec, "Demonstrating Proof of Possession (DPoP)", has clients
//! track nonces per account session and per server). Nonces are not
//! secret; they are only an optimisation (one `use_dpop_nonce` round trip saved), so losing
//! them is harmless.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::StoreError;

/// Schema 1's table, keyed by origin only. Migration 1 still creates it (migrations are
/// append-only) and migration 2 drops it.
pub(crate) const CREATE_V1: &str = "
CREATE TABLE dpop_nonces (
    origin TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
";

/// Migration 2: the table keyed by session (DPoP key thumbprint) and origin, replacing
/// schema 1's shared one. Its nonces are dropped, not copied: they cannot be attributed to
/// a session, and copying them to every session would keep them linkable.
pub(crate) const MIGRATE_V2: &str = "
CREATE TABLE dpop_session_nonces (
    jkt TEXT NOT NULL,
    origin TEXT NOT NULL,
    nonce TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (jkt, origin)
);
CREATE INDEX dpop_session_nonces_updated_at ON dpop_session_nonces (updated_at);
DROP TABLE dpop_nonces;
";

/// The latest nonce `origin` gave the session whose DPoP key has thumbprint `jkt`.
pub fn get(conn: &Connection, jkt: &str, origin: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT nonce FROM dpop_session_nonces WHERE jkt = ?1 AND origin = ?2",
            params![jkt, origin],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records a nonce `origin` gave the session with thumbprint `jkt`.
pub fn put(conn: &Connection, jkt: &str, origin: &str, nonce: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO dpop_session_nonces (jkt, origin, nonce, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(jkt, origin) DO UPDATE SET nonce = excluded.nonce, updated_at = excluded.updated_at",
        params![jkt, origin, nonce, now],
    )?;
    Ok(())
}

/// Deletes every nonce of the session with thumbprint `jkt` (sign-out, discarded login).
/// Returns how many rows went.
pub fn delete_session(conn: &Connection, jkt: &str) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM dpop_session_nonces WHERE jkt = ?1", params![jkt])?)
}

/// Deletes nonces last updated before `before` (seconds since the epoch). Servers rotate
/// nonces within minutes, so a day-old one is useless; this also clears the rows of
/// sessions that ended without [`delete_session`]. Returns how many rows went.
pub fn prune(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM dpop_session_nonces WHERE updated_at < ?1", params![before])?)
}
