//! `accounts`: one row per DID: identity, servers, scopes, expiry, status, order.

use rusqlite::{Connection, OptionalExtension as _, Row, params};

use crate::StoreError;

pub(crate) const CREATE: &str = "
CREATE TABLE accounts (
    did TEXT PRIMARY KEY NOT NULL,
    handle TEXT,
    display_name TEXT,
    avatar BLOB,
    avatar_mime TEXT,
    pds_url TEXT NOT NULL,
    issuer TEXT NOT NULL,
    token_endpoint TEXT NOT NULL,
    revocation_endpoint TEXT,
    client_id TEXT NOT NULL,
    requested_scope TEXT NOT NULL,
    granted_scope TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    session_started_at INTEGER NOT NULL,
    session_generation INTEGER NOT NULL DEFAULT 1,
    last_refresh_at INTEGER,
    last_refresh_result TEXT,
    status TEXT NOT NULL DEFAULT 'signed_in',
    status_reason TEXT,
    active INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    dpop_thumbprint TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_one_active ON accounts(active) WHERE active = 1;
CREATE INDEX accounts_handle ON accounts(handle);
";

/// Whether the stored session can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Tokens are in the keychain.
    SignedIn,
    /// The session is over (invalid_grant, lost key, two-week limit); the row is kept so
    /// the user can sign in again.
    NeedsSignIn,
}

impl SessionState {
    fn as_str(self) -> &'static str {
        match self {
            SessionState::SignedIn => "signed_in",
            SessionState::NeedsSignIn => "needs_sign_in",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "signed_in" => Ok(SessionState::SignedIn),
            "needs_sign_in" => Ok(SessionState::NeedsSignIn),
            other => Err(StoreError::Invalid(format!("unknown account status {other:?}"))),
        }
    }
}

/// One account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// The DID (key).
    pub did: String,
    /// The verified handle, if any.
    pub handle: Option<String>,
    /// From the profile record.
    pub display_name: Option<String>,
    /// Whether an avatar image is stored (written by [`set_profile`], read by [`avatar`]; rows
    /// never carry the bytes, so listing many accounts stays cheap). Ignored on insert.
    pub has_avatar: bool,
    /// The PDS origin.
    pub pds_url: String,
    /// The authorization server issuer.
    pub issuer: String,
    /// Token endpoint.
    pub token_endpoint: String,
    /// Revocation endpoint.
    pub revocation_endpoint: Option<String>,
    /// The client_id the session belongs to.
    pub client_id: String,
    /// Scope asked for.
    pub requested_scope: String,
    /// Scope granted.
    pub granted_scope: String,
    /// Access-token expiry (epoch seconds).
    pub expires_at: i64,
    /// When this session began (two-week public-client limit).
    pub session_started_at: i64,
    /// Incremented on every token rotation (lets another process see a refresh happened).
    pub session_generation: i64,
    /// When the last refresh finished.
    pub last_refresh_at: Option<i64>,
    /// How the last refresh ended: a refresh outcome code (`ok`, `network`, ...; the account
    /// manager's `RefreshOutcome`).
    pub last_refresh_result: Option<String>,
    /// Session state.
    pub state: SessionState,
    /// Why sign-in is needed (a stable code).
    pub status_reason: Option<String>,
    /// The active account.
    pub active: bool,
    /// Display order.
    pub position: i64,
    /// RFC 7638 thumbprint of the session's DPoP key.
    pub dpop_thumbprint: String,
    /// When the account was first added.
    pub added_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// The columns a row is read from (the avatar as a flag, not its bytes).
const COLUMNS: &str = "did, handle, display_name, avatar IS NOT NULL, pds_url, issuer, token_endpoint, \
    revocation_endpoint, client_id, requested_scope, granted_scope, expires_at, session_started_at, \
    session_generation, last_refresh_at, last_refresh_result, status, status_reason, active, position, \
    dpop_thumbprint, added_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(AccountRow, String)> {
    Ok((
        AccountRow {
            did: r.get(0)?,
            handle: r.get(1)?,
            display_name: r.get(2)?,
            has_avatar: r.get(3)?,
            pds_url: r.get(4)?,
            issuer: r.get(5)?,
            token_endpoint: r.get(6)?,
            revocation_endpoint: r.get(7)?,
            client_id: r.get(8)?,
            requested_scope: r.get(9)?,
            granted_scope: r.get(10)?,
            expires_at: r.get(11)?,
            session_started_at: r.get(12)?,
            session_generation: r.get(13)?,
            last_refresh_at: r.get(14)?,
            last_refresh_result: r.get(15)?,
            state: SessionState::SignedIn,
            status_reason: r.get(17)?,
            active: r.get(18)?,
            position: r.get(19)?,
            dpop_thumbprint: r.get(20)?,
            added_at: r.get(21)?,
            updated_at: r.get(22)?,
        },
        r.get::<_, String>(16)?,
    ))
}

fn finish((mut row, state): (AccountRow, String)) -> Result<AccountRow, StoreError> {
    row.state = SessionState::parse(&state)?;
    Ok(row)
}

/// Every account, in display order.
pub fn list(conn: &Connection) -> Result<Vec<AccountRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM accounts ORDER BY position, added_at"))?;
    let rows = stmt.query_map([], from_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(finish).collect()
}

/// One account by DID.
pub fn get(conn: &Connection, did: &str) -> Result<Option<AccountRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE did = ?1"))?;
    stmt.query_row(params![did], from_row).optional()?.map(finish).transpose()
}

