//! Connected apps: programs that act as an account through the Skyport agent, each with its
//! own key (the replacement for app passwords). This module keeps their keys (hashes only),
//! rules, local sessions and audit log; the agent crate serves HTTP and calls these.
//!
//! A key belongs to one account and never outlives its sign-out. A local session (the
//! agent's answer to `createSession`) belongs to one key and ends with it.

mod expiry;
mod key;
mod local_token;
mod rules;

use std::sync::{Arc, OnceLock};

use serde::Serialize;
use skyport_store::table::{accounts, agent_audit, agent_keys, agent_sessions};

pub use expiry::parse_lifetime;
pub use key::{AppKey, KEY_PREFIX, KeyHash};
pub use local_token::{ACCESS_SECS, Claims, SESSION_SECS, TokenKey, TokenProblem, TokenUse, looks_like_jwt};
pub use rules::{ACCOUNT_MANAGEMENT, AppRules, NsidPattern, PatternError, Refusal, is_account_management};
pub use skyport_store::table::agent_audit::AuditRow;

use crate::storage::Storage;
use crate::{Accounts, Error};

/// How long a `skyport run` key lives at most if its command never ends.
pub const RUN_KEY_SECS: i64 = 86_400;
/// How long audit rows are kept.
pub const AUDIT_RETENTION_MS: i64 = 30 * 86_400 * 1000;
/// How many audit rows are kept at most.
pub const AUDIT_MAX_ROWS: usize = 100_000;

/// What `skyport agent allow` and "Connect an app" ask for.
#[derive(Debug, Clone, Default)]
pub struct NewApp {
    /// A name for the program (unique).
    pub name: String,
    /// The account (DID, handle or `@handle`; the active one if `None`).
    pub account: Option<String>,
    /// Queries only.
    pub read_only: bool,
    /// NSID patterns; empty for every method but account management.
    pub allow: Vec<String>,
    /// A lifetime such as `30d`; `None` for no expiry.
    pub expires: Option<String>,
}

/// A connected app as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectedApp {
    /// Its name.
    pub name: String,
    /// The account's DID.
    pub did: String,
    /// The account's handle, if known.
    pub handle: Option<String>,
    /// Its rules.
    pub rules: AppRules,
    /// Its rules in plain words.
    pub rules_text: String,
    /// Made at (Unix seconds).
    pub created_at: i64,
    /// Stops working at, if ever.
    pub expires_at: Option<i64>,
    /// Whether it has expired.
    pub expired: bool,
    /// Last used at.
    pub last_used_at: Option<i64>,
    /// Calls made.
    pub calls: i64,
    /// A `skyport run` key.
    pub ephemeral: bool,
}

/// A new key: shown once, never stored.
#[derive(Debug)]
pub struct AppCreated {
    /// The app.
    pub app: ConnectedApp,
    /// The key.
    pub key: AppKey,
}

/// A program that proved who it is, and as which account it acts.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's row id.
    pub key_id: i64,
    /// The key's name.
    pub key_name: String,
    /// The account.
    pub did: String,
    /// The account's handle.
    pub handle: Option<String>,
    /// What the key may call.
    pub rules: AppRules,
    /// The local session, when the program came with a local token.
    pub session: Option<String>,
}

/// Why a program's credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No `Authorization` (or not `Bearer`).
    Missing,
    /// Not a key Skyport knows (never made, or revoked).
    BadKey,
    /// The key has expired (or its `skyport run` command ended).
    KeyExpired,
    /// A local token that is not ours, or for another use.
    BadToken,
    /// A local access token past its `exp`: refresh.
    TokenExpired,
    /// The local session ended (`deleteSession`, its refresh token already used, its key revoked).
    SessionEnded,
    /// `createSession` named another account than the key's.
    WrongAccount,
    /// Skyport's storage failed; the text says how.
    Unavailable(String),
}

