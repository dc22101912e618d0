//! `meta`: key/value facts about the store itself.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::StoreError;

/// The store's random id, created on first use.
pub(crate) fn store_id(conn: &Connection) -> Result<String, StoreError> {
    if let Some(id) = get(conn, "store_id")? {
        return Ok(id);
    }
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|_| StoreError::Random)?;
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?1)", params![id])?;
    // Another process may have won the race; read back what is stored.
    get(conn, "store_id")?.ok_or_else(|| StoreError::Invalid("store_id missing".into()))
}

/// A meta value.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| r.get(0)).optional()?)
}

/// Sets a meta value.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
