//! The agent (`skyport-agent`), in the runner's process: one account manager with the real
//! keychain and SQLite, the agent started over it on `127.0.0.1:<any port>`, and a key made
//! with `Accounts::allow_app`.
//!
//! * **Per-call overhead**: the same query made directly (`Accounts::api`) and through the
//!   agent over HTTP with the key (one kept-alive reqwest client), back to back in blocks of
//!   [`BLOCK`] calls alternating between the paths, after a warm-up of both. Each run gives
//!   the median latency of each and their difference; [`probes`] time the agent's own SQLite
//!   work (the key check, one audit entry) alone.
//! * **Throughput**: 16 callers at once (16 tasks, each making its calls one after another)
//!   through the agent, and the same number of tasks calling `Accounts::api` directly.
//!
//! Every answer is checked (status 200 and the account's DID), and every PDS request is
//! counted, so a call that took a refresh or a nonce retry shows in the request count. Each
//! PDS request is also timed where the product's HTTP client sends it ([`Wire`]), so a call
//! splits into its PDS request and Skyport's own time.
//! The 50 MB upload through the agent as its own process is in [`crate::agent_upload`].

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use skyport_accounts::apps::{AuditRow, NewApp};
use skyport_accounts::{Accounts, LoginRequest, XrpcRequest};
use skyport_agent::{Agent, AgentConfig};
use skyport_oauth::http::{HttpClient, ReqwestClient};
use skyport_tests::counting::CountingHttp;
use skyport_tests::localnet::{Account, Network};

use crate::flow_rs;
use crate::stats::{Samples, Summary};
use crate::wire::Wire;

/// The query both paths make: one PDS request, a small JSON answer, no side effects.
pub const QUERY: &str = "com.atproto.repo.describeRepo";
/// Calls of one path made back to back before the other path's: a call through the agent
/// queues its audit entry, written (one SQLite transaction) just after the answer, so the
/// next call meets that write; in blocks, each path's calls meet what their own path leaves,
/// as a program making one kind of call does.
pub const BLOCK: usize = 20;
/// Calls of each probe of the agent's own SQLite work.
pub const PROBES: usize = 100;
/// Callers at once in the throughput part.
pub const CALLERS: usize = 16;
/// Target: the agent's median call may take this much longer than the direct one (ms).
pub const OVERHEAD_MS: f64 = 1.0;

/// How much each part does per run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Counts {
    /// Calls of each path before a run's measured ones.
    pub warmup: usize,
    /// Measured calls of each path per run (alternating).
    pub calls: usize,
    /// Calls of each path per run in the throughput part (spread over the callers).
    pub throughput_calls: usize,
}

impl Counts {
    /// A full run's counts, or a smoke run's (a few calls, to prove the paths work).
    pub fn new(smoke: bool) -> Self {
        if smoke {
            Self { warmup: 5, calls: 40, throughput_calls: CALLERS * 5 }
        } else {
            Self { warmup: 20, calls: 200, throughput_calls: CALLERS * 50 }
        }
    }
}

/// One run of the overhead part.
#[derive(Debug, Clone, Serialize)]
pub struct OverheadRun {
    pub direct_ms: Summary,
    pub agent_ms: Summary,
    /// `agent_ms.median - direct_ms.median`.
    pub difference_ms: f64,
    /// Each call's PDS request: sent → answer read (`None` if the calls and requests did
    /// not pair one to one).
    pub direct_wire_ms: Option<Summary>,
    pub agent_wire_ms: Option<Summary>,
    /// Each call's time minus its PDS request's.
    pub direct_own_ms: Option<Summary>,
    pub agent_own_ms: Option<Summary>,
    /// Calls right after a call of the other path (the first of each block), and the rest.
    pub direct_after_agent_ms: Option<Summary>,
    pub direct_after_direct_ms: Option<Summary>,
    pub agent_after_direct_ms: Option<Summary>,
    pub agent_after_agent_ms: Option<Summary>,
    /// PDS requests of the run's measured calls, each path (one per call when nothing else
    /// happened).
    pub direct_requests: usize,
    pub agent_requests: usize,
}

