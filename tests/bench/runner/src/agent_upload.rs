//! A 50 MB blob through the agent as users run it headless: `skyport agent run --json`, its
//! own process, over a data directory the runner signed an account in to (real keychain).
//!
//! Each run starts a new agent process, makes one small call through it (so the session is
//! loaded from the keychain and the connection to the PDS is open), reads its `VmRSS` from
//! `/proc/<pid>/status`, resets its peak (`echo 5 > /proc/<pid>/clear_refs`, so the start-up
//! peak does not count), uploads 50 MB with `com.atproto.repo.uploadBlob` (`image/png`)
//! streamed from the runner in 64 KiB chunks, reads `VmHWM` (the peak since the reset), and
//! stops the agent with SIGINT. The same upload made in the runner's process with
//! `Accounts::forward` (the body in memory, no agent) is timed next to it for reference.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt as _;
use serde::Serialize;
use serde_json::Value;
use skyport_accounts::{Accounts, ForwardRequest, Method};
use skyport_tests::localnet::Network;
use tokio::io::AsyncBufReadExt as _;

use crate::agent::{client, open, signed_in_with_key};
use crate::flow_rs;
use crate::stats::{Samples, Summary};

/// The blob: 50 MB (decimal), under the local PDS's 64 MiB limit and the agent's 100 MiB.
pub const BLOB_BYTES: usize = 50_000_000;
/// Target: the agent process may grow by this much while it forwards the blob (MB, decimal).
pub const GROWTH_MB: f64 = 16.0;
const CHUNK: usize = 64 * 1024;
const UPLOAD: &str = "com.atproto.repo.uploadBlob";

/// One run.
#[derive(Debug, Clone, Serialize)]
pub struct UploadRun {
    pub pid: u32,
    /// kB, from `/proc/<pid>/status`.
    pub rss_before_kb: u64,
    pub hwm_after_kb: u64,
    pub rss_after_kb: u64,
    /// Whether the peak was reset before the upload (else `VmHWM` is the peak since start).
    pub hwm_reset: bool,
    pub upload_ms: f64,
    /// First byte sent → the connection takes the last 64 KiB chunk (all before it written;
    /// the agent has read all but what the loopback socket buffers hold).
    pub body_sent_ms: f64,
    pub direct_upload_ms: f64,
}

/// The upload part of the agent section.
#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    pub bytes: usize,
    /// MB (10^6 bytes).
    pub rss_before_mb: Summary,
    pub peak_mb: Summary,
    pub growth_mb: Summary,
    pub upload_ms: Summary,
    pub body_sent_ms: Summary,
    /// `upload_ms - body_sent_ms`: the agent forwarding the spooled body, and the PDS.
    pub after_body_ms: Summary,
    pub direct_upload_ms: Summary,
    pub hwm_reset: bool,
    pub runs: Vec<UploadRun>,
}

/// `/proc`'s kB (KiB) as MB.
fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

