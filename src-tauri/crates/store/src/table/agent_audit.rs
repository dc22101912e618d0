//! `agent_audit`: one row per call a program made through the agent. Never a body, a token
//! or a key: when, which key and account, which method, the answer's status, the bytes each
//! way and how long it took. Retention is bounded ([`prune`]).

use rusqlite::{Connection, params};

use crate::StoreError;

/// Part of migration 4.
pub(crate) const CREATE: &str = "
CREATE TABLE agent_audit (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    key_name TEXT,
    did TEXT,
    nsid TEXT NOT NULL,
    method TEXT NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    bytes_in INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX agent_audit_did_at ON agent_audit(did, at_ms);
CREATE INDEX agent_audit_at ON agent_audit(at_ms);
";

/// One call (serialised as the activity list shows it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    /// When the call arrived (Unix milliseconds).
    pub at_ms: i64,
    /// The key's name, if a valid key was presented.
    pub key_name: Option<String>,
    /// The account, if known.
    pub did: Option<String>,
    /// The method (`-` when the path named none).
    pub nsid: String,
    /// `GET` or `POST` (other methods are refused).
    pub method: String,
    /// The status the program got.
    pub status: u16,
    /// What happened: `forwarded`, `local` or the refusal's code.
    pub outcome: String,
    /// Request body bytes.
    pub bytes_in: u64,
    /// Response body bytes.
    pub bytes_out: u64,
    /// Time to the response's end.
    pub duration_ms: u64,
}

/// Appends rows (one transaction for a batch).
pub fn insert(conn: &Connection, rows: &[AuditRow]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO agent_audit (at_ms, key_name, did, nsid, method, status, outcome, bytes_in, bytes_out, duration_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for r in rows {
        stmt.execute(params![
            r.at_ms,
            r.key_name,
            r.did,
            r.nsid,
            r.method,
            r.status,
            r.outcome,
            r.bytes_in as i64,
            r.bytes_out as i64,
            r.duration_ms as i64
        ])?;
    }
    Ok(())
}

/// The newest `limit` calls, newest first; one account's if `did` is given.
pub fn recent(conn: &Connection, did: Option<&str>, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT at_ms, key_name, did, nsid, method, status, outcome, bytes_in, bytes_out, duration_ms \
         FROM agent_audit WHERE ?1 IS NULL OR did = ?1 ORDER BY at_ms DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![did, limit as i64], |r| {
            Ok(AuditRow {
                at_ms: r.get(0)?,
                key_name: r.get(1)?,
                did: r.get(2)?,
                nsid: r.get(3)?,
                method: r.get(4)?,
                status: r.get(5)?,
                outcome: r.get(6)?,
                bytes_in: r.get::<_, i64>(7)? as u64,
                bytes_out: r.get::<_, i64>(8)? as u64,
                duration_ms: r.get::<_, i64>(9)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Keeps calls newer than `older_than_ms` and at most `keep` rows; returns how many went.
pub fn prune(conn: &Connection, older_than_ms: i64, keep: usize) -> Result<usize, StoreError> {
    let old = conn.execute("DELETE FROM agent_audit WHERE at_ms < ?1", [older_than_ms])?;
    let over = conn.execute(
        "DELETE FROM agent_audit WHERE id <= (SELECT id FROM agent_audit ORDER BY id DESC LIMIT 1 OFFSET ?1)",
        [keep as i64],
    )?;
    Ok(old + over)
}

/// How many rows there are.
pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM agent_audit", [], |r| r.get(0))?)
}