impl Denied {
    /// A stable code (audit log).
    pub fn as_str(&self) -> &'static str {
        match self {
            Denied::Missing => "no_credentials",
            Denied::BadKey => "bad_key",
            Denied::KeyExpired => "key_expired",
            Denied::BadToken => "bad_token",
            Denied::TokenExpired => "token_expired",
            Denied::SessionEnded => "session_ended",
            Denied::WrongAccount => "wrong_account",
            Denied::Unavailable(_) => "unavailable",
        }
    }
}

impl From<skyport_store::StoreError> for Denied {
    fn from(e: skyport_store::StoreError) -> Self {
        Denied::Unavailable(e.to_string())
    }
}

/// A local session's tokens, as `createSession` and `refreshSession` answer them.
#[derive(Debug, Clone)]
pub struct LocalSession {
    /// The local access token.
    pub access_jwt: String,
    /// The local refresh token.
    pub refresh_jwt: String,
    /// The account.
    pub did: String,
    /// Its handle.
    pub handle: Option<String>,
}

/// One call in the audit log, for the activity list: never a body, a token or a key.
pub type Activity = AuditRow;

/// The agent's token key and what else the apps module keeps per process.
#[derive(Default)]
pub(crate) struct AppsState {
    token_key: OnceLock<Arc<TokenKey>>,
}

fn view(row: &agent_keys::KeyRow, handle: Option<String>, now: i64) -> Result<ConnectedApp, Error> {
    let rules: AppRules = serde_json::from_str(&row.rules)
        .map_err(|e| skyport_store::StoreError::Invalid(format!("rules of key {:?}: {e}", row.name)))?;
    Ok(ConnectedApp {
        name: row.name.clone(),
        did: row.did.clone(),
        handle,
        rules_text: rules.describe(),
        rules,
        created_at: row.created_at,
        expires_at: row.expires_at,
        expired: row.expires_at.is_some_and(|e| e <= now),
        last_used_at: row.last_used_at,
        calls: row.calls,
        ephemeral: row.ephemeral,
    })
}

fn valid_name(name: &str) -> Result<&str, Error> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.chars().all(|c| c.is_alphanumeric() || " -_.".contains(c));
    if ok {
        Ok(name)
    } else {
        Err(Error::InvalidInput(format!(
            "{:?} is not a usable app name: use 1 to 64 letters, digits, spaces, '-', '_' or '.'",
            name.chars().take(80).collect::<String>()
        )))
    }
}

fn handle_of(storage: &Storage, did: &str) -> Option<String> {
    storage.db.with(|c| accounts::get(c, did)).ok().flatten().and_then(|r| r.handle)
}

/// Whether a `skyport run` command is still running (Linux: its `/proc` entry exists).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") { std::path::Path::new(&format!("/proc/{pid}")).exists() } else { true }
}

