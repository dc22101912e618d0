//! Real clients no one here wrote, against the real local PDS through the agent: the
//! official JavaScript SDK (`@atproto/api` from npm) and Python SDK (`atproto` from PyPI),
//! unchanged, pointed at the agent with a key as the app password; and curl with the key as
//! a bearer token. The scripts are in `tests/sdk/`; the PDS's own request log shows every
//! call arrived with the account's DPoP-bound OAuth token and none with a local token.

mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use skyport_tests::localnet::{Network, token_hash};
use support::Rig;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").canonicalize().unwrap()
}

/// Installs the SDKs from their registries once per test process (idempotent, fast when done).
fn sdks_installed() {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    let done = DONE.get_or_init(|| {
        let out = std::process::Command::new(root().join("tests/sdk/setup.sh"))
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("tests/sdk/setup.sh failed: {}", String::from_utf8_lossy(&out.stderr)))
        }
    });
    done.as_ref().unwrap();
}

/// Runs a proof script with the agent's URL, the handle and the key; returns its summary.
async fn run_proof(program: &Path, args: &[&Path], rig: &Rig, handle: &str, key: &str) -> Value {
    let out = tokio::process::Command::new(program)
        .args(args)
        .env("SKYPORT_AGENT_URL", &rig.url)
        .env("ATP_AUTH_HANDLE", handle)
        .env("ATP_AUTH_PASSWORD", key)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{program:?} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap_or("{}");
    serde_json::from_str(last).unwrap()
}

/// What a proof must show: it worked, its calls reached the PDS with DPoP, and no local
/// credential it held ever reached the PDS.
async fn check_proof(net: &Network, summary: &Value, key: &str, did: &str) {
    assert_eq!(summary["ok"], true, "{summary}");
    assert_eq!(summary["did"], did);
    let mut local: Vec<String> = vec![key.to_owned()];
    for field in ["accessJwts", "refreshJwts"] {
        local.extend(summary[field].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()));
    }
    assert!(summary["accessJwts"].as_array().unwrap().len() >= 2, "the SDK refreshed its session: {summary}");
    let hashes: Vec<String> = local.iter().map(|t| token_hash(t)).collect();
    let log = net.pds_requests().await.unwrap();
    let leaked: Vec<_> =
        log.iter().filter(|r| r.token_sha256.as_ref().is_some_and(|h| hashes.contains(h))).collect();
    assert!(leaked.is_empty(), "local credentials reached the PDS: {leaked:#?}");
    for nsid in
        ["com.atproto.repo.createRecord", "com.atproto.repo.uploadBlob", "com.atproto.repo.deleteRecord"]
    {
        assert!(
            log.iter().any(|r| r.nsid.as_deref() == Some(nsid)
                && r.auth_scheme.as_deref() == Some("DPoP")
                && r.dpop_proof),
            "{nsid} reached the PDS with a DPoP-bound token"
        );
    }
}

#[tokio::test]
async fn the_javascript_sdk_works_through_the_agent_with_a_key_as_its_password() {
    sdks_installed();
    let (rig, who) = Rig::start(1).await;
    let key = rig.allow("js-sdk", &who[0], false, &[], None);
    let node = Network::node_binary();
    let script = root().join("tests/sdk/js/proof.mjs");
    let summary = run_proof(&node, &[&script], &rig, &who[0].handle, &key).await;
    check_proof(Network::shared(), &summary, &key, &who[0].did).await;
    assert!(
        rig.pds_calls("/xrpc/com.atproto.server.getSession") >= 2,
        "getSession after login and after refresh"
    );
}

#[tokio::test]
async fn the_python_sdk_works_through_the_agent_with_a_key_as_its_password() {
    sdks_installed();
    let (rig, who) = Rig::start(1).await;
    let key = rig.allow("py-sdk", &who[0], false, &[], None);
    let python = root().join("target/sdk-venv/bin/python");
    let script = root().join("tests/sdk/py/proof.py");
    let summary = run_proof(&python, &[&script], &rig, &who[0].handle, &key).await;
    check_proof(Network::shared(), &summary, &key, &who[0].did).await;
}

#[tokio::test]
async fn curl_uses_the_key_as_a_bearer_token() {
    let (rig, who) = Rig::start(1).await;
    let key = rig.allow("curl", &who[0], false, &[], None);
    let out = tokio::process::Command::new("bash")
        .arg(root().join("tests/sdk/curl.sh"))
        .env("SKYPORT_AGENT_URL", &rig.url)
        .env("ATP_AUTH_HANDLE", &who[0].handle)
        .env("ATP_AUTH_PASSWORD", &key)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("\"did\":\"{}\"", who[0].did)), "describeRepo answered: {stdout}");
    assert!(stdout.contains("app.bsky.feed.post"), "createRecord answered: {stdout}");
    assert_eq!(rig.pds_calls("/xrpc/com.atproto.repo.createRecord"), 1);
    assert_eq!(rig.pds_calls("/xrpc/com.atproto.repo.deleteRecord"), 1);
}
