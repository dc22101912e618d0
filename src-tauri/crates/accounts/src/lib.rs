//! # skyport-accounts
//!
//! The account manager both the desktop app and the `skyport` command line call; neither
//! holds account logic of its own. It turns the OAuth core into sessions that are never
//! silently lost:
//!
//! * **Storage split.** Secrets (DPoP private keys, access and refresh tokens, PKCE
//!   verifiers) go to the OS keychain only; metadata (accounts, scopes, expiry, status,
//!   pending logins, DPoP nonces, the refresh journal) goes to SQLite. Nothing secret is in
//!   the database, the logs, or any value this crate serialises.
//! * **Logins** persist between start and callback, so another process (a cold start by a
//!   deep link, `skyport complete`) can finish them; they are single use and expire.
//! * **Refresh** runs once per account at a time across threads and processes, writes a
//!   journal entry before sending, and stores rotated tokens before using them.
//! * **Status** is one enum per account ([`AccountStatus`]) for badges and scripts.

mod api;
pub mod apps;
mod client_metadata;
mod config;
mod diagnostics;
mod error;
mod event;
mod links;
mod lock;
mod logging;
mod login;
mod login_handle;
mod nonces;
mod notices;
mod permission_sets;
mod profile;
mod reason;
mod refresh;
mod refresh_outcome;
mod row;
mod secrets;
mod sign_out;
mod storage;
mod view;
mod watch;

use std::sync::Arc;

use skyport_keychain::{KeychainError, OsKeychain, SecretStore};
use skyport_oauth::http::HttpClient;
use skyport_oauth::identity::{SystemDns, TxtLookup};
use skyport_oauth::lexicon::LexiconResolver;
use skyport_oauth::{Clock, OAuthClient, SystemClock};
use skyport_store::Db;
use skyport_store::table::{accounts, journal};
use tokio::sync::broadcast;

pub use client_metadata::{MetadataCheck, MetadataSource};
pub use config::{Config, DECLARED_SCOPE, DEFAULT_SCOPE};
pub use diagnostics::Doctor;
pub use error::{Error, ErrorCode};
pub use event::AccountEvent;
pub use links::LinkKind;
pub use logging::init_logging;
pub use login::LoginRequest;
pub use login_handle::{LOGIN_WAIT, LoginHandle};
pub use notices::{Notice, NoticeKind};
pub use reason::SignInReason;
pub use refresh_outcome::RefreshOutcome;
pub use skyport_oauth::http::{BodySource, ByteStream, Method, StreamResponse};
pub use skyport_oauth::scope::describe::{Level, PermissionGroup, ScopeItem, ScopeView};
pub use skyport_oauth::scope::is_nsid;
pub use skyport_oauth::{ForwardRequest, XrpcRequest, XrpcResponse};
pub use view::{
    AccountDetails, AccountStatus, AccountSummary, EXPIRING_SECS, HandleChanged, KeychainState,
    LoginCompleted, LoginIntent, LoginPreview, LoginStarted, PendingSummary, SignOutResult,
};

use crate::lock::AccountLocks;
use crate::nonces::StoredNonces;
use crate::secrets::{Recent, Vault};
use crate::view::StatusInputs;

/// The keychain service name Skyport's items are stored under.
pub const KEYCHAIN_SERVICE: &str = "skyport";

/// Describes scope strings without an account, in the words [`Accounts::scopes`] uses:
/// `granted` and `requested` as a session has them, `declared` as the client declares it
/// (the `did` of the view is empty). For tools that show a scope before any login.
pub fn describe_scope(granted: &str, requested: &str, declared: &str) -> ScopeView {
    skyport_oauth::scope::describe::describe("", granted, requested, declared)
}

/// The account manager.
pub struct Accounts {
    config: Config,
    db: Arc<Db>,
    keychain: Arc<dyn SecretStore>,
    oauth: OAuthClient,
    lexicons: LexiconResolver,
    clock: Arc<dyn Clock>,
    locks: AccountLocks,
    events: broadcast::Sender<AccountEvent>,
    recent: Arc<Recent>,
    apps: Arc<apps::AppsState>,
}

