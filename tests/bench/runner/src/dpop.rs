//! DPoP proof minting: Skyport's criterion benchmark (`src-tauri/crates/oauth/benches/`,
//! run by `.ci/bench` before the runner) next to `jose` in Node
//! (`tests/bench/ts/dpop-jose.mjs`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use skyport_tests::localnet::Network;

use crate::flow_ts;
use crate::stats::Summary;

/// The criterion benchmarks and what the report calls them.
pub const CRITERION: [(&str, &str); 3] = [
    ("dpop_proof_token_request", "proof for a token-endpoint POST (nonce)"),
    ("dpop_proof_resource_request", "proof for a resource GET (nonce + ath)"),
    ("dpop_key_generate", "a fresh DPoP key (one per login)"),
];

#[derive(Deserialize)]
struct SampleFile {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// Microseconds per iteration over criterion's samples (each sample: many iterations).
pub fn read_criterion(dir: &Path) -> Result<BTreeMap<String, Summary>, String> {
    let mut out = BTreeMap::new();
    for (name, _) in CRITERION {
        let path = dir.join(name).join("new/sample.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: SampleFile = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let per_iter: Vec<f64> = file.iters.iter().zip(&file.times).map(|(i, t)| t / i / 1000.0).collect();
        out.insert(name.to_owned(), Summary::of(&per_iter).ok_or("empty sample.json")?);
    }
    Ok(out)
}

/// Runs `dpop-jose.mjs` and returns its JSON.
pub async fn jose(batches: usize, per_batch: usize) -> Result<Value, String> {
    let out = tokio::process::Command::new(Network::node_binary())
        .current_dir(flow_ts::dir())
        .arg("dpop-jose.mjs")
        .args(["--batches", &batches.to_string(), "--per-batch", &per_batch.to_string()])
        .stderr(std::process::Stdio::inherit())
        .output()
        .await
        .map_err(|e| format!("node dpop-jose.mjs: {e}"))?;
    if !out.status.success() {
        return Err(format!("node dpop-jose.mjs exited with {}", out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("dpop-jose.mjs output: {e}"))
}
