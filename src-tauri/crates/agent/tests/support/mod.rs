//! A rig: the account manager (memory keychain, a clock tests can move, a request-counting
//! HTTP client) signed in to real accounts on the local atproto network, and an agent on
//! `127.0.0.1:<any port>` over it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use skyport_accounts::apps::NewApp;
use skyport_accounts::{Accounts, Config, LoginRequest};
use skyport_agent::{Agent, AgentConfig};
use skyport_keychain::{MemoryKeychain, SecretStore as _};
use skyport_oauth::FixedClock;
use skyport_oauth::http::{HttpConfig, OutboundPolicy, ReqwestClient};
use skyport_tests::counting::CountingHttp;
use skyport_tests::localnet::{Account, Network, unique_suffix};

pub struct Rig {
    pub accounts: Arc<Accounts>,
    pub keychain: Arc<MemoryKeychain>,
    pub clock: Arc<FixedClock>,
    pub http: Arc<CountingHttp>,
    pub agent: Agent,
    pub url: String,
    pub home: tempfile::TempDir,
    pub config: Config,
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Limits small enough to test: 2 MiB bodies (1 MiB in memory), a 1 s head timeout.
pub fn test_limits() -> AgentConfig {
    AgentConfig {
        port: 0,
        max_body: 2 * 1024 * 1024,
        memory_body: 256 * 1024,
        head_timeout: Duration::from_secs(1),
        body_idle_timeout: Duration::from_secs(2),
        ..AgentConfig::default()
    }
}

/// The account manager for a fresh data directory, with a hosted client_id on the network.
pub async fn accounts(
    net: &Network,
) -> (Arc<Accounts>, Arc<MemoryKeychain>, Arc<FixedClock>, Arc<CountingHttp>, tempfile::TempDir, Config) {
    let host = net.client_host().expect("the network serves client metadata");
    let path = format!("/agent-{}.json", unique_suffix());
    let client_id = format!("{}{path}", host.origin);
    let doc = skyport_oauth::ClientConfig::discoverable(&client_id, skyport_accounts::DECLARED_SCOPE, true)
        .unwrap()
        .metadata_document(&Default::default())
        .unwrap();
    net.publish_client_metadata(&path, &doc).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let config = Config {
        home: home.path().to_path_buf(),
        client_id: Some(client_id),
        declared_scope: skyport_accounts::DECLARED_SCOPE.into(),
        plc_url: Some(net.plc_url().into()),
        handle_resolver: Some(net.handle_resolver().into()),
        development: true,
        extra_ca: None,
        strict_dpop_nonce: false,
        agent_port: None,
        lexicon_authority: None,
    };
    let keychain = Arc::new(MemoryKeychain::new());
    let clock = Arc::new(FixedClock::new(now()));
    let inner =
        Arc::new(ReqwestClient::new(HttpConfig::new(OutboundPolicy { allow_loopback: true })).unwrap());
    let http = CountingHttp::new(inner);
    let accounts = Accounts::builder(config.clone())
        .keychain(keychain.clone())
        .clock(clock.clone())
        .http(http.clone())
        .open()
        .unwrap();
    (Arc::new(accounts), keychain, clock, http, home, config)
}

impl Rig {
    /// A rig signed in to `n` new accounts, with the agent running.
    pub async fn start(n: usize) -> (Rig, Vec<Account>) {
        Self::start_with(n, test_limits()).await
    }

    pub async fn start_with(n: usize, limits: AgentConfig) -> (Rig, Vec<Account>) {
        let net = Network::shared();
        let (accounts, keychain, clock, http, home, config) = accounts(net).await;
        let mut who = Vec::new();
        for i in 0..n {
            let account = net.create_unique_account(&format!("ag{i}")).await.unwrap();
            login(&accounts, &account).await;
            who.push(account);
        }
        http.reset();
        let agent = Agent::start(accounts.clone(), limits).await.unwrap();
        let url = agent.url();
        (Rig { accounts, keychain, clock, http, agent, url, home, config }, who)
    }

    /// Connects an app for `account` with these rules and returns its key.
    pub fn allow(
        &self,
        name: &str,
        account: &Account,
        read_only: bool,
        allow: &[&str],
        expires: Option<&str>,
    ) -> String {
        let created = self
            .accounts
            .allow_app(&NewApp {
                name: name.into(),
                account: Some(account.did.clone()),
                read_only,
                allow: allow.iter().map(|s| s.to_string()).collect(),
                expires: expires.map(str::to_owned),
            })
            .unwrap();
        created.key.expose().to_owned()
    }

    /// Requests Skyport sent to the PDS whose path ends with `suffix`.
    pub fn pds_calls(&self, suffix: &str) -> usize {
        self.http.count(suffix)
    }

    /// The OAuth secrets of an account's session: access token, refresh token, DPoP key.
    pub fn oauth_secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for name in self.keychain.names() {
            if let Ok(Some(secret)) = self.keychain.get(&name)
                && let Ok(v) = serde_json::from_slice::<serde_json::Value>(secret.expose())
            {
                for k in ["access_token", "refresh_token", "dpop_key"] {
                    if let Some(s) = v[k].as_str() {
                        out.push(s.to_owned());
                    }
                }
            }
        }
        out
    }

    /// A client for the agent (no proxy, no pooling surprises).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    /// Changes the store behind the account manager's back (what time passing would do,
    /// without moving the clock DPoP proofs are dated by).
    pub fn sql(&self, statement: &str, params: impl rusqlite::Params) {
        let conn = rusqlite::Connection::open(self.config.database_path()).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(conn.execute(statement, params).unwrap(), 1, "{statement}");
    }

    /// A query with a bearer credential: the status and the JSON answer.
    pub async fn get(&self, nsid: &str, bearer: &str) -> (u16, serde_json::Value) {
        answer(self.client().get(self.xrpc(nsid)).bearer_auth(bearer)).await
    }

    /// A procedure with a JSON body and, if given, a bearer credential.
    pub async fn post(
        &self,
        nsid: &str,
        bearer: Option<&str>,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let mut request = self.client().post(self.xrpc(nsid)).json(body);
        if let Some(b) = bearer {
            request = request.bearer_auth(b);
        }
        answer(request).await
    }

    pub fn xrpc(&self, nsid: &str) -> String {
        format!("{}/xrpc/{nsid}", self.url)
    }
}

/// Signs `account` in through the PDS's own OAuth pages.
pub async fn login(accounts: &Arc<Accounts>, account: &Account) {
    let started = accounts
        .start_login(&LoginRequest { identifier: account.handle.clone(), scope: None, loopback_port: None })
        .await
        .unwrap();
    let callback =
        skyport_tests::approve::approve(&started.authorization_url, &account.handle, &account.password)
            .await
            .unwrap();
    accounts.complete_login(&callback).await.unwrap();
}

/// Sends a request: its status and JSON answer (`Null` if none).
pub async fn answer(request: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}
