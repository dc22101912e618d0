//! The local network harness against the real PLC directory and PDS.
//!
//! All tests share one network per process ([`Network::shared`]); each test that logs in
//! or changes state uses its own account or its own client-metadata path.
//!
//! Authorization requests are pushed by the OAuth core (`skyport_oauth`), the client the
//! app uses. The tests here are about the harness: its accounts, its approver, its client
//! host. The core's own flow against this network (refresh, revoke, server URL logins,
//! replayed codes, forged `iss`, …) is tested in `oauth_localnet.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};
use skyport_oauth::client::check_client_metadata;
use skyport_oauth::http::{HttpClient, HttpRequest, HttpResponse, ReqwestClient, SendError};
use skyport_oauth::{
    CallbackParams, ClientConfig, ClientMetadataOptions, LoginInput, LoginOptions, LoopbackListener,
    NetworkProfile, OAuthClient, PendingLogin, StartedLogin, XrpcRequest,
};
use skyport_tests::approve;
use skyport_tests::localnet::{self, Network, StartOptions};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type TestResult = Result<(), BoxError>;

/// The smallest scope a login can ask for.
const SCOPE: &str = "atproto";

async fn get_json(url: &str) -> Result<Value, BoxError> {
    let res = reqwest::get(url).await?;
    let status = res.status();
    let body = res.text().await?;
    if !status.is_success() {
        return Err(format!("GET {url}: {status}: {body}").into());
    }
    Ok(serde_json::from_str(&body)?)
}

