//! Skyport's side of the login benchmark: one process (`skyport-bench skyport-flow`), the
//! product's account manager (`skyport_accounts::Accounts`) with the real OS keychain and
//! SQLite in a fresh data directory, and the product's HTTP client, each wrapped only to put
//! its calls on a [`Timeline`].
//!
//! Each login: `preview` (resolve) → `start_login` (PAR, then the pending login stored) →
//! approval by the runner → `complete_login` (token + identity check, then the session
//! stored, then the profile record read) → `api getSession` ×2 → `refresh` →
//! `api getSession` → `sign_out` (revoke).
//!
//! A measured call is split by its timeline: the wire part (first request sent → last
//! response read) is protocol; keychain calls and the rest (SQLite, locks) are storage.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use skyport_accounts::{Accounts, Config, KEYCHAIN_SERVICE, LoginRequest, XrpcRequest};
use skyport_keychain::{OsKeychain, SecretStore};
use skyport_oauth::http::{HttpClient, ReqwestClient};
use skyport_tests::counting::CountingHttp;
use skyport_tests::localnet::Network;

use crate::flows::{LoginResult, ProcessResult};
use crate::ipc;
use crate::stats::ms;
use crate::timeline::{Event, Kind, Span, TimedHttp, TimedKeychain, Timeline};

/// The loopback redirect port Skyport's logins name (nothing listens: the runner hands the
/// callback URL over directly, as `skyport complete` would).
pub const LOOPBACK_PORT: u16 = 1234;

/// The configuration Skyport gets on the local network: the development profile (plain
/// http to loopback), the local PLC and handle resolver, the loopback client.
pub fn config(home: &Path, net: &Network) -> Result<Config, String> {
    let (plc, resolver) = (net.plc_url().to_owned(), net.handle_resolver().to_owned());
    Config::load(home, move |k| match k {
        "SKYPORT_DEV" => Some("1".to_owned()),
        "SKYPORT_PLC_URL" => Some(plc.clone()),
        "SKYPORT_HANDLE_RESOLVER" => Some(resolver.clone()),
        _ => None,
    })
    .map_err(|e| e.to_string())
}

/// The environment variables that give a `skyport` process the same configuration.
pub fn env(home: &Path, net: &Network) -> Vec<(String, String)> {
    vec![
        ("SKYPORT_HOME".into(), home.display().to_string()),
        ("SKYPORT_DEV".into(), "1".into()),
        ("SKYPORT_PLC_URL".into(), net.plc_url().into()),
        ("SKYPORT_HANDLE_RESOLVER".into(), net.handle_resolver().into()),
    ]
}

/// An account manager in `home` whose HTTP requests and keychain calls go on `timeline`
/// and whose requests are counted.
pub fn open(
    home: &Path,
    net: &Network,
    timeline: &Arc<Timeline>,
) -> Result<(Accounts, Arc<CountingHttp>), String> {
    let config = config(home, net)?;
    let profile = config.profile().map_err(|e| e.to_string())?;
    let inner: Arc<dyn HttpClient> = Arc::new(ReqwestClient::new(profile.http).map_err(|e| e.to_string())?);
    let counting = CountingHttp::new(TimedHttp::new(inner, timeline.clone()));
    let keychain: Box<dyn SecretStore> = Box::new(OsKeychain::new(KEYCHAIN_SERVICE));
    let accounts = Accounts::builder(config)
        .keychain(TimedKeychain::new(keychain, timeline.clone()))
        .http(counting.clone())
        .open()
        .map_err(|e| e.to_string())?;
    Ok((accounts, counting))
}

/// Short names for the network's origins in request logs.
pub fn names(net: &Network) -> Vec<(String, String)> {
    vec![(net.pds_url().to_owned(), "{PDS}".into()), (net.plc_url().to_owned(), "{PLC}".into())]
}

/// `skyport-bench skyport-flow --handle H --did D [--logins N]`: the child process.
pub async fn child(handle: &str, did: &str, logins: usize) -> Result<(), String> {
    let process_start = Instant::now();
    let net = Network::try_shared().map_err(|e| e.to_string())?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let timeline = Timeline::new(names(net));
    let opened = Instant::now();
    let (accounts, counting) = open(home.path(), net, &timeline)?;
    let open_ms = opened.elapsed().as_secs_f64() * 1000.0;
    let mut result = ProcessResult { client: "skyport".into(), ..Default::default() };
    result.startup.insert("open_ms".into(), open_ms);
    result.startup.insert("process_to_ready_ms".into(), process_start.elapsed().as_secs_f64() * 1000.0);
    for _ in 0..logins {
        counting.reset();
        let login = login(&accounts, &timeline, handle, did).await?;
        // The request counts come from the timeline; CountingHttp (the tests' request log)
        // sees the same requests, or the split is wrong.
        let on_timeline: f64 = login.requests.values().map(|l| l.len() as f64).sum();
        let counted = counting.log().len() as f64;
        if on_timeline != counted {
            return Err(format!("{on_timeline} requests on the timeline, {counted} in CountingHttp's log"));
        }
        result.logins.push(login);
    }
    result.info.insert("dpop_alg".into(), "ES256".into());
    // How many Secret Service connections the process made for its keychain calls (the
    // product's own counter), for the report's explanation of keychain time.
    let calls: usize = result.logins.iter().flat_map(|l| l.keychain.values()).map(Vec::len).sum();
    result.info.insert("keychain_calls".into(), calls.to_string());
    if let Some(n) = crate::keychain::connections() {
        result.info.insert("keychain_connections".into(), n.to_string());
    }
    ipc::say(&json!({ "event": "result", "result": result }));
    Ok(())
}