/// One run of the throughput part.
#[derive(Debug, Clone, Serialize)]
pub struct ThroughputRun {
    pub direct_calls_per_s: f64,
    pub agent_calls_per_s: f64,
    /// One call's latency while the other callers' calls are under way.
    pub direct_ms: Summary,
    pub agent_ms: Summary,
    /// CPU time of the runner's process (user + system, all threads) per call.
    pub direct_cpu_ms: f64,
    pub agent_cpu_ms: f64,
    pub direct_requests: usize,
    pub agent_requests: usize,
}

/// The in-process part of the agent section.
#[derive(Debug, Clone, Serialize)]
pub struct InProcess {
    pub query: &'static str,
    pub counts: Counts,
    pub callers: usize,
    /// Over the runs: the per-run medians of each path, and their per-run differences.
    pub direct_ms: Summary,
    pub agent_ms: Summary,
    pub difference_ms: Summary,
    /// Over the runs: each run's median time at the PDS and of Skyport's own, each path.
    pub direct_wire_ms: Option<Summary>,
    pub agent_wire_ms: Option<Summary>,
    pub direct_own_ms: Option<Summary>,
    pub agent_own_ms: Option<Summary>,
    /// Over the runs: each run's median of the calls right after the other path's, and of
    /// the rest.
    pub direct_after_agent_ms: Option<Summary>,
    pub direct_after_direct_ms: Option<Summary>,
    pub agent_after_direct_ms: Option<Summary>,
    pub agent_after_agent_ms: Option<Summary>,
    /// `Accounts::authenticate_key` alone, back to back (ms, over [`PROBES`] calls).
    pub key_check_ms: Summary,
    /// `Accounts::record_calls` with one audit entry, what the agent's audit writer does
    /// after each call that comes alone (ms, over [`PROBES`] calls).
    pub audit_write_ms: Summary,
    /// PDS requests per measured call, each path (the run's worst).
    pub direct_requests_per_call: f64,
    pub agent_requests_per_call: f64,
    pub direct_calls_per_s: Summary,
    pub agent_calls_per_s: Summary,
    pub direct_loaded_ms: Summary,
    pub agent_loaded_ms: Summary,
    /// CPU time of the runner's process per call at that load.
    pub direct_cpu_ms: Summary,
    pub agent_cpu_ms: Summary,
    pub overhead_runs: Vec<OverheadRun>,
    pub throughput_runs: Vec<ThroughputRun>,
}

/// An account manager, opened as the app and the CLI open it (the OS keychain), whose HTTP
/// requests are counted and timed.
pub struct Opened {
    pub accounts: Arc<Accounts>,
    pub counting: Arc<CountingHttp>,
    pub wire: Arc<Wire>,
}

/// Opens the account manager of `home`.
pub fn open(home: &Path, net: &Network) -> Result<Opened, String> {
    let config = flow_rs::config(home, net)?;
    let profile = config.profile().map_err(|e| e.to_string())?;
    let inner: Arc<dyn HttpClient> = Arc::new(ReqwestClient::new(profile.http).map_err(|e| e.to_string())?);
    let wire = Wire::new(inner);
    let counting = CountingHttp::new(wire.clone());
    // No keychain given: the product's default, the OS keychain.
    let accounts = Accounts::builder(config).http(counting.clone()).open().map_err(|e| e.to_string())?;
    Ok(Opened { accounts: Arc::new(accounts), counting, wire })
}

