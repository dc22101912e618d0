//! `notices`: which desktop notifications were sent, so each is sent once per account, per
//! event and per session (a new sign-in starts a new session and re-arms them).

use rusqlite::{Connection, params};

use crate::StoreError;

/// Migration 5.
pub(crate) const CREATE: &str = "
CREATE TABLE notices (
    did TEXT NOT NULL REFERENCES accounts(did) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    session_started_at INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (did, kind, session_started_at)
);
";

/// Records that the notice was sent; `false` if it already had been.
pub fn claim(
    conn: &Connection,
    did: &str,
    kind: &str,
    session_started_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO notices (did, kind, session_started_at, sent_at) VALUES (?1, ?2, ?3, ?4)",
        params![did, kind, session_started_at, now],
    )? == 1)
}
