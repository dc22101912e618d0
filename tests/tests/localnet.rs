//! The local network harness against the real PLC directory and PDS.
//!
//! All tests share one network per process ([`Network::shared`]); each test that logs in
//! or changes state uses its own account or its own client-metadata path.

#[path = "localnet/par.rs"]
mod par;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use skyport_tests::approve;
use skyport_tests::localnet::{self, Network, StartOptions};

use par::{AsMetadata, BoxError, Dpop};

type TestResult = Result<(), BoxError>;

/// The loopback client_id from the atproto profile: no port in the registered redirect
/// URI, so any port is accepted at request time.
const LOOPBACK_CLIENT_ID: &str =
    "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=atproto";

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

/// `http://127.0.0.1:PORT/callback` with a port that was free a moment ago.
fn loopback_redirect_uri() -> Result<String, BoxError> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    Ok(format!("http://127.0.0.1:{port}/callback"))
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
async fn approve_returns_a_callback_with_code_state_and_iss() -> TestResult {
    let net = Network::shared();
    let alice = alice(net)?;
    let meta = AsMetadata::fetch(net.issuer()).await?;
    assert_eq!(meta.issuer, net.issuer());
    let mut dpop = Dpop::generate()?;
    let redirect_uri = loopback_redirect_uri()?;
    let pending = par::push(&meta, &mut dpop, LOOPBACK_CLIENT_ID, &redirect_uri, &alice.handle).await?;

    let callback = approve::approve(&pending.authorize_url, &alice.handle, &alice.password).await?;

    let params = callback_params(&callback, &redirect_uri)?;
    assert_eq!(params.get("state"), Some(&pending.state));
    assert_eq!(params.get("iss").map(String::as_str), Some(net.issuer()));
    let code = params.get("code").ok_or("no code in the callback")?;
    assert!(!params.contains_key("error"), "{callback}");

    // The code is real: it buys a DPoP-bound token for alice.
    let token = par::exchange(&meta, &mut dpop, &pending, code).await?;
    assert_eq!(token["sub"], json!(alice.did));
    assert_eq!(token["token_type"], "DPoP");
    assert_eq!(token["scope"], "atproto");
    Ok(())
}

#[tokio::test]
async fn reject_returns_a_callback_with_access_denied() -> TestResult {
    let net = Network::shared();
    let user = net.create_unique_account("rej").await?;
    let meta = AsMetadata::fetch(net.issuer()).await?;
    let mut dpop = Dpop::generate()?;
    let redirect_uri = loopback_redirect_uri()?;
    let pending = par::push(&meta, &mut dpop, LOOPBACK_CLIENT_ID, &redirect_uri, &user.handle).await?;

    let callback = approve::reject(&pending.authorize_url, &user.handle, &user.password).await?;

    let params = callback_params(&callback, &redirect_uri)?;
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(params.get("state"), Some(&pending.state));
    assert_eq!(params.get("iss").map(String::as_str), Some(net.issuer()));
    assert!(!params.contains_key("code"), "{callback}");
    Ok(())
}

#[tokio::test]
async fn cancel_without_signing_in_also_denies() -> TestResult {
    let net = Network::shared();
    let meta = AsMetadata::fetch(net.issuer()).await?;
    let mut dpop = Dpop::generate()?;
    let redirect_uri = loopback_redirect_uri()?;
    let pending = par::push(&meta, &mut dpop, LOOPBACK_CLIENT_ID, &redirect_uri, "bob.test").await?;

    let callback = approve::cancel(&pending.authorize_url).await?;

    let params = callback_params(&callback, &redirect_uri)?;
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(params.get("state"), Some(&pending.state));
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_sign_in_error() -> TestResult {
    let net = Network::shared();
    let meta = AsMetadata::fetch(net.issuer()).await?;
    let mut dpop = Dpop::generate()?;
    let redirect_uri = loopback_redirect_uri()?;
    let pending = par::push(&meta, &mut dpop, LOOPBACK_CLIENT_ID, &redirect_uri, "bob.test").await?;

    let err = match approve::approve(&pending.authorize_url, "bob.test", "not-bobs-password").await {
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
        .append_pair("client_id", LOOPBACK_CLIENT_ID)
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

#[tokio::test]
async fn a_discoverable_native_client_with_a_custom_scheme_is_approved() -> TestResult {
    let net = Network::shared();
    let host = net.client_host().ok_or("no client host")?;
    let user = net.create_unique_account("dana").await?;
    let path = format!("/client-metadata/{}.json", localnet::unique_suffix());
    let client_id = format!("{}{path}", host.origin);
    let redirect_uri = format!("{}:/callback", localnet::DEFAULT_CLIENT_SCHEME);
    let doc = json!({
        "client_id": client_id,
        "client_name": "Skyport tests",
        "application_type": "native",
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "atproto",
        "token_endpoint_auth_method": "none",
        "dpop_bound_access_tokens": true,
    });
    assert_eq!(net.publish_client_metadata(&path, &doc).await?, client_id);

    let meta = AsMetadata::fetch(net.issuer()).await?;
    let mut dpop = Dpop::generate()?;
    // The PDS fetches the document from the HTTPS host here, trusting our CA.
    let pending = par::push(&meta, &mut dpop, &client_id, &redirect_uri, &user.handle).await?;
    let callback = approve::approve(&pending.authorize_url, &user.handle, &user.password).await?;

    let params = callback_params(&callback, &redirect_uri)?;
    assert_eq!(params.get("state"), Some(&pending.state));
    let code = params.get("code").ok_or("no code in the callback")?;
    let token = par::exchange(&meta, &mut dpop, &pending, code).await?;
    assert_eq!(token["sub"], json!(user.did));
    Ok(())
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