/// A new account on the PDS, signed in to `accounts`, and a key for it.
pub async fn signed_in_with_key(
    accounts: &Accounts,
    net: &Network,
    prefix: &str,
) -> Result<(Account, String), String> {
    let account = net.create_unique_account(prefix).await.map_err(|e| e.to_string())?;
    let request = LoginRequest {
        identifier: account.handle.clone(),
        scope: None,
        loopback_port: Some(flow_rs::LOOPBACK_PORT),
    };
    let started = accounts.start_login(&request).await.map_err(|e| e.to_string())?;
    let callback =
        skyport_tests::approve::approve(&started.authorization_url, &account.handle, &account.password)
            .await
            .map_err(|e| e.to_string())?;
    accounts.complete_login(&callback).await.map_err(|e| e.to_string())?;
    let created = accounts
        .allow_app(&NewApp {
            name: format!("bench-{prefix}"),
            account: Some(account.did.clone()),
            read_only: false,
            allow: Vec::new(),
            expires: None,
        })
        .map_err(|e| e.to_string())?;
    Ok((account, created.key.expose().to_owned()))
}

/// A client for the agent: kept-alive connections, no proxy.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder().no_proxy().build().map_err(|e| e.to_string())
}

/// The two ways to make the query.
#[derive(Clone)]
struct Paths {
    accounts: Arc<Accounts>,
    http: reqwest::Client,
    url: String,
    key: Arc<str>,
    did: Arc<str>,
}

impl Paths {
    /// `Accounts::api`; milliseconds.
    async fn direct(&self) -> Result<f64, String> {
        let request = XrpcRequest::query(QUERY).param("repo", &self.did);
        let t = Instant::now();
        let r =
            self.accounts.api(Some(&self.did), &request).await.map_err(|e| format!("direct {QUERY}: {e}"))?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if r.body["did"] != *self.did {
            return Err(format!("direct {QUERY} answered {}", r.body));
        }
        Ok(ms)
    }

    /// Through the agent with the key; milliseconds, the whole answer read.
    async fn agent(&self) -> Result<f64, String> {
        let t = Instant::now();
        let res = self
            .http
            .get(&self.url)
            .bearer_auth(&*self.key)
            .send()
            .await
            .map_err(|e| format!("{QUERY} through the agent: {e}"))?;
        let status = res.status().as_u16();
        let body = res.bytes().await.map_err(|e| format!("{QUERY} through the agent: {e}"))?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if status != 200 || v["did"] != *self.did {
            return Err(format!("{QUERY} through the agent: {status} {}", String::from_utf8_lossy(&body)));
        }
        Ok(ms)
    }

    async fn call(&self, through_agent: bool) -> Result<f64, String> {
        if through_agent { self.agent().await } else { self.direct().await }
    }
}

