//! `lexicons`: permission-set lexicons read from their publishers, kept so that an account's
//! permissions can be shown in words offline and without asking the network each time. They
//! are public documents; the authorization server resolves them itself when it grants.

use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

/// Migration 6.
pub(crate) const CREATE: &str = "
CREATE TABLE lexicons (
    nsid TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
);
";

/// A stored lexicon document (JSON) and when it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLexicon {
    /// The lexicon's JSON.
    pub document: String,
    /// Unix seconds.
    pub fetched_at: i64,
}

/// The stored document for `nsid`.
pub fn get(conn: &Connection, nsid: &str) -> Result<Option<StoredLexicon>, StoreError> {
    Ok(conn
        .query_row("SELECT document, fetched_at FROM lexicons WHERE nsid = ?1", params![nsid], |r| {
            Ok(StoredLexicon { document: r.get(0)?, fetched_at: r.get(1)? })
        })
        .optional()?)
}

/// Stores (or replaces) the document for `nsid`.
pub fn put(conn: &Connection, nsid: &str, document: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO lexicons (nsid, document, fetched_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(nsid) DO UPDATE SET document = excluded.document, fetched_at = excluded.fetched_at",
        params![nsid, document, now],
    )?;
    Ok(())
}
