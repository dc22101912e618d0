//! `dpop_nonces`: the latest DPoP nonce per server origin, shared by every process.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::StoreError;

pub(crate) const CREATE: &str = "
CREATE TABLE dpop_nonces (
    origin TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
";

/// The latest nonce from `origin`.
pub fn get(conn: &Connection, origin: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT nonce FROM dpop_nonces WHERE origin = ?1", params![origin], |r| r.get(0))
        .optional()?)
}

/// Records a nonce.
pub fn put(conn: &Connection, origin: &str, nonce: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO dpop_nonces (origin, nonce, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT(origin) DO UPDATE SET nonce = excluded.nonce, updated_at = excluded.updated_at",
        params![origin, nonce, now],
    )?;
    Ok(())
}