/// Runs both parts `runs` times over one account and one agent.
pub async fn in_process(net: &Network, runs: usize, counts: Counts) -> Result<InProcess, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let Opened { accounts, counting, wire } = open(home.path(), net)?;
    let (account, key) = signed_in_with_key(&accounts, net, "agentcall").await?;
    let agent = Agent::start(accounts.clone(), AgentConfig { port: 0, ..AgentConfig::default() })
        .await
        .map_err(|e| format!("starting the agent: {e}"))?;
    let paths = Paths {
        accounts: accounts.clone(),
        http: client()?,
        url: format!("{}/xrpc/{QUERY}?repo={}", agent.url(), account.did),
        key: key.into(),
        did: account.did.as_str().into(),
    };
    let mut overhead_runs = Vec::new();
    let mut throughput_runs = Vec::new();
    for run in 0..runs {
        // Alternate which path goes first from run to run.
        let agent_first = run % 2 == 1;
        for i in 0..counts.warmup * 2 {
            paths.call((i % 2 == 0) == agent_first).await?;
        }
        counting.reset();
        wire.reset();
        let (calls, requests) =
            tokio::spawn(measured(paths.clone(), counting.clone(), counts.calls, agent_first))
                .await
                .map_err(|e| e.to_string())??;
        // The agent's last answer body is dropped just after the caller read it.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let wires = wire.durations();
        let paired = wires.len() == calls.len() && wires.iter().all(Option::is_some);
        let wire_of = |i: usize| wires.get(i).copied().flatten().unwrap_or(f64::NAN);
        let pick = |agent: bool, keep: &dyn Fn(&Call) -> bool, f: &dyn Fn(usize, f64) -> f64| -> Vec<f64> {
            let mine = calls.iter().enumerate().filter(|(_, c)| c.through_agent == agent && keep(c));
            mine.map(|(i, c)| f(i, c.ms)).collect()
        };
        let all = |_: &Call| true;
        let split = |agent: bool| -> (Option<Summary>, Option<Summary>) {
            if !paired {
                return (None, None);
            }
            (
                Summary::of(&pick(agent, &all, &|i, _| wire_of(i))),
                Summary::of(&pick(agent, &all, &|i, ms| ms - wire_of(i))),
            )
        };
        let after =
            |agent: bool, other: bool| Summary::of(&pick(agent, &|c| c.after_other == other, &|_, ms| ms));
        let (d, a) = (summary(&pick(false, &all, &|_, ms| ms))?, summary(&pick(true, &all, &|_, ms| ms))?);
        let ((direct_wire_ms, direct_own_ms), (agent_wire_ms, agent_own_ms)) = (split(false), split(true));
        let o = OverheadRun {
            direct_ms: d,
            agent_ms: a,
            difference_ms: a.median - d.median,
            direct_wire_ms,
            agent_wire_ms,
            direct_own_ms,
            agent_own_ms,
            direct_after_agent_ms: after(false, true),
            direct_after_direct_ms: after(false, false),
            agent_after_direct_ms: after(true, true),
            agent_after_agent_ms: after(true, false),
            direct_requests: requests[0],
            agent_requests: requests[1],
        };
        let med = |v: Option<Summary>| v.map_or(f64::NAN, |v| v.median);
        eprintln!(
            "run {}/{runs} agent calls: direct {:.2} ms (PDS {:.2}, own {:.2}), through the agent {:.2} ms (PDS {:.2}, own {:.2}): {:+.2} ms; {} + {} PDS requests for {} + {} calls",
            run + 1,
            d.median,
            med(o.direct_wire_ms),
            med(o.direct_own_ms),
            a.median,
            med(o.agent_wire_ms),
            med(o.agent_own_ms),
            o.difference_ms,
            o.direct_requests,
            o.agent_requests,
            counts.calls,
            counts.calls
        );
        eprintln!(
            "    after the same path / after the other: direct {:.2} / {:.2} ms, through the agent {:.2} / {:.2} ms",
            med(o.direct_after_direct_ms),
            med(o.direct_after_agent_ms),
            med(o.agent_after_agent_ms),
            med(o.agent_after_direct_ms),
        );
        overhead_runs.push(o);

        let mut t = ThroughputRun {
            direct_calls_per_s: 0.0,
            agent_calls_per_s: 0.0,
            direct_ms: summary(&[0.0])?,
            agent_ms: summary(&[0.0])?,
            direct_cpu_ms: 0.0,
            agent_cpu_ms: 0.0,
            direct_requests: 0,
            agent_requests: 0,
        };
        for through_agent in [agent_first, !agent_first] {
            counting.reset();
            let b = concurrent(&paths, through_agent, counts.throughput_calls).await?;
            let requests = counting.log().len();
            let latency = summary(&b.latencies)?;
            if through_agent {
                (t.agent_calls_per_s, t.agent_ms, t.agent_cpu_ms, t.agent_requests) =
                    (b.per_s, latency, b.cpu_ms, requests);
            } else {
                (t.direct_calls_per_s, t.direct_ms, t.direct_cpu_ms, t.direct_requests) =
                    (b.per_s, latency, b.cpu_ms, requests);
            }
        }
        eprintln!(
            "run {}/{runs} {CALLERS} callers: direct {:.0} calls/s ({:.2} ms CPU a call), through the agent {:.0} calls/s ({:.2} ms CPU a call)",
            run + 1,
            t.direct_calls_per_s,
            t.direct_cpu_ms,
            t.agent_calls_per_s,
            t.agent_cpu_ms
        );
        throughput_runs.push(t);
    }
    let (key_check_ms, audit_write_ms) = probes(&accounts, &paths.key).await?;
    eprintln!(
        "agent probes: Accounts::authenticate_key {:.3} ms, Accounts::record_calls with one entry {:.3} ms",
        key_check_ms.median, audit_write_ms.median
    );
    agent.stop().await;
    let mut s = Samples::default();
    for o in &overhead_runs {
        s.add("direct_ms", o.direct_ms.median);
        s.add("agent_ms", o.agent_ms.median);
        s.add("difference_ms", o.difference_ms);
        for (k, v) in [
            ("direct_wire_ms", o.direct_wire_ms),
            ("agent_wire_ms", o.agent_wire_ms),
            ("direct_own_ms", o.direct_own_ms),
            ("agent_own_ms", o.agent_own_ms),
            ("direct_after_agent_ms", o.direct_after_agent_ms),
            ("direct_after_direct_ms", o.direct_after_direct_ms),
            ("agent_after_direct_ms", o.agent_after_direct_ms),
            ("agent_after_agent_ms", o.agent_after_agent_ms),
        ] {
            if let Some(v) = v {
                s.add(k, v.median);
            }
        }
    }
    for t in &throughput_runs {
        s.add("direct_calls_per_s", t.direct_calls_per_s);
        s.add("agent_calls_per_s", t.agent_calls_per_s);
        s.add("direct_loaded_ms", t.direct_ms.median);
        s.add("agent_loaded_ms", t.agent_ms.median);
        s.add("direct_cpu_ms", t.direct_cpu_ms);
        s.add("agent_cpu_ms", t.agent_cpu_ms);
    }
    let s = s.summaries();
    let get = |k: &str| s.get(k).copied().ok_or_else(|| format!("no {k} samples"));
    let per_call = |requests: usize, calls: usize| requests as f64 / calls.max(1) as f64;
    let worst = |f: &dyn Fn(&OverheadRun) -> usize| {
        overhead_runs.iter().map(|o| per_call(f(o), counts.calls)).fold(0.0, f64::max)
    };
    Ok(InProcess {
        query: QUERY,
        counts,
        callers: CALLERS,
        direct_ms: get("direct_ms")?,
        agent_ms: get("agent_ms")?,
        difference_ms: get("difference_ms")?,
        direct_wire_ms: s.get("direct_wire_ms").copied(),
        agent_wire_ms: s.get("agent_wire_ms").copied(),
        direct_own_ms: s.get("direct_own_ms").copied(),
        agent_own_ms: s.get("agent_own_ms").copied(),
        direct_after_agent_ms: s.get("direct_after_agent_ms").copied(),
        direct_after_direct_ms: s.get("direct_after_direct_ms").copied(),
        agent_after_direct_ms: s.get("agent_after_direct_ms").copied(),
        agent_after_agent_ms: s.get("agent_after_agent_ms").copied(),
        key_check_ms,
        audit_write_ms,
        direct_requests_per_call: worst(&|o| o.direct_requests),
        agent_requests_per_call: worst(&|o| o.agent_requests),
        direct_calls_per_s: get("direct_calls_per_s")?,
        agent_calls_per_s: get("agent_calls_per_s")?,
        direct_loaded_ms: get("direct_loaded_ms")?,
        agent_loaded_ms: get("agent_loaded_ms")?,
        direct_cpu_ms: get("direct_cpu_ms")?,
        agent_cpu_ms: get("agent_cpu_ms")?,
        overhead_runs,
        throughput_runs,
    })
}