impl Storage {
    fn insert_app(&self, new: &NewApp, ephemeral_pid: Option<u32>) -> Result<AppCreated, Error> {
        let name = valid_name(&new.name)?.to_owned();
        let allow = new
            .allow
            .iter()
            .map(|p| NsidPattern::parse(p).map_err(|e| Error::InvalidInput(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let now = self.now();
        let expires_at = match (&new.expires, ephemeral_pid) {
            (_, Some(_)) => Some(now + RUN_KEY_SECS),
            (Some(raw), None) => Some(now + parse_lifetime(raw).map_err(Error::InvalidInput)?),
            (None, None) => None,
        };
        let row = self.row(new.account.as_deref())?;
        let rules = AppRules { read_only: new.read_only, allow, run_pid: ephemeral_pid };
        let rules_json = serde_json::to_string(&rules).unwrap_or_default();
        let key = AppKey::generate().map_err(|_| Error::Store(skyport_store::StoreError::Random))?;
        let hash = key.hash();
        let id = self.db.write(|c| {
            if agent_keys::name_taken(c, &name)? {
                return Ok(None);
            }
            agent_keys::insert(
                c,
                &agent_keys::NewKey {
                    name: &name,
                    did: &row.did,
                    key_hash: &hash.0,
                    rules: &rules_json,
                    created_at: now,
                    expires_at,
                    ephemeral: ephemeral_pid.is_some(),
                },
            )
            .map(Some)
        })?;
        let Some(id) = id else {
            return Err(Error::InvalidInput(format!(
                "an app named {name:?} is already connected; pick another name or revoke it first (`skyport agent revoke {name:?}`)"
            )));
        };
        let stored =
            self.db.with(|c| agent_keys::by_id(c, id))?.ok_or_else(|| Error::UnknownApp(name.clone()))?;
        tracing::info!(app = %name, did = %row.did, read_only = rules.read_only, "connected an app");
        Ok(AppCreated { app: view(&stored, row.handle.clone(), now)?, key })
    }

    /// The key a program presented, checked against the store.
    fn caller_for_key(&self, presented: &str) -> Result<Caller, Denied> {
        let key = AppKey::parse(presented).ok_or(Denied::BadKey)?;
        let hash = key.hash();
        let row = self.db.with(|c| agent_keys::by_hash(c, &hash.0))?.ok_or(Denied::BadKey)?;
        if !hash.matches(&row.key_hash) {
            return Err(Denied::BadKey);
        }
        self.caller_of(row, None)
    }

    fn caller_of(&self, row: agent_keys::KeyRow, session: Option<String>) -> Result<Caller, Denied> {
        let now = self.now();
        if row.expires_at.is_some_and(|e| e <= now) {
            return Err(Denied::KeyExpired);
        }
        let rules: AppRules = serde_json::from_str(&row.rules).map_err(|_| Denied::BadKey)?;
        if let Some(pid) = rules.run_pid
            && !process_alive(pid)
        {
            // Its command ended without cleaning up (killed): the key goes now.
            let _ = self.db.write(|c| agent_keys::delete_id(c, row.id));
            return Err(Denied::KeyExpired);
        }
        Ok(Caller {
            key_id: row.id,
            key_name: row.name,
            handle: handle_of(self, &row.did),
            did: row.did,
            rules,
            session,
        })
    }

    fn caller_for_token(
        &self,
        key: &TokenKey,
        token: &str,
        want: TokenUse,
    ) -> Result<(Caller, Claims), Denied> {
        let claims = key.verify(token, want, self.now()).map_err(|p| match p {
            TokenProblem::Invalid => Denied::BadToken,
            TokenProblem::Expired => Denied::TokenExpired,
        })?;
        let session = self.db.with(|c| agent_sessions::get(c, &claims.sid))?.ok_or(Denied::SessionEnded)?;
        if want == TokenUse::Refresh && session.refresh_id != claims.jti {
            return Err(Denied::SessionEnded);
        }
        let row = self.db.with(|c| agent_keys::by_id(c, session.key_id))?.ok_or(Denied::SessionEnded)?;
        if row.did != claims.sub {
            return Err(Denied::BadToken);
        }
        let caller = self.caller_of(row, Some(session.id))?;
        Ok((caller, claims))
    }

    fn mint_session(
        &self,
        key: &TokenKey,
        caller: &Caller,
        sid: Option<&str>,
        old_jti: Option<&str>,
    ) -> Result<LocalSession, Denied> {
        let now = self.now();
        let random = || {
            random_id().map_err(|_| Denied::Unavailable("the system random number generator failed".into()))
        };
        let (access_jti, refresh_jti) = (random()?, random()?);
        let key_row = self.db.with(|c| agent_keys::by_id(c, caller.key_id))?.ok_or(Denied::SessionEnded)?;
        let session_end = key_row.expires_at.map_or(now + SESSION_SECS, |e| e.min(now + SESSION_SECS));
        let sid = match (sid, old_jti) {
            (Some(sid), Some(old)) => {
                if !self.db.write(|c| agent_sessions::rotate(c, sid, old, &refresh_jti))? {
                    return Err(Denied::SessionEnded);
                }
                sid.to_owned()
            }
            _ => {
                let sid = random()?;
                let row = agent_sessions::LocalSessionRow {
                    id: sid.clone(),
                    key_id: caller.key_id,
                    refresh_id: refresh_jti.clone(),
                    created_at: now,
                    expires_at: session_end,
                };
                self.db.write(|c| {
                    agent_sessions::delete_expired(c, now)?;
                    agent_sessions::insert(c, &row)
                })?;
                sid
            }
        };
        let claims = |scope, exp, jti: &str| Claims {
            iss: local_token::ISSUER.into(),
            sub: caller.did.clone(),
            iat: now,
            exp,
            scope,
            sid: sid.clone(),
            jti: jti.to_owned(),
        };
        Ok(LocalSession {
            access_jwt: key.mint(&claims(
                TokenUse::Access,
                (now + ACCESS_SECS).min(session_end),
                &access_jti,
            )),
            refresh_jwt: key.mint(&claims(TokenUse::Refresh, session_end, &refresh_jti)),
            did: caller.did.clone(),
            handle: caller.handle.clone(),
        })
    }
}

fn random_id() -> Result<String, getrandom::Error> {
    use base64::Engine as _;
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

impl Accounts {
    /// Connects an app: makes its key (returned once) with these rules, for this account.
    pub fn allow_app(&self, new: &NewApp) -> Result<AppCreated, Error> {
        self.storage().insert_app(new, None)
    }

    /// A key for `skyport run`: lives while process `pid` runs (at most a day), then goes.
    pub fn run_key(&self, account: Option<&str>, read_only: bool, pid: u32) -> Result<AppCreated, Error> {
        let suffix = random_id().map_err(|_| Error::Store(skyport_store::StoreError::Random))?;
        let new = NewApp {
            name: format!("run {pid} {}", &suffix[..6]),
            account: account.map(str::to_owned),
            read_only,
            allow: Vec::new(),
            expires: None,
        };
        self.storage().insert_app(&new, Some(pid))
    }

    /// Deletes a `skyport run` key when its command ends.
    pub fn end_run_key(&self, name: &str) -> Result<(), Error> {
        self.db.write(|c| agent_keys::delete_named(c, name))?;
        Ok(())
    }

    /// The connected apps, oldest first (one account's if `who` is given).
    pub fn apps(&self, who: Option<&str>) -> Result<Vec<ConnectedApp>, Error> {
        let storage = self.storage();
        let did = match who {
            Some(w) => Some(storage.row(Some(w))?.did),
            None => None,
        };
        let now = self.now();
        let rows = self.db.with(|c| agent_keys::list(c, did.as_deref()))?;
        rows.iter().map(|r| view(r, handle_of(&storage, &r.did), now)).collect()
    }

    /// Revokes an app's key: its next request is refused, and its local sessions end.
    pub fn revoke_app(&self, name: &str) -> Result<ConnectedApp, Error> {
        let row = self.db.write(|c| agent_keys::delete_named(c, name.trim()))?;
        let row = row.ok_or_else(|| Error::UnknownApp(name.trim().to_owned()))?;
        tracing::info!(app = %row.name, did = %row.did, "revoked an app's key");
        view(&row, handle_of(&self.storage(), &row.did), self.now())
    }

    /// The newest calls through the agent (one account's if `who` is given).
    pub fn activity(&self, who: Option<&str>, limit: usize) -> Result<Vec<Activity>, Error> {
        let did = match who {
            Some(w) => Some(self.storage().row(Some(w))?.did),
            None => None,
        };
        Ok(self.db.with(|c| agent_audit::recent(c, did.as_deref(), limit))?)
    }

    /// Checks a key a program presented (`Authorization: Bearer skp_…`).
    pub async fn authenticate_key(&self, presented: &str) -> Result<Caller, Denied> {
        let presented = zeroize::Zeroizing::new(presented.to_owned());
        self.off_thread(move |s| s.caller_for_key(&presented)).await
    }

    /// Checks a local token (access or refresh).
    pub async fn authenticate_token(&self, token: &str, want: TokenUse) -> Result<(Caller, Claims), Denied> {
        let key = self.token_key().await.map_err(|e| Denied::Unavailable(e.to_string()))?;
        let token = token.to_owned();
        self.off_thread(move |s| s.caller_for_token(&key, &token, want)).await
    }

    /// `createSession` with a key as the password: a new local session for the key's account,
    /// if `identifier` names that account (its DID or handle).
    pub async fn create_local_session(
        &self,
        identifier: &str,
        password: &str,
    ) -> Result<LocalSession, Denied> {
        let caller = self.authenticate_key(password).await?;
        let wanted = identifier.trim().trim_start_matches('@').to_ascii_lowercase();
        let matches = wanted == caller.did.to_ascii_lowercase()
            || caller.handle.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(&wanted));
        if !matches {
            return Err(Denied::WrongAccount);
        }
        let key = self.token_key().await.map_err(|e| Denied::Unavailable(e.to_string()))?;
        self.off_thread(move |s| s.mint_session(&key, &caller, None, None)).await
    }

    /// `refreshSession`: new tokens for the local session; the refresh token works once.
    pub async fn refresh_local_session(&self, refresh_jwt: &str) -> Result<LocalSession, Denied> {
        let key = self.token_key().await.map_err(|e| Denied::Unavailable(e.to_string()))?;
        let token = refresh_jwt.to_owned();
        self.off_thread(move |s| {
            let (caller, claims) = s.caller_for_token(&key, &token, TokenUse::Refresh)?;
            s.mint_session(&key, &caller, Some(&claims.sid), Some(&claims.jti))
        })
        .await
    }

    /// `deleteSession`: ends the local session (the account's OAuth session is untouched).
    pub async fn delete_local_session(&self, sid: &str) -> Result<bool, Denied> {
        let sid = sid.to_owned();
        self.off_thread(move |s| Ok(s.db.write(|c| agent_sessions::delete(c, &sid))?)).await
    }

    /// Appends calls to the audit log and counts them on their keys (one transaction).
    pub async fn record_calls(&self, rows: Vec<AuditRow>, uses: Vec<(i64, i64, i64)>) -> Result<(), Error> {
        self.off_thread(move |s| {
            Ok(s.db.write(|c| {
                agent_audit::insert(c, &rows)?;
                for (id, calls, at) in &uses {
                    agent_keys::record_use(c, *id, *calls, *at)?;
                }
                Ok(())
            })?)
        })
        .await
    }

    /// Drops audit rows past the retention (30 days, 100 000 rows) and dead `skyport run`
    /// keys; returns how many audit rows went.
    pub async fn prune_agent_state(&self) -> Result<usize, Error> {
        let now = self.now();
        self.off_thread(move |s| {
            Ok(s.db.write(|c| {
                agent_keys::delete_stale_ephemeral(c, now)?;
                agent_sessions::delete_expired(c, now)?;
                agent_audit::prune(c, now * 1000 - AUDIT_RETENTION_MS, AUDIT_MAX_ROWS)
            })?)
        })
        .await
    }

    /// The key local tokens are signed with: from the keychain, made on first use.
    async fn token_key(&self) -> Result<Arc<TokenKey>, Error> {
        if let Some(k) = self.apps.token_key.get() {
            return Ok(k.clone());
        }
        let key = self
            .off_thread(|s| -> Result<TokenKey, Error> {
                let vault = s.vault();
                let name = format!("{}:agent-token-key", s.db.store_id());
                if let Some(found) = vault.store.get(&name)? {
                    return TokenKey::from_bytes(found.expose())
                        .ok_or(Error::Keychain(skyport_keychain::KeychainError::Corrupt));
                }
                let key =
                    TokenKey::generate().map_err(|_| Error::Store(skyport_store::StoreError::Random))?;
                vault.store.put(&name, key.bytes())?;
                Ok(key)
            })
            .await?;
        Ok(self.apps.token_key.get_or_init(|| Arc::new(key)).clone())
    }
}