/// `runs` uploads, each through a new agent process.
pub async fn upload(net: &Network, skyport: &Path, runs: usize) -> Result<Upload, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let accounts = open(home.path(), net)?.accounts;
    let (account, key) = signed_in_with_key(&accounts, net, "agentblob").await?;
    let mut out = Vec::new();
    for run in 0..runs {
        let mut agent = AgentProcess::start(skyport, home.path(), net).await?;
        // Alternate which upload goes first; each upload is a new blob.
        let result = measure(&agent, &accounts, &account.did, &key, run).await;
        agent.stop().await?;
        let r = result?;
        eprintln!(
            "run {}/{runs} agent upload: {} MB in {:.0} ms (direct {:.0} ms), agent RSS {:.1} MB → peak {:.1} MB (+{:.1} MB)",
            run + 1,
            BLOB_BYTES / 1_000_000,
            r.upload_ms,
            r.direct_upload_ms,
            mb(r.rss_before_kb),
            mb(r.hwm_after_kb),
            mb(r.hwm_after_kb.saturating_sub(r.rss_before_kb))
        );
        out.push(r);
    }
    let mut s = Samples::default();
    for r in &out {
        s.add("rss_before_mb", mb(r.rss_before_kb));
        s.add("peak_mb", mb(r.hwm_after_kb));
        s.add("growth_mb", mb(r.hwm_after_kb.saturating_sub(r.rss_before_kb)));
        s.add("upload_ms", r.upload_ms);
        s.add("body_sent_ms", r.body_sent_ms);
        s.add("after_body_ms", r.upload_ms - r.body_sent_ms);
        s.add("direct_upload_ms", r.direct_upload_ms);
    }
    let s = s.summaries();
    let get = |k: &str| s.get(k).copied().ok_or_else(|| format!("no {k} samples"));
    Ok(Upload {
        bytes: BLOB_BYTES,
        rss_before_mb: get("rss_before_mb")?,
        peak_mb: get("peak_mb")?,
        growth_mb: get("growth_mb")?,
        upload_ms: get("upload_ms")?,
        body_sent_ms: get("body_sent_ms")?,
        after_body_ms: get("after_body_ms")?,
        direct_upload_ms: get("direct_upload_ms")?,
        hwm_reset: out.iter().all(|r| r.hwm_reset),
        runs: out,
    })
}

async fn measure(
    agent: &AgentProcess,
    accounts: &Arc<Accounts>,
    did: &str,
    key: &str,
    run: usize,
) -> Result<UploadRun, String> {
    let http = client()?;
    // Warm: the session read from the keychain, the PDS connection open.
    let res = http
        .get(format!("{}/xrpc/com.atproto.repo.describeRepo?repo={did}", agent.address))
        .bearer_auth(key)
        .send()
        .await
        .map_err(|e| format!("the agent process: {e}"))?;
    if res.status() != 200 {
        return Err(format!(
            "describeRepo through the agent process: {} {:?}",
            res.status(),
            res.text().await
        ));
    }
    let direct_first = run % 2 == 1;
    let mut direct_upload_ms =
        if direct_first { direct(accounts, did, 2 * run as u64 + 1).await? } else { 0.0 };
    let rss_before_kb = proc_status(agent.pid, "VmRSS")?;
    let hwm_reset = std::fs::write(format!("/proc/{}/clear_refs", agent.pid), "5").is_ok();
    let t = Instant::now();
    // When the connection takes the last chunk, all the body before it has been written.
    let sent = Arc::new(std::sync::Mutex::new(None));
    let last = sent.clone();
    let n = BLOB_BYTES.div_ceil(CHUNK);
    let chunks = blob_chunks(2 * run as u64).enumerate().map(move |(i, chunk)| {
        if i + 1 == n {
            *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(t.elapsed());
        }
        Ok::<_, std::io::Error>(chunk)
    });
    let res = http
        .post(format!("{}/xrpc/{UPLOAD}", agent.address))
        .bearer_auth(key)
        .header("content-type", "image/png")
        .header("content-length", BLOB_BYTES.to_string())
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .map_err(|e| format!("{UPLOAD} through the agent process: {e}"))?;
    let status = res.status().as_u16();
    let body = res.bytes().await.map_err(|e| format!("{UPLOAD} through the agent process: {e}"))?;
    let upload_ms = t.elapsed().as_secs_f64() * 1000.0;
    let body_sent_ms =
        sent.lock().unwrap_or_else(|e| e.into_inner()).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
    let hwm_after_kb = proc_status(agent.pid, "VmHWM")?;
    let rss_after_kb = proc_status(agent.pid, "VmRSS")?;
    check_blob(status, &body, "through the agent process")?;
    if !direct_first {
        direct_upload_ms = direct(accounts, did, 2 * run as u64 + 1).await?;
    }
    Ok(UploadRun {
        pid: agent.pid,
        rss_before_kb,
        hwm_after_kb,
        rss_after_kb,
        hwm_reset,
        upload_ms,
        body_sent_ms,
        direct_upload_ms,
    })
}

