//! The TypeScript client's side of the login benchmark: `tests/bench/ts/flow-ts.mjs` (see
//! its header) under the local network's Node 22, one process per run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use skyport_tests::localnet::Network;

use crate::flows::{LoginResult, ProcessResult};

/// `tests/bench/ts`.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ts")
}

/// Checks that `npm ci` ran in `tests/bench/ts` (done by `.ci/bench`).
pub fn check_installed() -> Result<(), String> {
    let marker = dir().join("node_modules/@atproto/oauth-client-node/package.json");
    if marker.exists() {
        Ok(())
    } else {
        Err(format!("{} is missing: run .ci/bench (it installs tests/bench/ts)", marker.display()))
    }
}

/// The command for one TS client process.
pub fn command(net_file: &Path, handle: &str, did: &str, logins: usize) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(Network::node_binary());
    cmd.current_dir(dir()).arg("flow-ts.mjs").arg("--net").arg(net_file).args([
        "--handle",
        handle,
        "--did",
        did,
        "--logins",
        &logins.to_string(),
    ]);
    cmd
}

/// Converts what `flow-ts.mjs` printed into the common shape.
pub fn parse(result: &Value) -> Result<ProcessResult, String> {
    let bad = |what: &str| format!("flow-ts.mjs result: {what}");
    let mut out = ProcessResult { client: "ts".into(), ..Default::default() };
    for (k, name) in [("importMs", "import_ms"), ("clientMs", "client_ms")] {
        if let Some(v) = result["startup"][k].as_f64() {
            out.startup.insert(name.into(), v);
        }
    }
    for (k, name) in [("node", "node"), ("clientVersion", "client_version"), ("dpopAlg", "dpop_alg")] {
        if let Some(v) = result[k].as_str() {
            out.info.insert(name.into(), v.to_owned());
        }
    }
    for login in result["logins"].as_array().ok_or_else(|| bad("no logins"))? {
        let mut l = LoginResult::default();
        let phases = login["phases"].as_object().ok_or_else(|| bad("no phases"))?;
        for (k, v) in phases {
            l.metrics.insert(k.clone(), v.as_f64().ok_or_else(|| bad(k))?);
        }
        let requests = login["requests"].as_object().ok_or_else(|| bad("no requests"))?;
        for (k, v) in requests {
            let list: Vec<String> = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|r| {
                            format!(
                                "{} {} -> {} ({:.1} ms)",
                                r["method"].as_str().unwrap_or("?"),
                                r["url"].as_str().unwrap_or("?"),
                                r["status"],
                                r["ms"].as_f64().unwrap_or(0.0)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            l.metrics.insert(format!("req_{k}"), list.len() as f64);
            l.requests.insert(k.clone(), list);
        }
        let get = |m: &BTreeMap<String, f64>, k: &str| m.get(k).copied().unwrap_or(0.0);
        let protocol = get(&l.metrics, "resolve") + get(&l.metrics, "par") + get(&l.metrics, "token");
        let requests =
            get(&l.metrics, "req_resolve") + get(&l.metrics, "req_par") + get(&l.metrics, "req_token");
        l.metrics.insert("login_protocol".into(), protocol);
        l.metrics.insert("login_client".into(), protocol);
        l.metrics.insert("storage".into(), 0.0);
        l.metrics.insert("req_login".into(), requests);
        out.logins.push(l);
    }
    Ok(out)
}
