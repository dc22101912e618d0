//! A test rig: `Accounts` with a memory keychain (whose failures tests can switch on), a
//! fixed clock and a request-counting HTTP client, in a temporary data directory.
#![allow(dead_code)]

use std::sync::Arc;

use skyport_accounts::{Accounts, Config, LoginRequest};
use skyport_keychain::MemoryKeychain;
use skyport_oauth::FixedClock;
use skyport_oauth::http::{HttpConfig, OutboundPolicy, ReqwestClient};
use skyport_tests::counting::CountingHttp;
use skyport_tests::mock::FakeAtproto;

pub struct Rig {
    pub accounts: Arc<Accounts>,
    pub keychain: Arc<MemoryKeychain>,
    pub clock: Arc<FixedClock>,
    pub http: Arc<CountingHttp>,
    config: Config,
    _home: tempfile::TempDir,
}

pub fn config(home: &std::path::Path, plc: &str, resolver: &str, client_id: Option<String>) -> Config {
    Config {
        home: home.to_path_buf(),
        client_id,
        declared_scope: skyport_accounts::DECLARED_SCOPE.into(),
        plc_url: Some(plc.into()),
        handle_resolver: Some(resolver.into()),
        development: true,
        extra_ca: None,
        strict_dpop_nonce: false,
        agent_port: None,
        lexicon_authority: None,
    }
}

pub fn rig_for(config_of: impl FnOnce(&std::path::Path) -> Config) -> Rig {
    rig_with_dns(config_of, None)
}

/// [`rig_for`], with `_lexicon` TXT records from `dns` instead of the system's DNS.
pub fn rig_with_dns(
    config_of: impl FnOnce(&std::path::Path) -> Config,
    dns: Option<Arc<dyn skyport_oauth::identity::TxtLookup>>,
) -> Rig {
    let home = tempfile::tempdir().unwrap();
    let keychain = Arc::new(MemoryKeychain::new());
    let clock = Arc::new(FixedClock::new(now()));
    let inner =
        Arc::new(ReqwestClient::new(HttpConfig::new(OutboundPolicy { allow_loopback: true })).unwrap());
    let http = CountingHttp::new(inner);
    let config = config_of(home.path());
    let mut builder =
        Accounts::builder(config.clone()).keychain(keychain.clone()).clock(clock.clone()).http(http.clone());
    if let Some(dns) = dns {
        builder = builder.dns(dns);
    }
    let accounts = builder.open().unwrap();
    Rig { accounts: Arc::new(accounts), keychain, clock, http, config, _home: home }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

pub async fn fake_login(rig: &Rig, fake: &FakeAtproto, who: &str) -> skyport_accounts::LoginCompleted {
    let started = rig
        .accounts
        .start_login(&LoginRequest { identifier: who.into(), scope: None, loopback_port: Some(4567) })
        .await
        .unwrap();
    let callback = fake.approve(&started.authorization_url);
    rig.accounts.complete_login(&callback).await.unwrap()
}

pub fn fake_rig(fake: &FakeAtproto) -> Rig {
    rig_for(|home| config(home, &fake.url(), &fake.url(), None))
}

impl Rig {
    /// Another account manager on the same store, keychain and clock: what a second process
    /// (the CLI next to the app) sees. It holds no secret in memory yet.
    pub fn another_process(&self) -> Accounts {
        Accounts::builder(self.config.clone())
            .keychain(self.keychain.clone())
            .clock(self.clock.clone())
            .http(self.http.clone())
            .open()
            .unwrap()
    }

    /// No account, no session secret and no pending secret is stored.
    pub fn assert_untouched(&self) {
        assert!(self.accounts.list().unwrap().is_empty(), "no account was added");
        let names = self.keychain.names();
        assert!(names.iter().all(|n| !n.contains(":session:")), "no session secret: {names:?}");
    }
}

/// Starts a login for `who` (a handle, DID or server URL).
pub async fn start(rig: &Rig, who: &str) -> skyport_accounts::LoginStarted {
    rig.accounts
        .start_login(&LoginRequest { identifier: who.into(), scope: None, loopback_port: Some(4567) })
        .await
        .unwrap()
}

/// Starts a login for `who` against `fake`, approves it, and completes it.
pub async fn try_login(
    rig: &Rig,
    fake: &FakeAtproto,
    who: &str,
) -> Result<skyport_accounts::LoginCompleted, skyport_accounts::Error> {
    let started = rig
        .accounts
        .start_login(&LoginRequest { identifier: who.into(), scope: None, loopback_port: Some(4567) })
        .await?;
    let callback = fake.approve(&started.authorization_url);
    rig.accounts.complete_login(&callback).await
}