async fn login(accounts: &Accounts, tl: &Timeline, handle: &str, did: &str) -> Result<LoginResult, String> {
    let e = |e: skyport_accounts::Error| e.to_string();
    let (preview, resolve) = tl.measure(accounts.preview(handle)).await;
    preview.map_err(e)?;
    let request =
        LoginRequest { identifier: handle.to_owned(), scope: None, loopback_port: Some(LOOPBACK_PORT) };
    let connections_before = crate::keychain::connections();
    let (started, par) = tl.measure(accounts.start_login(&request)).await;
    let started = started.map_err(e)?;
    let callback = ipc::approval(&started.authorization_url).await?;
    let (done, complete) = tl.measure(accounts.complete_login(&callback)).await;
    let done = done.map_err(e)?;
    let login_connections = crate::keychain::connections().zip(connections_before).map(|(a, b)| a - b);
    if done.account.did != did {
        return Err(format!("signed in as {}, expected {did}", done.account.did));
    }
    let get_session = XrpcRequest::query("com.atproto.server.getSession");
    let call = || async {
        let r = accounts.api(Some(did), &get_session).await.map_err(e)?;
        if r.body["did"] != did {
            return Err(format!("getSession answered {}", r.body));
        }
        Ok(())
    };
    let (r, resource1) = tl.measure(call()).await;
    r?;
    let (r, resource2) = tl.measure(call()).await;
    r?;
    let (r, refresh) = tl.measure(accounts.refresh(Some(did))).await;
    r.map_err(e)?;
    let (r, resource3) = tl.measure(call()).await;
    r?;
    let (r, revoke) = tl.measure(accounts.sign_out(Some(did))).await;
    let signed_out = r.map_err(e)?;
    if !signed_out.revoked {
        return Err(format!("sign-out did not revoke: {:?}", signed_out.revoke_error));
    }
    let mut out = LoginResult::default();
    split_login(&mut out, &resolve, &par, &complete);
    // Secret Service connections the login made (the product's counter: 1 when its first
    // keychain call connected the process), and that first call's time.
    if let Some(n) = login_connections {
        out.metrics.insert("login_keychain_connections".into(), n as f64);
    }
    if let Some(first) = par.keychain().chain(complete.keychain()).next() {
        out.metrics.insert("login_keychain_first_call".into(), ms(first.us()));
    }
    for (name, span) in [("resource1", &resource1), ("resource2", &resource2), ("resource3", &resource3)] {
        split_call(&mut out, name, span);
    }
    split_call(&mut out, "refresh", &refresh);
    split_call(&mut out, "revoke", &revoke);
    Ok(out)
}

fn is_xrpc(e: &Event) -> bool {
    e.what.contains("/xrpc/com.atproto.repo.") || e.what.contains("/xrpc/com.atproto.sync.")
}

