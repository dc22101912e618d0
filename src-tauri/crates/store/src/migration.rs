//! Append-only migrations, tracked by `PRAGMA user_version`.

use rusqlite::Connection;

use crate::StoreError;
use crate::table;

/// One migration: SQL batches applied once, in order, in one transaction. Never edit a
/// released one; add a new one.
type Migration = &'static [&'static str];

/// Every migration, oldest first.
const MIGRATIONS: &[Migration] = &[
    // 1: the initial schema.
    &[
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        table::accounts::CREATE,
        table::pending::CREATE_V1,
        table::nonces::CREATE_V1,
        table::journal::CREATE,
        table::outcomes::CREATE,
    ],
    // 2: DPoP nonces keyed by session (DPoP key thumbprint) and origin, not origin alone.
    &[table::nonces::MIGRATE_V2],
    // 3: the write-only columns of pending logins go (the JSON record has them all).
    &[table::pending::MIGRATE_V3],
    // 4: the agent's local keys, their local sessions and the audit log of its calls.
    &[table::agent_keys::CREATE, table::agent_sessions::CREATE, table::agent_audit::CREATE],
    // 5: which desktop notifications were sent (once per account, event and session).
    &[table::notices::CREATE],
    // 6: permission-set lexicons, read to show permissions in words.
    &[table::lexicons::CREATE],
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found, supported: SCHEMA_VERSION });
    }
    for (i, batches) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        for sql in *batches {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