/// The same upload without the agent (`Accounts::forward`, the body in memory); ms.
async fn direct(accounts: &Accounts, did: &str, seed: u64) -> Result<f64, String> {
    let mut blob = Vec::with_capacity(BLOB_BYTES);
    for chunk in blob_chunks(seed) {
        blob.extend_from_slice(&chunk);
    }
    let request = ForwardRequest {
        method: Method::Post,
        nsid: UPLOAD.into(),
        query: None,
        headers: vec![("content-type", "image/png".into())],
        body: Some(Arc::new(Bytes::from(blob))),
    };
    let t = Instant::now();
    let res = accounts.forward(Some(did), &request).await.map_err(|e| format!("direct {UPLOAD}: {e}"))?;
    let mut body = Vec::new();
    let mut stream = res.body;
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.map_err(|e| format!("direct {UPLOAD}: {e}"))?);
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    check_blob(res.status, &body, "directly")?;
    Ok(ms)
}

/// The PDS's answer names a blob of the right size and type.
fn check_blob(status: u16, body: &[u8], how: &str) -> Result<(), String> {
    let v: Value = serde_json::from_slice(body).unwrap_or_default();
    if status != 200 || v["blob"]["size"] != BLOB_BYTES || v["blob"]["mimeType"] != "image/png" {
        let text = String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned();
        return Err(format!("{UPLOAD} {how}: {status} {text}"));
    }
    Ok(())
}

/// The blob's bytes in 64 KiB chunks: 1 MiB of noise from `seed` starting with a PNG
/// signature, over and over (slices of one buffer, so the sender costs next to nothing).
fn blob_chunks(seed: u64) -> impl Iterator<Item = Bytes> {
    const NOISE: usize = 16 * CHUNK;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
    let mut noise: Vec<u8> = (0..NOISE)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    noise[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    let noise = Bytes::from(noise);
    (0..BLOB_BYTES.div_ceil(CHUNK)).map(move |i| {
        let len = CHUNK.min(BLOB_BYTES - i * CHUNK);
        let at = (i * CHUNK) % NOISE;
        noise.slice(at..at + len)
    })
}

/// A field of `/proc/<pid>/status` in kB.
fn proc_status(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .find_map(|l| {
            l.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok()
        })
        .ok_or_else(|| format!("{path}: no {field}"))
}

/// `skyport agent run --json`, started by the runner.
struct AgentProcess {
    child: tokio::process::Child,
    pid: u32,
    address: String,
}

impl AgentProcess {
    async fn start(skyport: &Path, home: &Path, net: &Network) -> Result<Self, String> {
        let mut child = tokio::process::Command::new(skyport)
            .args(["agent", "run", "--json"])
            .envs(flow_rs::env(home, net))
            .env("SKYPORT_AGENT_PORT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("{}: {e}", skyport.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .map_err(|_| "skyport agent run --json printed nothing in 30 s".to_owned())?
            .map_err(|e| e.to_string())?
            .ok_or("skyport agent run --json exited before printing its address")?;
        let v: Value =
            serde_json::from_str(&first).map_err(|e| format!("skyport agent run --json: {e}: {first}"))?;
        let (Some(address), Some(pid)) = (v["address"].as_str(), v["pid"].as_u64()) else {
            return Err(format!("skyport agent run --json: {first}"));
        };
        if Some(pid as u32) != child.id() {
            return Err(format!("skyport agent run --json says pid {pid}, started {:?}", child.id()));
        }
        Ok(Self { child, pid: pid as u32, address: address.to_owned() })
    }

    /// SIGINT (what Ctrl-C sends), then a wait for it to exit cleanly.
    async fn stop(&mut self) -> Result<(), String> {
        let pid = nix::unistd::Pid::from_raw(self.pid as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).map_err(|e| e.to_string())?;
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(Ok(status)) if status.success() => Ok(()),
            Ok(Ok(status)) => Err(format!("skyport agent run exited with {status} after SIGINT")),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => {
                let _ = self.child.kill().await;
                Err("skyport agent run did not stop within 10 s of SIGINT".into())
            }
        }
    }
}
