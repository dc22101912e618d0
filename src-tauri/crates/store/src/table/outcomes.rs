//! `login_outcomes`: how a login ended, so a process waiting for a custom-scheme callback
//! learns the result when another process (the deep-link handler, `skyport complete`)
//! finished it.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::StoreError;

pub(crate) const CREATE: &str = "
CREATE TABLE login_outcomes (
    state TEXT PRIMARY KEY NOT NULL,
    did TEXT,
    error_code TEXT,
    error_message TEXT,
    finished_at INTEGER NOT NULL
);
";

/// How a login ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The account signed in, on success.
    pub did: Option<String>,
    /// A stable error code, on failure.
    pub error_code: Option<String>,
    /// A message for people, on failure.
    pub error_message: Option<String>,
}

/// Records an outcome.
pub fn record(conn: &Connection, state: &str, outcome: &Outcome, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO login_outcomes (state, did, error_code, error_message, finished_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![state, outcome.did, outcome.error_code, outcome.error_message, now],
    )?;
    Ok(())
}

/// The outcome of `state`, if it ended.
pub fn get(conn: &Connection, state: &str) -> Result<Option<Outcome>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT did, error_code, error_message FROM login_outcomes WHERE state = ?1",
            params![state],
            |r| Ok(Outcome { did: r.get(0)?, error_code: r.get(1)?, error_message: r.get(2)? }),
        )
        .optional()?)
}

/// Deletes outcomes older than `before`.
pub fn prune(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM login_outcomes WHERE finished_at < ?1", params![before])?)
}