/// One measured call.
#[derive(Debug, Clone, Copy)]
struct Call {
    through_agent: bool,
    /// Right after a call of the other path (the first of a block, but the run's first).
    after_other: bool,
    ms: f64,
}

/// Calls made back to back in blocks of [`BLOCK`], alternating between the paths block by
/// block, from a task of the runtime (where the app's calls and the agent's run); returns
/// each call and the PDS requests of each path.
async fn measured(
    paths: Paths,
    counting: Arc<CountingHttp>,
    calls: usize,
    agent_first: bool,
) -> Result<(Vec<Call>, [usize; 2]), String> {
    let mut out: Vec<Call> = Vec::with_capacity(calls * 2);
    let mut requests = [0usize; 2];
    let mut made = [0usize; 2];
    let mut through_agent = agent_first;
    while made[0] < calls || made[1] < calls {
        let path = usize::from(through_agent);
        for i in 0..BLOCK.min(calls - made[path]) {
            let before = counting.log().len();
            let ms = paths.call(through_agent).await?;
            requests[path] += counting.log().len() - before;
            out.push(Call { through_agent, after_other: i == 0 && !out.is_empty(), ms });
            made[path] += 1;
        }
        through_agent = !through_agent;
    }
    Ok((out, requests))
}

/// The agent's own SQLite work for a call, each timed alone back to back: the key check
/// (`authenticate_key`: the key's row by its hash, the account's handle) and the audit
/// write of one call (`record_calls`: one transaction, its commit synced).
async fn probes(accounts: &Accounts, key: &str) -> Result<(Summary, Summary), String> {
    let mut checks = Vec::with_capacity(PROBES);
    let mut caller = None;
    for _ in 0..PROBES {
        let t = Instant::now();
        let c = accounts.authenticate_key(key).await.map_err(|e| format!("authenticate_key: {e:?}"))?;
        checks.push(t.elapsed().as_secs_f64() * 1000.0);
        caller = Some(c);
    }
    let caller = caller.ok_or("no key check")?;
    let mut writes = Vec::with_capacity(PROBES);
    for _ in 0..PROBES {
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let row = AuditRow {
            at_ms,
            key_name: Some(caller.key_name.clone()),
            did: Some(caller.did.clone()),
            nsid: QUERY.into(),
            method: "GET".into(),
            status: 200,
            outcome: "forwarded".into(),
            bytes_in: 0,
            bytes_out: 1000,
            duration_ms: 3,
        };
        let t = Instant::now();
        accounts
            .record_calls(vec![row], vec![(caller.key_id, 1, at_ms / 1000)])
            .await
            .map_err(|e| format!("record_calls: {e}"))?;
        writes.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((summary(&checks)?, summary(&writes)?))
}

/// What [`concurrent`] measured.
struct Batch {
    /// Calls per second, first call started → last answer read.
    per_s: f64,
    latencies: Vec<f64>,
    /// CPU time of this process per call.
    cpu_ms: f64,
}

/// `calls` calls over [`CALLERS`] tasks, each making its share one after another.
async fn concurrent(paths: &Paths, through_agent: bool, calls: usize) -> Result<Batch, String> {
    let cpu = cpu_ms()?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for caller in 0..CALLERS {
        let paths = paths.clone();
        let share = calls / CALLERS + usize::from(caller < calls % CALLERS);
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                latencies.push(paths.call(through_agent).await?);
            }
            Ok::<_, String>(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(calls);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.map_err(|e| e.to_string())??);
    }
    let secs = started.elapsed().as_secs_f64();
    let n = latencies.len().max(1) as f64;
    Ok(Batch { per_s: latencies.len() as f64 / secs, cpu_ms: (cpu_ms()? - cpu) / n, latencies })
}

/// User and system CPU time of this process so far (all threads), ms.
fn cpu_ms() -> Result<f64, String> {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF).map_err(|e| e.to_string())?;
    let ms = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 * 1000.0 + t.tv_usec() as f64 / 1000.0;
    Ok(ms(u.user_time()) + ms(u.system_time()))
}

fn summary(values: &[f64]) -> Result<Summary, String> {
    Summary::of(values).ok_or_else(|| "no samples".to_owned())
}