/// Inserts a new account or replaces the session of a known one (keeping its position,
/// profile and added time). Returns whether the account was already known.
pub fn upsert_session(conn: &Connection, row: &AccountRow) -> Result<bool, StoreError> {
    let known = get(conn, &row.did)?.is_some();
    if known {
        conn.execute(
            "UPDATE accounts SET handle = ?2, pds_url = ?3, issuer = ?4, token_endpoint = ?5, \
             revocation_endpoint = ?6, client_id = ?7, requested_scope = ?8, granted_scope = ?9, \
             expires_at = ?10, session_started_at = ?11, session_generation = session_generation + 1, \
             last_refresh_at = NULL, last_refresh_result = NULL, status = 'signed_in', status_reason = NULL, \
             dpop_thumbprint = ?12, updated_at = ?13 WHERE did = ?1",
            params![
                row.did,
                row.handle,
                row.pds_url,
                row.issuer,
                row.token_endpoint,
                row.revocation_endpoint,
                row.client_id,
                row.requested_scope,
                row.granted_scope,
                row.expires_at,
                row.session_started_at,
                row.dpop_thumbprint,
                row.updated_at
            ],
        )?;
    } else {
        let position: i64 =
            conn.query_row("SELECT COALESCE(MAX(position), -1) + 1 FROM accounts", [], |r| r.get(0))?;
        conn.execute(
            "INSERT INTO accounts (did, handle, display_name, pds_url, issuer, token_endpoint, \
             revocation_endpoint, client_id, requested_scope, granted_scope, expires_at, session_started_at, \
             session_generation, last_refresh_at, last_refresh_result, status, status_reason, active, position, \
             dpop_thumbprint, added_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \
             ?12, ?13, ?14, ?15, ?16, ?17, 0, ?18, ?19, ?20, ?21)",
            params![
                row.did,
                row.handle,
                row.display_name,
                row.pds_url,
                row.issuer,
                row.token_endpoint,
                row.revocation_endpoint,
                row.client_id,
                row.requested_scope,
                row.granted_scope,
                row.expires_at,
                row.session_started_at,
                row.session_generation,
                row.last_refresh_at,
                row.last_refresh_result,
                row.state.as_str(),
                row.status_reason,
                position,
                row.dpop_thumbprint,
                row.added_at,
                row.updated_at
            ],
        )?;
    }
    Ok(known)
}

/// Makes `did` the one active account. Returns false if there is no such account.
pub fn set_active(conn: &Connection, did: &str) -> Result<bool, StoreError> {
    if get(conn, did)?.is_none() {
        return Ok(false);
    }
    conn.execute("UPDATE accounts SET active = 0 WHERE active = 1 AND did != ?1", params![did])?;
    conn.execute("UPDATE accounts SET active = 1 WHERE did = ?1", params![did])?;
    Ok(true)
}

/// Puts the accounts in this order (position = index). The caller passes every DID once.
pub fn set_order(conn: &Connection, dids: &[String]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached("UPDATE accounts SET position = ?2 WHERE did = ?1")?;
    for (i, did) in dids.iter().enumerate() {
        stmt.execute(params![did, i as i64])?;
    }
    Ok(())
}

/// Records a token rotation: new expiry and scope, next generation, refresh succeeded.
pub fn record_rotation(
    conn: &Connection,
    did: &str,
    expires_at: i64,
    granted_scope: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE accounts SET expires_at = ?2, granted_scope = ?3, session_generation = session_generation + 1, \
         last_refresh_at = ?4, last_refresh_result = 'ok', status = 'signed_in', status_reason = NULL, \
         updated_at = ?4 WHERE did = ?1",
        params![did, expires_at, granted_scope, now],
    )?;
    Ok(())
}

/// Records a failed refresh that keeps the session (network trouble, server error).
pub fn record_refresh_failure(conn: &Connection, did: &str, code: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE accounts SET last_refresh_at = ?3, last_refresh_result = ?2, updated_at = ?3 WHERE did = ?1",
        params![did, code, now],
    )?;
    Ok(())
}

/// Marks the session over; `reason` is a stable code (`invalid_grant`, `refresh_interrupted`,
/// `key_missing`, `session_limit`).
pub fn mark_needs_sign_in(conn: &Connection, did: &str, reason: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE accounts SET status = 'needs_sign_in', status_reason = ?2, last_refresh_result = \
         COALESCE(last_refresh_result, ?2), updated_at = ?3 WHERE did = ?1",
        params![did, reason, now],
    )?;
    Ok(())
}

/// The stored avatar: its bytes and MIME type.
pub fn avatar(conn: &Connection, did: &str) -> Result<Option<(Vec<u8>, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT avatar, COALESCE(avatar_mime, 'image/jpeg') FROM accounts WHERE did = ?1 AND avatar IS NOT NULL",
    )?;
    Ok(stmt.query_row(params![did], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// Stores the profile (display name and avatar bytes).
pub fn set_profile(
    conn: &Connection,
    did: &str,
    display_name: Option<&str>,
    avatar: Option<(&[u8], &str)>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE accounts SET display_name = ?2, avatar = ?3, avatar_mime = ?4 WHERE did = ?1",
        params![did, display_name, avatar.map(|a| a.0), avatar.map(|a| a.1)],
    )?;
    Ok(())
}

/// Deletes an account; if it was active, the first remaining account becomes active.
/// Returns the new active DID, if any.
pub fn delete(conn: &Connection, did: &str) -> Result<Option<String>, StoreError> {
    let was_active = get(conn, did)?.is_some_and(|r| r.active);
    conn.execute("DELETE FROM accounts WHERE did = ?1", params![did])?;
    let next: Option<String> = if was_active {
        conn.query_row("SELECT did FROM accounts ORDER BY position, added_at LIMIT 1", [], |r| r.get(0))
            .optional()?
    } else {
        None
    };
    if let Some(next) = &next {
        set_active(conn, next)?;
    }
    Ok(next)
}