fn alice(net: &Network) -> Result<&localnet::Account, BoxError> {
    net.account("alice.test").ok_or_else(|| "alice.test missing from the ready line".into())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// One DPoP-signed request the core sent, and the server's answer.
#[derive(Debug, Clone)]
struct DpopExchange {
    /// The URL path.
    path: String,
    /// The `nonce` claim of the request's DPoP proof.
    proof_nonce: Option<String>,
    /// The response status.
    status: u16,
    /// The response's OAuth `error` code, if its body carries one.
    error: Option<String>,
    /// The response's `DPoP-Nonce` header.
    nonce: Option<String>,
}

/// An [`HttpClient`] that logs every DPoP-signed request passing through it.
struct DpopLog {
    inner: ReqwestClient,
    log: Mutex<Vec<DpopExchange>>,
}

impl DpopLog {
    /// The exchanges so far with a URL path of `path`.
    fn to(&self, path: &str) -> Vec<DpopExchange> {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().filter(|x| x.path == path).cloned().collect()
    }
}

/// The claims of a DPoP proof JWT (`Null` if it does not decode).
fn proof_claims(jwt: &str) -> Value {
    jwt.split('.')
        .nth(1)
        .and_then(|claims| B64.decode(claims).ok())
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or(Value::Null)
}

#[async_trait]
impl HttpClient for DpopLog {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError> {
        let claims =
            request.headers.iter().find(|(name, _)| *name == "dpop").map(|(_, jwt)| proof_claims(jwt));
        let path = request.url.path().to_owned();
        let res = self.inner.send(request).await?;
        if let Some(claims) = claims {
            let body: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
            let exchange = DpopExchange {
                path,
                proof_nonce: claims["nonce"].as_str().map(str::to_owned),
                status: res.status,
                error: body["error"].as_str().map(str::to_owned),
                nonce: res.header("dpop-nonce").map(str::to_owned),
            };
            self.log.lock().unwrap_or_else(|e| e.into_inner()).push(exchange);
        }
        Ok(res)
    }
}

/// The development profile pointed at this network.
fn profile(net: &Network) -> Result<NetworkProfile, BoxError> {
    Ok(NetworkProfile::development()
        .with_plc_directory(net.plc_url())?
        .with_handle_resolver(net.handle_resolver())?)
}

/// The core's loopback development client asking for [`SCOPE`], with its DPoP requests
/// logged.
fn loopback_client(net: &Network) -> Result<(OAuthClient, Arc<DpopLog>), BoxError> {
    let profile = profile(net)?;
    let log = Arc::new(DpopLog { inner: ReqwestClient::new(profile.http.clone())?, log: Mutex::default() });
    let client = OAuthClient::builder(ClientConfig::loopback(SCOPE)?, profile).http(log.clone()).build()?;
    Ok((client, log))
}

/// A login for `handle` pushed to the PDS by the core. The listener holds the redirect
/// port; nothing is delivered to it (the approver returns the callback URL instead).
async fn start(client: &OAuthClient, handle: &str) -> Result<(StartedLogin, LoopbackListener), BoxError> {
    let listener = LoopbackListener::bind().await?;
    let options = LoginOptions { loopback_port: Some(listener.port()), ..Default::default() };
    let started = client.start_login(&LoginInput::parse(handle)?, &options).await?;
    Ok((started, listener))
}

/// The query parameters of a callback URL that must start with `redirect_uri?`.
fn callback_params(callback: &str, redirect_uri: &str) -> Result<HashMap<String, String>, BoxError> {
    let query = callback
        .strip_prefix(redirect_uri)
        .and_then(|rest| rest.strip_prefix('?'))
        .ok_or_else(|| format!("callback {callback} is not {redirect_uri}?..."))?;
    Ok(url::form_urlencoded::parse(query.as_bytes()).into_owned().collect())
}

#[tokio::test]
async fn resolve_handle_returns_the_did_from_the_ready_line() -> TestResult {
    let net = Network::shared();
    let alice = alice(net)?;
    let url = format!("{}/xrpc/com.atproto.identity.resolveHandle?handle=alice.test", net.handle_resolver());
    assert_eq!(get_json(&url).await?["did"], json!(alice.did));
    assert!(alice.did.starts_with("did:plc:"), "{}", alice.did);
    Ok(())
}

#[tokio::test]
async fn plc_document_names_the_handle_and_the_pds() -> TestResult {
    let net = Network::shared();
    let alice = alice(net)?;
    let doc = get_json(&format!("{}/{}", net.plc_url(), alice.did)).await?;
    assert_eq!(doc["id"], json!(alice.did));
    assert_eq!(doc["alsoKnownAs"], json!(["at://alice.test"]));
    let services = doc["service"].as_array().ok_or("no service array")?;
    let pds = services
        .iter()
        .find(|s| s["id"] == "#atproto_pds")
        .ok_or_else(|| format!("no #atproto_pds service in {doc}"))?;
    assert_eq!(pds["type"], "AtprotoPersonalDataServer");
    assert_eq!(pds["serviceEndpoint"], json!(net.pds_url()));
    Ok(())
}

#[tokio::test]
async fn pds_serves_protected_resource_and_authorization_server_metadata() -> TestResult {
    let net = Network::shared();
    let prm = get_json(&format!("{}/.well-known/oauth-protected-resource", net.pds_url())).await?;
    assert_eq!(prm["resource"], json!(net.pds_url()));
    assert_eq!(prm["authorization_servers"], json!([net.issuer()]));

    let issuer = net.issuer();
    let asm = get_json(&format!("{issuer}/.well-known/oauth-authorization-server")).await?;
    assert_eq!(asm["issuer"], json!(issuer));
    assert_eq!(asm["require_pushed_authorization_requests"], json!(true));
    assert_eq!(asm["client_id_metadata_document_supported"], json!(true));
    assert_eq!(asm["pushed_authorization_request_endpoint"], json!(format!("{issuer}/oauth/par")));
    assert_eq!(asm["token_endpoint"], json!(format!("{issuer}/oauth/token")));
    let algs =
        asm["dpop_signing_alg_values_supported"].as_array().ok_or("no dpop_signing_alg_values_supported")?;
    assert!(algs.contains(&json!("ES256")), "{algs:?}");
    let scopes = asm["scopes_supported"].as_array().ok_or("no scopes_supported")?;
    assert!(scopes.contains(&json!("atproto")), "{scopes:?}");
    Ok(())
}

#[tokio::test]
async fn client_host_serves_a_published_document_over_https() -> TestResult {
    let net = Network::shared();
    let host = net.client_host().ok_or("no client host")?;
    assert_eq!(host.host, localnet::DEFAULT_CLIENT_HOST);
    let path = format!("/meta/{}.json", localnet::unique_suffix());
    let doc = json!({ "client_id": format!("{}{path}", host.origin), "n": 1 });

    let url = net.publish_client_metadata(&path, &doc).await?;
    assert_eq!(url, format!("https://{}:{}{path}", host.host, host.port));

    let http = host.http_client()?;
    let res = http.get(&url).send().await?;
    assert_eq!(res.status(), 200);
    let content_type = res.headers().get("content-type").ok_or("no content-type")?;
    assert_eq!(content_type.to_str()?, "application/json");
    assert_eq!(res.json::<Value>().await?, doc);

    let missing = http.get(format!("{}/meta/none.json", host.origin)).send().await?;
    assert_eq!(missing.status(), 404);
    Ok(())
}

#[tokio::test]
async fn the_client_host_fits_the_cores_discoverable_client() -> TestResult {
    let net = Network::shared();
    let host = net.client_host().ok_or("no client host")?;
    let path = format!("/client-metadata/{}.json", localnet::unique_suffix());
    let client_id = format!("{}{path}", host.origin);
    // The harness's private-use scheme is the one the core derives for a client on its host.
    let config = ClientConfig::discoverable(&client_id, SCOPE, true)?;
    assert_eq!(config.redirect_uri(None)?.as_str(), format!("{}:/callback", localnet::DEFAULT_CLIENT_SCHEME));

    // The core's document, published at its client_id, comes back as a valid document
    // (the PDS fetching it during PAR is tested in oauth_localnet.rs).
    let doc = config.metadata_document(&ClientMetadataOptions::default())?;
    assert_eq!(net.publish_client_metadata(&path, &doc).await?, client_id);
    let served: Value = host.http_client()?.get(&client_id).send().await?.error_for_status()?.json().await?;
    assert_eq!(served, doc);
    check_client_metadata(&client_id, &served, true).map_err(|problems| problems.join("; "))?;
    Ok(())
}

#[tokio::test]
async fn create_account_makes_a_resolvable_account() -> TestResult {
    let net = Network::shared();
    let account = net.create_unique_account("carol").await?;
    assert!(account.handle.starts_with("carol") && account.handle.ends_with(".test"));
    let url = format!(
        "{}/xrpc/com.atproto.identity.resolveHandle?handle={}",
        net.handle_resolver(),
        account.handle
    );
    assert_eq!(get_json(&url).await?["did"], json!(account.did));

    let again = net.create_account(&account.handle, "other-pass").await;
    match again {
        Err(localnet::Error::Xrpc { status: 400, .. }) => Ok(()),
        other => Err(format!("duplicate handle: expected an XRPC 400, got {other:?}").into()),
    }
}

#[tokio::test]
async fn approve_signs_in_a_ready_line_account_without_a_person() -> TestResult {
    let net = Network::shared();
    let alice = alice(net)?;
    let (client, log) = loopback_client(net)?;
    let (started, listener) = start(&client, &alice.handle).await?;
    assert_eq!(started.pending.issuer.as_str(), net.issuer());
    // The registered redirect URI has no port, so the PDS takes any port at request time.
    assert_eq!(
        started.pending.redirect_uri.as_str(),
        format!("http://127.0.0.1:{}/callback", listener.port())
    );

    // The PDS requires DPoP nonces: the first PAR (no nonce yet) is challenged, and the
    // retry carries the nonce that came with the challenge.
    let par = log.to("/oauth/par");
    assert_eq!(par.len(), 2, "{par:?}");
    assert_eq!(par[0].proof_nonce, None, "{par:?}");
    assert_eq!((par[0].status, par[0].error.as_deref()), (400, Some("use_dpop_nonce")), "{par:?}");
    let nonce = par[0].nonce.as_deref().ok_or("no DPoP-Nonce with the challenge")?;
    assert_eq!(par[1].proof_nonce.as_deref(), Some(nonce), "{par:?}");
    assert_eq!(par[1].status, 201, "{par:?}");

    let callback =
        approve::approve(started.authorization_url.as_str(), &alice.handle, &alice.password).await?;

    let params = callback_params(&callback, started.pending.redirect_uri.as_str())?;
    assert_eq!(params.get("state"), Some(&started.pending.state));
    assert_eq!(params.get("iss").map(String::as_str), Some(net.issuer()));
    assert!(params.contains_key("code"), "{callback}");
    assert!(!params.contains_key("error"), "{callback}");

    // The code is real: it buys alice's tokens (the core takes only token_type DPoP and
    // checks sub), and the PDS accepts the access token with a proof from the same key.
    let authorized = started.pending.accept(CallbackParams::parse(&callback)?, now())?;
    let session = client.complete_login(started.pending, started.secrets, authorized).await?;
    assert_eq!(session.info.did.as_str(), alice.did);
    assert_eq!(session.info.granted_scope.as_str(), SCOPE);
    let me = client
        .xrpc(
            &session.info,
            &session.dpop_key,
            &session.tokens.access_token,
            &XrpcRequest::query("com.atproto.server.getSession"),
        )
        .await?;
    assert_eq!(me.body["did"], json!(alice.did));
    assert_eq!(me.body["handle"], json!(alice.handle));
    Ok(())
}

/// A denial's callback: `error=access_denied` with this login's `state` and the issuer, no
/// code; and the core refuses it as access_denied.
fn assert_denied(callback: &str, pending: &PendingLogin, issuer: &str) -> TestResult {
    let params = callback_params(callback, pending.redirect_uri.as_str())?;
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{callback}");
    assert_eq!(params.get("state"), Some(&pending.state), "{callback}");
    assert_eq!(params.get("iss").map(String::as_str), Some(issuer), "{callback}");
    assert!(!params.contains_key("code"), "{callback}");
    match pending.accept(CallbackParams::parse(callback)?, now()) {
        Err(err) if err.is_access_denied() => Ok(()),
        other => Err(format!("expected access_denied from the core, got {other:?}").into()),
    }
}

#[tokio::test]
async fn reject_and_cancel_return_access_denied_callbacks() -> TestResult {
    let net = Network::shared();
    let (client, _) = loopback_client(net)?;

    // "Deny access" on the consent screen, after signing in.
    let user = net.create_unique_account("rej").await?;
    let (started, _listener) = start(&client, &user.handle).await?;
    let callback = approve::reject(started.authorization_url.as_str(), &user.handle, &user.password).await?;
    assert_denied(&callback, &started.pending, net.issuer())?;

    // "Cancel" on the sign-in screen: no password needed.
    let (started, _listener) = start(&client, "bob.test").await?;
    let callback = approve::cancel(started.authorization_url.as_str()).await?;
    assert_denied(&callback, &started.pending, net.issuer())
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_sign_in_error() -> TestResult {
    let net = Network::shared();
    let (client, _) = loopback_client(net)?;
    let (started, _listener) = start(&client, "bob.test").await?;

    let err =
        match approve::approve(started.authorization_url.as_str(), "bob.test", "not-bobs-password").await {
            Ok(callback) => return Err(format!("approved with a wrong password: {callback}").into()),
            Err(err) => err,
        };
    assert!(err.is_sign_in_refused(), "{err:?}");
    assert_eq!(err.step(), Some(approve::Step::SignIn));
    let description = err.server_description().ok_or("no server message")?;
    assert!(!description.is_empty(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn an_unknown_request_is_a_typed_authorization_page_error() -> TestResult {
    let net = Network::shared();
    let mut url = url::Url::parse(&format!("{}/oauth/authorize", net.issuer()))?;
    url.query_pairs_mut()
        .append_pair("client_id", ClientConfig::loopback(SCOPE)?.client_id().as_str())
        .append_pair("request_uri", "urn:ietf:params:oauth:request_uri:req-00000000");

    let result = approve::approve(url.as_str(), "bob.test", "bob-pass").await;

    match result {
        Err(approve::Error::Server {
            step: approve::Step::AuthorizePage,
            status: 400,
            ref description,
            ..
        }) if !description.is_empty() => Ok(()),
        other => Err(format!("expected a 400 from the authorization page, got {other:?}").into()),
    }
}

#[test]
fn a_network_description_that_does_not_parse_is_an_error() -> TestResult {
    let path = std::env::temp_dir().join(format!("skyport-bad-net-{}.json", localnet::unique_suffix()));
    std::fs::write(&path, "{\"plcUrl\": 1}")?;
    let result = Network::from_file(&path);
    std::fs::remove_file(&path)?;
    match result {
        Err(localnet::Error::InvalidInfo { .. }) => Ok(()),
        other => Err(format!("expected InvalidInfo, got {other:?}").into()),
    }
}

#[test]
fn a_started_network_stops_when_dropped() -> TestResult {
    let opts = StartOptions {
        accounts: vec![("erin.test".into(), "erin-pass".into())],
        client_host: None,
        ..StartOptions::default()
    };
    let net = Network::start(&opts)?;
    assert_eq!(net.accounts().len(), 1);
    assert!(net.client_host().is_none());
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", net.pid()));
    assert!(proc_dir.exists(), "network process is not running");

    drop(net);
    // Reaped by Drop: the pid is gone at once (allow a moment for slow machines).
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while proc_dir.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!proc_dir.exists(), "network process still running after drop");
    Ok(())
}

#[test]
fn a_network_that_cannot_start_reports_its_stderr() -> TestResult {
    let opts = StartOptions {
        accounts: vec![("mallory.example".into(), "pw".into())],
        client_host: None,
        ..StartOptions::default()
    };
    match Network::start(&opts) {
        Err(localnet::Error::Exited { stderr, .. }) if stderr.contains("InvalidHandle") => Ok(()),
        Err(other) => Err(format!("expected Exited with the PDS's message, got {other}").into()),
        Ok(net) => Err(format!("started with a non-.test handle: {:?}", net.info()).into()),
    }
}