/// Builds [`Accounts`] with seams for tests (keychain, HTTP client, clock).
pub struct AccountsBuilder {
    config: Config,
    keychain: Option<Arc<dyn SecretStore>>,
    http: Option<Arc<dyn HttpClient>>,
    clock: Option<Arc<dyn Clock>>,
    dns: Option<Arc<dyn TxtLookup>>,
}

impl AccountsBuilder {
    /// Uses this DNS TXT source (for `_lexicon` records) instead of the system's.
    pub fn dns(mut self, dns: Arc<dyn TxtLookup>) -> Self {
        self.dns = Some(dns);
        self
    }

    /// Uses this secret store instead of the OS keychain.
    pub fn keychain(mut self, keychain: Arc<dyn SecretStore>) -> Self {
        self.keychain = Some(keychain);
        self
    }

    /// Uses this HTTP client (for example one that counts requests).
    pub fn http(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// Uses this clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Opens the data directory and the database, and builds the OAuth client.
    pub fn open(self) -> Result<Accounts, Error> {
        let config = self.config;
        let locks_dir = config.home.join("locks");
        std::fs::create_dir_all(&locks_dir)
            .map_err(|e| Error::Io { what: format!("create {}", locks_dir.display()), source: e })?;
        let db = Arc::new(Db::open(&config.database_path())?);
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let keychain = match self.keychain {
            Some(k) => k,
            None => Arc::new(OsKeychain::new(KEYCHAIN_SERVICE)),
        };
        let mut builder = OAuthClient::builder(config.client()?, config.profile()?)
            .clock(clock.clone())
            .nonces(Arc::new(StoredNonces::new(db.clone(), clock.clone())))
            .require_dpop_nonce(config.strict_dpop_nonce);
        if let Some(http) = self.http {
            builder = builder.http(http);
        }
        let oauth = builder.build()?;
        let dns = self.dns.unwrap_or_else(|| Arc::new(SystemDns::default()));
        let lexicons = match config.lexicon_authority()? {
            Some(did) => LexiconResolver::with_authority(oauth.http().clone(), dns, did),
            None => LexiconResolver::new(oauth.http().clone(), dns),
        };
        let (events, _) = broadcast::channel(256);
        let accounts = Accounts {
            locks: AccountLocks::new(locks_dir),
            config,
            db,
            keychain,
            oauth,
            lexicons,
            clock,
            events,
            recent: Arc::default(),
            apps: Arc::default(),
        };
        accounts.sweep()?;
        Ok(accounts)
    }
}

impl Accounts {
    /// Opens the store described by `config` with the OS keychain.
    pub fn open(config: Config) -> Result<Self, Error> {
        Self::builder(config).open()
    }

