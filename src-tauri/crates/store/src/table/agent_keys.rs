//! `agent_keys`: the local keys programs present to the Skyport agent.
//!
//! Only the SHA-256 of a key is stored, never the key: a key is 256 random bits, so a fast
//! hash is enough (nothing to brute-force), and a copy of the database lets no one in. A
//! key belongs to one account; signing out of the account deletes its keys (and, through
//! the foreign key, their local sessions).

use rusqlite::{Connection, OptionalExtension as _, Row, params};

use crate::StoreError;

/// Migration 4's tables: keys, their local sessions, and the audit log.
pub(crate) const CREATE: &str = "
CREATE TABLE agent_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    did TEXT NOT NULL REFERENCES accounts(did) ON DELETE CASCADE,
    key_hash BLOB NOT NULL UNIQUE,
    rules TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    last_used_at INTEGER,
    calls INTEGER NOT NULL DEFAULT 0,
    ephemeral INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX agent_keys_did ON agent_keys(did);
";

/// One key's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// The row id (local sessions name it).
    pub id: i64,
    /// The name the user gave it (unique).
    pub name: String,
    /// The account it acts as.
    pub did: String,
    /// SHA-256 of the key.
    pub key_hash: Vec<u8>,
    /// The rules as JSON (the agent crate owns the format).
    pub rules: String,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it stops working, if ever.
    pub expires_at: Option<i64>,
    /// When a program last used it.
    pub last_used_at: Option<i64>,
    /// How many calls it made.
    pub calls: i64,
    /// A key `skyport run` made for one command; deleted when the command ends.
    pub ephemeral: bool,
}

/// A new key, before it has an id.
#[derive(Debug, Clone)]
pub struct NewKey<'a> {
    /// Its name.
    pub name: &'a str,
    /// The account.
    pub did: &'a str,
    /// SHA-256 of the key.
    pub key_hash: &'a [u8],
    /// The rules as JSON.
    pub rules: &'a str,
    /// Now.
    pub created_at: i64,
    /// Expiry, if any.
    pub expires_at: Option<i64>,
    /// Made by `skyport run`.
    pub ephemeral: bool,
}

const COLUMNS: &str =
    "id, name, did, key_hash, rules, created_at, expires_at, last_used_at, calls, ephemeral";

fn from_row(r: &Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        id: r.get(0)?,
        name: r.get(1)?,
        did: r.get(2)?,
        key_hash: r.get(3)?,
        rules: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
        last_used_at: r.get(7)?,
        calls: r.get(8)?,
        ephemeral: r.get(9)?,
    })
}

/// Whether a key with this name exists.
pub fn name_taken(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT 1 FROM agent_keys WHERE name = ?1", [name], |_| Ok(())).optional()?.is_some())
}

/// Inserts a key; returns its id.
pub fn insert(conn: &Connection, key: &NewKey<'_>) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO agent_keys (name, did, key_hash, rules, created_at, expires_at, ephemeral) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![key.name, key.did, key.key_hash, key.rules, key.created_at, key.expires_at, key.ephemeral],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The key whose hash is `hash`.
pub fn by_hash(conn: &Connection, hash: &[u8]) -> Result<Option<KeyRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM agent_keys WHERE key_hash = ?1");
    Ok(conn.query_row(&sql, [hash], from_row).optional()?)
}

/// The key with this id.
pub fn by_id(conn: &Connection, id: i64) -> Result<Option<KeyRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM agent_keys WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], from_row).optional()?)
}

/// Every key, oldest first; only one account's if `did` is given.
pub fn list(conn: &Connection, did: Option<&str>) -> Result<Vec<KeyRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM agent_keys WHERE ?1 IS NULL OR did = ?1 ORDER BY created_at, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([did], from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Deletes the key named `name`; returns its row if there was one.
pub fn delete_named(conn: &Connection, name: &str) -> Result<Option<KeyRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM agent_keys WHERE name = ?1");
    let found = conn.query_row(&sql, [name], from_row).optional()?;
    if let Some(k) = &found {
        conn.execute("DELETE FROM agent_keys WHERE id = ?1", [k.id])?;
    }
    Ok(found)
}

/// Deletes the key with this id (a `skyport run` key when its command ends).
pub fn delete_id(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM agent_keys WHERE id = ?1", [id])? > 0)
}

/// Deletes every key of an account (sign-out); returns how many.
pub fn delete_for(conn: &Connection, did: &str) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM agent_keys WHERE did = ?1", [did])?)
}

/// Adds `calls` uses, the last at `at`.
pub fn record_use(conn: &Connection, id: i64, calls: i64, at: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE agent_keys SET calls = calls + ?2, last_used_at = MAX(COALESCE(last_used_at, 0), ?3) WHERE id = ?1",
        params![id, calls, at],
    )?;
    Ok(())
}

/// Deletes ephemeral keys made before `before` (their `skyport run` died without cleanup).
pub fn delete_stale_ephemeral(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM agent_keys WHERE ephemeral = 1 AND expires_at < ?1", [before])?)
}
