//! What Skyport keeps in the OS keychain, read back by tests so they can prove those secrets
//! appear nowhere else (SQLite, its WAL, logs, JSON output, IPC payloads).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use skyport_keychain::{OsKeychain, SecretStore};

/// The keychain service Skyport uses.
const SERVICE: &str = "skyport";

fn store_id(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open the database");
    conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0)).expect("store id")
}

fn item(name: &str) -> Option<Value> {
    let secret = OsKeychain::new(SERVICE).get(name).expect("keychain read")?;
    Some(serde_json::from_slice(secret.expose()).expect("keychain item is JSON"))
}

/// The strings of a session item: access token, refresh token, DPoP key (base64url), and
/// the raw key bytes as a latin-1 string for byte searches.
pub fn session(db: &Path, did: &str) -> Option<Vec<String>> {
    let blob = item(&format!("{}:session:{did}", store_id(db)))?;
    let mut out: Vec<String> = ["access_token", "refresh_token", "dpop_key"]
        .iter()
        .map(|k| blob[*k].as_str().unwrap_or_default().to_owned())
        .collect();
    out.extend(raw_key(blob["dpop_key"].as_str()));
    Some(out)
}

/// The secrets of every login waiting in this store: PKCE verifiers and DPoP keys.
pub fn pending(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("open the database");
    let mut stmt = conn.prepare("SELECT state FROM pending_logins").expect("query");
    let states: Vec<String> = stmt.query_map([], |r| r.get(0)).expect("rows").flatten().collect();
    let id = store_id(db);
    let mut out = Vec::new();
    for state in states {
        if let Some(blob) = item(&format!("{id}:pending:{state}")) {
            out.push(blob["verifier"].as_str().unwrap_or_default().to_owned());
            out.push(blob["dpop_key"].as_str().unwrap_or_default().to_owned());
            out.extend(raw_key(blob["dpop_key"].as_str()));
        }
    }
    out
}

fn raw_key(b64: Option<&str>) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(b64?).ok()?;
    Some(bytes.iter().map(|b| char::from(*b)).collect())
}

/// The authorization code of a callback URL.
pub fn callback_code(callback: &str) -> Option<String> {
    url::Url::parse(callback).ok()?.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned())
}

/// Every file under `dir` (the SQLite file, its WAL and shared memory, logs, …).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Panics if any secret occurs in `haystack` (bytes; latin-1 secrets match raw bytes).
pub fn assert_absent(what: &str, haystack: &[u8], secrets: &[String]) {
    for secret in secrets.iter().filter(|s| s.chars().count() >= 16) {
        let needle: Vec<u8> = if secret.is_ascii() {
            secret.as_bytes().to_vec()
        } else {
            secret.chars().map(|c| c as u32 as u8).collect()
        };
        if let Some(at) = haystack.windows(needle.len()).position(|w| w == needle.as_slice()) {
            let from = at.saturating_sub(120);
            let to = (at + needle.len() + 40).min(haystack.len());
            let context = String::from_utf8_lossy(&haystack[from..to]).replace(secret.as_str(), "<SECRET>");
            panic!("{what} contains a secret: …{context}…");
        }
    }
}

/// Checks every file under `dir`.
pub fn assert_absent_in_dir(dir: &Path, secrets: &[String]) {
    for f in files(dir) {
        assert_absent(&f.display().to_string(), &std::fs::read(&f).unwrap_or_default(), secrets);
    }
}