/// Splits a login into resolve, PAR, token (+ identity check), storage and the profile read.
fn split_login(out: &mut LoginResult, resolve: &Span, par: &Span, complete: &Span) {
    let m = &mut out.metrics;
    // resolve: all protocol (caches are in memory).
    m.insert("resolve".into(), ms(resolve.us()));
    // start_login: protocol until the last PAR response, then the pending login is stored.
    let (_, par_wire_end) = par.wire_us(|_| true);
    let par_end = par_wire_end.max(par.t0);
    let par_protocol = par_end - par.t0;
    let par_storage = par.t1 - par_end;
    let par_keychain = par.keychain_us_between(par_end, par.t1);
    m.insert("par".into(), ms(par_protocol));
    // complete_login: pending login taken from SQLite and the keychain, then the token
    // request and identity check (protocol), then the session stored, then the profile read,
    // then the account read back for the caller.
    let (wire_start, wire_end) = complete.wire_us(|e| !is_xrpc(e));
    let proto_start = complete
        .keychain()
        .filter(|k| k.end_us <= wire_start)
        .map(|k| k.end_us)
        .max()
        .unwrap_or(wire_start)
        .max(complete.t0);
    let proto_end = wire_end.max(proto_start);
    let profile_http: Vec<&Event> = complete.http().filter(|e| is_xrpc(e)).collect();
    let (profile_start, profile_end) =
        match (profile_http.iter().map(|e| e.start_us).min(), profile_http.iter().map(|e| e.end_us).max()) {
            (Some(first), Some(last)) => {
                // The profile read starts with its first request, or with reading the
                // session's secrets from the keychain if it had to (the last keychain call
                // before that request is then a `get session`; any other is the storage).
                let before = complete
                    .keychain()
                    .filter(|k| k.start_us >= proto_end && k.start_us < first)
                    .max_by_key(|k| k.start_us);
                let start = match before {
                    Some(k) if k.what == "get session" => k.start_us,
                    _ => first,
                };
                (start, last)
            }
            _ => (complete.t1, complete.t1),
        };
    let token = proto_end - proto_start;
    let profile = profile_end - profile_start;
    let complete_storage = complete.us() - token - profile;
    let complete_keychain = complete.keychain_us_between(complete.t0, proto_start)
        + complete.keychain_us_between(proto_end, profile_start)
        + complete.keychain_us_between(profile_end, complete.t1 + 1);
    m.insert("token".into(), ms(token));
    m.insert("storage".into(), ms(par_storage + complete_storage));
    m.insert("storage_keychain".into(), ms(par_keychain + complete_keychain));
    m.insert("profile".into(), ms(profile));
    let protocol = resolve.us() + par_protocol + token;
    m.insert("login_protocol".into(), ms(protocol));
    m.insert("login_client".into(), ms(protocol + par_storage + complete_storage));
    m.insert("start_login_wall".into(), ms(par.us()));
    m.insert("complete_login_wall".into(), ms(complete.us()));
    let count = |s: &Span, pick: &dyn Fn(&Event) -> bool| s.http().filter(|e| pick(e)).count() as f64;
    let (r, p, t) = (count(resolve, &|_| true), count(par, &|_| true), count(complete, &|e| !is_xrpc(e)));
    m.insert("req_resolve".into(), r);
    m.insert("req_par".into(), p);
    m.insert("req_token".into(), t);
    m.insert("req_login".into(), r + p + t);
    m.insert("req_profile".into(), count(complete, &|e| is_xrpc(e)));
    let storage_ops = par.keychain().count()
        + complete.keychain().filter(|k| !(k.start_us >= profile_start && k.start_us < profile_end)).count();
    m.insert("storage_keychain_ops".into(), storage_ops as f64);
    let http = |e: &Event| e.kind == Kind::Http;
    out.requests.insert("resolve".into(), resolve.lines(http));
    out.requests.insert("par".into(), par.lines(http));
    out.requests.insert("token".into(), complete.lines(|e| http(e) && !is_xrpc(e)));
    out.requests.insert("profile".into(), complete.lines(|e| http(e) && is_xrpc(e)));
    let keychain = |e: &Event| e.kind == Kind::Keychain;
    out.keychain.insert("start_login".into(), par.lines(keychain));
    out.keychain.insert("complete_login".into(), complete.lines(keychain));
}

/// Splits a call into wire time, keychain writes and reads, and the rest.
fn split_call(out: &mut LoginResult, name: &str, span: &Span) {
    let m = &mut out.metrics;
    let (a, b) = span.wire_us(|_| true);
    let writes: u64 = span.keychain().filter(|k| !k.what.starts_with("get")).map(Event::us).sum();
    let reads: u64 = span.keychain().filter(|k| k.what.starts_with("get")).map(Event::us).sum();
    m.insert(name.into(), ms(span.us()));
    m.insert(format!("{name}_protocol"), ms(b - a));
    m.insert(format!("{name}_keychain_write"), ms(writes));
    m.insert(format!("{name}_keychain_read"), ms(reads));
    m.insert(format!("{name}_keychain"), ms(writes + reads));
    m.insert(format!("{name}_other"), ms(span.us().saturating_sub(b - a + writes + reads)));
    // The call with its keychain writes shown apart (a refresh's rotation, a sign-out's delete).
    m.insert(format!("{name}_excl_write"), ms(span.us().saturating_sub(writes)));
    m.insert(format!("req_{name}"), span.http().count() as f64);
    out.requests.insert(name.into(), span.lines(|e| e.kind == Kind::Http));
    out.keychain.insert(name.into(), span.lines(|e| e.kind == Kind::Keychain));
}

/// Reads a child's result line.
pub fn parse(result: &serde_json::Value) -> Result<ProcessResult, String> {
    serde_json::from_value(result["result"].clone()).map_err(|e| format!("skyport-flow result: {e}"))
}
