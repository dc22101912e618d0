//! The store against real SQLite files in a temporary directory.

use skyport_store::table::{accounts, journal, nonces, outcomes, pending};
use skyport_store::{Db, SCHEMA_VERSION, StoreError};

fn row(did: &str, now: i64) -> accounts::AccountRow {
    accounts::AccountRow {
        did: did.into(),
        handle: Some(format!("{}.test", &did[8..12])),
        display_name: None,
        has_avatar: false,
        pds_url: "https://pds.example.com".into(),
        issuer: "https://pds.example.com".into(),
        token_endpoint: "https://pds.example.com/oauth/token".into(),
        revocation_endpoint: Some("https://pds.example.com/oauth/revoke".into()),
        client_id: "http://localhost".into(),
        requested_scope: "atproto transition:generic".into(),
        granted_scope: "atproto transition:generic".into(),
        expires_at: now + 3600,
        session_started_at: now,
        session_generation: 1,
        last_refresh_at: None,
        last_refresh_result: None,
        state: accounts::SessionState::SignedIn,
        status_reason: None,
        active: false,
        position: 0,
        dpop_thumbprint: "thumb".into(),
        added_at: now,
        updated_at: now,
    }
}

#[test]
fn accounts_insert_update_switch_delete() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("s.db")).unwrap();
    db.write(|c| {
        assert!(!accounts::upsert_session(c, &row("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 100))?);
        assert!(!accounts::upsert_session(c, &row("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", 100))?);
        assert!(accounts::set_active(c, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")?);
        assert!(accounts::set_active(c, "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb")?);
        assert!(!accounts::set_active(c, "did:plc:cccccccccccccccccccccccc")?);
        Ok(())
    })
    .unwrap();
    let list = db.with(accounts::list).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|r| r.active).count(), 1, "exactly one active");
    assert!(list[1].active);
    // A known DID is updated in place: position and added_at kept, generation bumped.
    let mut again = row("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 500);
    again.granted_scope = "atproto".into();
    assert!(db.write(|c| accounts::upsert_session(c, &again)).unwrap());
    let a = db.with(|c| accounts::get(c, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")).unwrap().unwrap();
    assert_eq!(
        (a.position, a.added_at, a.session_generation, a.granted_scope.as_str()),
        (0, 100, 2, "atproto")
    );
    // Deleting the active account activates the first remaining one.
    let next = db.write(|c| accounts::delete(c, "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb")).unwrap();
    assert_eq!(next.as_deref(), Some("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"));
    assert!(db.with(|c| accounts::get(c, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")).unwrap().unwrap().active);
}

/// Rows carry whether an avatar exists, never its bytes; the bytes are read one account at a
/// time, and a new session for a known account keeps its profile.
#[test]
fn avatars_are_read_on_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("s.db")).unwrap();
    let did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
    db.write(|c| accounts::upsert_session(c, &row(did, 100))).unwrap();
    assert!(!db.with(|c| accounts::get(c, did)).unwrap().unwrap().has_avatar);
    assert_eq!(db.with(|c| accounts::avatar(c, did)).unwrap(), None);

    let image = vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3];
    db.write(|c| accounts::set_profile(c, did, Some("Alice"), Some((&image, "image/png")))).unwrap();
    let listed = db.with(accounts::list).unwrap();
    assert!(listed[0].has_avatar);
    assert_eq!(listed[0].display_name.as_deref(), Some("Alice"));
    assert_eq!(db.with(|c| accounts::avatar(c, did)).unwrap(), Some((image.clone(), "image/png".to_owned())));

    db.write(|c| accounts::upsert_session(c, &row(did, 200))).unwrap();
    assert_eq!(db.with(|c| accounts::avatar(c, did)).unwrap(), Some((image, "image/png".to_owned())));

    db.write(|c| accounts::set_profile(c, did, None, None)).unwrap();
    assert!(!db.with(|c| accounts::get(c, did)).unwrap().unwrap().has_avatar);
    assert_eq!(db.with(|c| accounts::avatar(c, did)).unwrap(), None);
}

#[test]
fn rotation_and_needs_sign_in() {
    let db = Db::open_in_memory().unwrap();
    db.write(|c| accounts::upsert_session(c, &row("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 100))).unwrap();
    db.write(|c| accounts::record_rotation(c, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 9999, "atproto", 200))
        .unwrap();
    let a = db.with(|c| accounts::get(c, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")).unwrap().unwrap();
    assert_eq!((a.expires_at, a.session_generation, a.last_refresh_result.as_deref()), (9999, 2, Some("ok")));
    db.write(|c| accounts::mark_needs_sign_in(c, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "invalid_grant", 300))
        .unwrap();
    let a = db.with(|c| accounts::get(c, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")).unwrap().unwrap();
    assert_eq!(a.state, accounts::SessionState::NeedsSignIn);
    assert_eq!(a.status_reason.as_deref(), Some("invalid_grant"));
}

#[test]
fn pending_logins_are_single_use_and_expire() {
    let db = Db::open_in_memory().unwrap();
    let p = pending::PendingRow {
        state: "s1".into(),
        expected_did: Some("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa".into()),
        record: "{}".into(),
        expires_at: 600,
    };
    db.write(|c| pending::insert(c, &p)).unwrap();
    db.write(|c| {
        pending::insert(c, &pending::PendingRow { state: "s2".into(), expires_at: 100, ..p.clone() })
    })
    .unwrap();
    assert_eq!(db.write(|c| pending::take(c, "s1")).unwrap(), Some(p));
    assert_eq!(db.write(|c| pending::take(c, "s1")).unwrap(), None, "single use");
    assert_eq!(db.write(|c| pending::sweep_expired(c, 100)).unwrap(), vec!["s2".to_owned()]);
    assert!(!db.with(|c| pending::exists(c, "s2")).unwrap());
}

#[test]
fn nonces_journal_and_outcomes() {
    let db = Db::open_in_memory().unwrap();
    db.write(|c| nonces::put(c, "jkt-a", "https://a", "n1", 1)).unwrap();
    db.write(|c| nonces::put(c, "jkt-a", "https://a", "n2", 2)).unwrap();
    assert_eq!(db.with(|c| nonces::get(c, "jkt-a", "https://a")).unwrap().as_deref(), Some("n2"));
    let id = db.write(|c| journal::begin(c, "did:x", 3, 42, 10)).unwrap();
    assert_eq!(db.with(|c| journal::open_entry(c, "did:x")).unwrap(), Some((id, 3, 10)));
    db.write(|c| journal::finish(c, id, "ok", 11)).unwrap();
    assert_eq!(db.with(|c| journal::open_entry(c, "did:x")).unwrap(), None);
    let o = outcomes::Outcome { did: Some("did:x".into()), error_code: None, error_message: None };
    db.write(|c| outcomes::record(c, "s", &o, 5)).unwrap();
    assert_eq!(db.with(|c| outcomes::get(c, "s")).unwrap(), Some(o));
}

#[test]
fn nonces_are_kept_per_session_and_origin() {
    let db = Db::open_in_memory().unwrap();
    db.write(|c| nonces::put(c, "jkt-alice", "https://as.example", "alice-as", 10)).unwrap();
    db.write(|c| nonces::put(c, "jkt-alice", "https://pds.example", "alice-pds", 10)).unwrap();
    db.write(|c| nonces::put(c, "jkt-bob", "https://as.example", "bob-as", 20)).unwrap();
    let get = |jkt: &str, origin: &str| db.with(|c| nonces::get(c, jkt, origin)).unwrap();
    assert_eq!(get("jkt-alice", "https://as.example").as_deref(), Some("alice-as"));
    assert_eq!(get("jkt-alice", "https://pds.example").as_deref(), Some("alice-pds"));
    assert_eq!(get("jkt-bob", "https://as.example").as_deref(), Some("bob-as"), "not alice's");
    assert_eq!(get("jkt-bob", "https://pds.example"), None, "bob never heard from the PDS");
    assert_eq!(get("jkt-carol", "https://as.example"), None);

    // Sign-out deletes one session's nonces and no other.
    assert_eq!(db.write(|c| nonces::delete_session(c, "jkt-alice")).unwrap(), 2);
    assert_eq!(get("jkt-alice", "https://as.example"), None);
    assert_eq!(get("jkt-bob", "https://as.example").as_deref(), Some("bob-as"));

    // Pruning drops rows last updated before the cut-off.
    db.write(|c| nonces::put(c, "jkt-alice", "https://as.example", "fresh", 30)).unwrap();
    assert_eq!(db.write(|c| nonces::prune(c, 25)).unwrap(), 1);
    assert_eq!(get("jkt-bob", "https://as.example"), None, "older than the cut-off");
    assert_eq!(get("jkt-alice", "https://as.example").as_deref(), Some("fresh"));
}

#[test]
fn schema_1_nonces_are_replaced_by_the_keyed_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Db::open(&path).unwrap());
    {
        // Turn the file back into schema 1 as far as nonces go: the shared table, one row.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE dpop_session_nonces;
             CREATE TABLE dpop_nonces (origin TEXT PRIMARY KEY NOT NULL, nonce TEXT NOT NULL,
                                       updated_at INTEGER NOT NULL);
             INSERT INTO dpop_nonces VALUES ('https://as.example', 'shared', 1);",
        )
        .unwrap();
        pending_logins_as_in_schema_2(&conn);
        without_agent_tables(&conn);
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let db = Db::open(&path).unwrap();
    let tables: Vec<String> = db
        .with(|c| {
            let mut stmt =
                c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'dpop%'")?;
            let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(names)
        })
        .unwrap();
    assert_eq!(tables, ["dpop_session_nonces"], "the shared table is gone");
    assert_eq!(db.with(|c| nonces::get(c, "any-jkt", "https://as.example")).unwrap(), None);
    let version: i64 = db.with(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

/// Removes what migration 4 added (the agent's keys, local sessions and audit log).
fn without_agent_tables(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "DROP TABLE lexicons; DROP TABLE notices; DROP TABLE agent_audit; DROP TABLE agent_sessions; DROP TABLE agent_keys;",
    )
    .unwrap();
}

/// Puts back the `pending_logins` table of schemas 1 and 2 (empty), as those versions made it.
fn pending_logins_as_in_schema_2(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "DROP TABLE pending_logins;
         CREATE TABLE pending_logins (
             state TEXT PRIMARY KEY NOT NULL,
             issuer TEXT NOT NULL,
             redirect_uri TEXT NOT NULL,
             requested_scope TEXT NOT NULL,
             expected_did TEXT,
             intent TEXT NOT NULL,
             record TEXT NOT NULL,
             created_at INTEGER NOT NULL,
             expires_at INTEGER NOT NULL
         );",
    )
    .unwrap();
}

/// A pending login's record as schema 2's Skyport stored it.
const SCHEMA_2_RECORD: &str = concat!(
    r#"{"state":"st-1","client_id":"http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=atproto","#,
    r#""redirect_uri":"http://127.0.0.1:51234/callback","issuer":"http://localhost:2583","#,
    r#""token_endpoint":"http://localhost:2583/oauth/token","revocation_endpoint":null,"#,
    r#""requested_scope":"atproto","login_hint":"alice.test","identity":null,"#,
    r#""created_at":1000,"expires_at":1600}"#
);

#[test]
fn schema_2_pending_logins_lose_their_write_only_columns_and_are_still_taken() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Db::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        pending_logins_as_in_schema_2(&conn);
        without_agent_tables(&conn);
        conn.execute(
            "INSERT INTO pending_logins (state, issuer, redirect_uri, requested_scope, expected_did, intent, \
             record, created_at, expires_at) VALUES ('st-1', 'http://localhost:2583', \
             'http://127.0.0.1:51234/callback', 'atproto', 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', 'reauth', ?1, \
             1000, 1600)",
            [SCHEMA_2_RECORD],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
    }
    let db = Db::open(&path).unwrap();
    let version: i64 = db.with(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
    assert_eq!((version, SCHEMA_VERSION), (6, 6));
    let columns: Vec<String> = db
        .with(|c| {
            let mut stmt = c.prepare("SELECT name FROM pragma_table_info('pending_logins') ORDER BY cid")?;
            let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(names)
        })
        .unwrap();
    assert_eq!(columns, ["state", "expected_did", "record", "expires_at"]);
    assert!(db.with(|c| pending::exists(c, "st-1")).unwrap());
    let taken = db.write(|c| pending::take(c, "st-1")).unwrap();
    assert_eq!(
        taken,
        Some(pending::PendingRow {
            state: "st-1".into(),
            expected_did: Some("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa".into()),
            record: SCHEMA_2_RECORD.into(),
            expires_at: 1600,
        })
    );
    assert_eq!(db.write(|c| pending::take(c, "st-1")).unwrap(), None, "still single use");
    assert!(db.integrity_ok().unwrap());
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Db::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    match Db::open(&path) {
        Err(StoreError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is not modified");
}

#[test]
fn two_handles_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let a = Db::open(&path).unwrap();
    let b = Db::open(&path).unwrap();
    assert_eq!(a.store_id(), b.store_id());
    a.write(|c| accounts::upsert_session(c, &row("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 1))).unwrap();
    assert_eq!(b.with(accounts::list).unwrap().len(), 1);
    assert!(b.integrity_ok().unwrap());
}

#[test]
fn the_agents_audit_log_keeps_its_retention_and_row_cap() {
    use skyport_store::table::agent_audit::{self, AuditRow};
    let db = Db::open_in_memory().unwrap();
    let row = |at_ms: i64| AuditRow {
        at_ms,
        key_name: Some("bot".into()),
        did: Some("did:plc:a".into()),
        nsid: "com.atproto.repo.getRecord".into(),
        method: "GET".into(),
        status: 200,
        outcome: "forwarded".into(),
        bytes_in: 0,
        bytes_out: 10,
        duration_ms: 3,
    };
    let rows: Vec<AuditRow> = (0..10).map(|i| row(1000 + i)).collect();
    db.write(|c| agent_audit::insert(c, &rows)).unwrap();
    // Older than 1003 goes (3 rows), then at most 5 of the rest stay.
    let gone = db.write(|c| agent_audit::prune(c, 1003, 5)).unwrap();
    assert_eq!(gone, 5);
    let left = db.with(|c| agent_audit::recent(c, None, 100)).unwrap();
    assert_eq!(left.iter().map(|r| r.at_ms).collect::<Vec<_>>(), [1009, 1008, 1007, 1006, 1005]);
    assert_eq!(db.with(|c| agent_audit::recent(c, Some("did:plc:other"), 100)).unwrap(), []);
}