    /// A builder, for swapping the keychain, HTTP client or clock.
    pub fn builder(config: Config) -> AccountsBuilder {
        AccountsBuilder { config, keychain: None, http: None, clock: None, dns: None }
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The OAuth client (protocol core).
    pub fn oauth(&self) -> &OAuthClient {
        &self.oauth
    }

    /// The network profile's name (`production` or `development`), for banners.
    pub fn network_profile(&self) -> String {
        self.oauth.profile().to_string()
    }

    /// Server time minus local time, from the last `Date` header seen (clock-skew banner).
    pub fn clock_offset(&self) -> Option<i64> {
        self.oauth.clock_offset()
    }

    /// Whether logins come back through a loopback listener (no hosted client_id), rather
    /// than a custom-scheme link.
    pub fn uses_loopback(&self) -> bool {
        self.oauth.config().is_loopback()
    }

    /// The custom URI scheme callbacks arrive on (`dev.example.app`), for a hosted client_id.
    pub fn custom_scheme(&self) -> Option<&str> {
        self.oauth.config().custom_scheme()
    }

    /// Receives events (status changes, refresh results, login outcomes).
    pub fn subscribe(&self) -> broadcast::Receiver<AccountEvent> {
        self.events.subscribe()
    }

    /// Every account, from the database alone (works offline and with the keychain locked;
    /// the keychain is only probed to show its state).
    pub fn list(&self) -> Result<Vec<AccountSummary>, Error> {
        let rows = self.db.with(accounts::list)?;
        let keychain = if rows.is_empty() { KeychainState::Available } else { self.keychain_state() };
        Ok(self.summaries(&rows, keychain))
    }

    /// Every account and the keychain's state, with one keychain probe (the app's account
    /// list and its keychain banner).
    pub fn overview(&self) -> Result<(Vec<AccountSummary>, KeychainState), Error> {
        let rows = self.db.with(accounts::list)?;
        let keychain = self.keychain_state();
        Ok((self.summaries(&rows, keychain), keychain))
    }

    /// The logins waiting for their callback, started by this or any other process. A record
    /// that does not parse is left out (it cannot be completed either).
    pub fn pending_logins(&self) -> Result<Vec<PendingSummary>, Error> {
        let rows = self.db.with(|c| skyport_store::table::pending::waiting(c, self.clock.now()))?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let p: skyport_oauth::PendingLogin = serde_json::from_str(&row.record).ok()?;
                Some(PendingSummary {
                    server: crate::login::host_of(&p.issuer),
                    login_hint: p.login_hint.clone(),
                    expected_handle: p
                        .identity
                        .as_ref()
                        .and_then(|i| i.handle.as_ref())
                        .map(ToString::to_string),
                    expected_did: row.expected_did,
                    started_at: p.created_at,
                    expires_at: row.expires_at,
                    state: row.state,
                })
            })
            .collect())
    }

    fn summaries(&self, rows: &[accounts::AccountRow], keychain: KeychainState) -> Vec<AccountSummary> {
        let now = self.clock.now();
        rows.iter()
            .map(|row| {
                let refreshing = self.is_refreshing(&row.did);
                AccountSummary::new(row, &StatusInputs { now, keychain, refreshing })
            })
            .collect()
    }

    /// One account, by DID, handle or `@handle`; the active one if `who` is `None`.
    pub fn account(&self, who: Option<&str>) -> Result<AccountSummary, Error> {
        self.summary(who, self.keychain_state())
    }

    /// One account's summary when the keychain's state is already known (a keychain call
    /// just succeeded), so no probe is spent on it.
    fn summary(&self, who: Option<&str>, keychain: KeychainState) -> Result<AccountSummary, Error> {
        let row = self.row(who)?;
        let inputs =
            StatusInputs { now: self.clock.now(), keychain, refreshing: self.is_refreshing(&row.did) };
        Ok(AccountSummary::new(&row, &inputs))
    }

    /// The details screen of one account.
    pub fn details(&self, who: Option<&str>) -> Result<AccountDetails, Error> {
        let row = self.row(who)?;
        let inputs = StatusInputs {
            now: self.clock.now(),
            keychain: self.keychain_state(),
            refreshing: self.is_refreshing(&row.did),
        };
        Ok(AccountDetails {
            summary: AccountSummary::new(&row, &inputs),
            storage: format!("system keychain ({})", self.keychain.backend()),
            client_id: row.client_id.clone(),
            added_at: row.added_at,
        })
    }

    /// Makes an account the active one. Touches only SQLite: works offline and while the
    /// keychain is locked.
    pub fn switch(&self, who: &str) -> Result<AccountSummary, Error> {
        let did = self.row(Some(who))?.did;
        self.db.write(|c| accounts::set_active(c, &did))?;
        self.emit(AccountEvent::AccountsChanged);
        self.account(Some(&did))
    }

    /// Puts the accounts in this order (the list, the tray menu, keyboard switching). `order`
    /// names every account once, by DID or handle; anything else is refused and nothing
    /// changes.
    pub fn reorder(&self, order: &[String]) -> Result<Vec<AccountSummary>, Error> {
        let storage = self.storage();
        let dids =
            order.iter().map(|w| storage.row(Some(w)).map(|r| r.did)).collect::<Result<Vec<_>, _>>()?;
        let known = self.db.with(accounts::list)?;
        let mut given = dids.clone();
        given.sort();
        given.dedup();
        if given.len() != dids.len() || given.len() != known.len() {
            return Err(Error::InvalidInput(format!(
                "the new order must name each of the {} accounts exactly once (it named {} accounts, {} different)",
                known.len(),
                dids.len(),
                given.len()
            )));
        }
        self.db.write(|c| accounts::set_order(c, &dids))?;
        self.emit(AccountEvent::AccountsChanged);
        self.list()
    }

    /// Granted and requested scopes, described.
    ///
    /// Permission sets are described from what is stored, without asking the network; see
    /// [`scopes_checked`](Self::scopes_checked).
    pub fn scopes(&self, who: Option<&str>) -> Result<ScopeView, Error> {
        let row = self.row(who)?;
        let declared = self.config.declared_scope.as_str();
        let sets = self.sets_from_store(&[&row.granted_scope, &row.requested_scope, declared])?;
        Ok(skyport_oauth::scope::describe::describe_with(
            &row.did,
            &row.granted_scope,
            &row.requested_scope,
            declared,
            &sets,
        ))
    }

    /// The account's avatar as a `data:` URL (the UI loads no remote content).
    pub fn avatar_data_url(&self, who: &str) -> Result<Option<String>, Error> {
        use base64::Engine as _;
        let did = self.row(Some(who))?.did;
        Ok(self.db.with(|c| accounts::avatar(c, &did))?.map(|(bytes, mime)| {
            format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
        }))
    }

    /// How the keychain answers right now.
    pub fn keychain_state(&self) -> KeychainState {
        self.storage().keychain_state()
    }

    fn row(&self, who: Option<&str>) -> Result<accounts::AccountRow, Error> {
        self.storage().row(who)
    }

    /// [`row`](Self::row), off the async threads.
    async fn row_off_thread(&self, who: Option<&str>) -> Result<accounts::AccountRow, Error> {
        let who = who.map(str::to_owned);
        self.off_thread(move |s| s.row(who.as_deref())).await
    }

    fn vault(&self) -> Vault<'_> {
        Vault { store: self.keychain.as_ref(), store_id: self.db.store_id(), recent: &self.recent }
    }

    fn is_refreshing(&self, did: &str) -> bool {
        matches!(self.db.with(|c| journal::open_entry(c, did)), Ok(Some(_))) && self.locks.is_held(did)
    }

    fn emit(&self, event: AccountEvent) {
        // No receiver is fine.
        let _ = self.events.send(event);
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Removes expired pending logins and their keychain items, and old journal rows.
    fn sweep(&self) -> Result<(), Error> {
        let now = self.now();
        let expired = self.db.write(|c| {
            let states = skyport_store::table::pending::sweep_expired(c, now)?;
            for s in &states {
                let outcome = skyport_store::table::outcomes::Outcome {
                    did: None,
                    error_code: Some(ErrorCode::LoginExpired.as_str().into()),
                    error_message: Some("That sign-in link expired; start again.".into()),
                };
                skyport_store::table::outcomes::record(c, s, &outcome, now)?;
            }
            skyport_store::table::outcomes::prune(c, now - 24 * 3600)?;
            skyport_store::table::nonces::prune(c, now - 24 * 3600)?;
            journal::prune(c, now - 30 * 24 * 3600)?;
            Ok(states)
        })?;
        for state in expired {
            // A locked keychain keeps the item until next time; never an error here.
            let _: Result<bool, KeychainError> = self.vault().delete_pending(&state);
        }
        Ok(())
    }
}
