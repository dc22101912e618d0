//! Scale: many accounts in one store.
//!
//! * **Seeded**: rows written straight into SQLite with skyport-store's table API (no
//!   network, no keychain items), then `skyport status --json` run as a new process each
//!   time, measured by [`rusage`] (wall time and peak RSS of that process alone).
//! * **Real**: accounts created on the local PDS, each signed in through the product, then
//!   all refreshed together with bounded concurrency, counting every request.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt as _;
use serde::Serialize;
use serde_json::{Value, json};
use skyport_accounts::LoginRequest;
use skyport_store::Db;
use skyport_store::table::accounts::{self, AccountRow, SessionState};
use skyport_tests::approve;
use skyport_tests::localnet::{Account, Network};

use crate::flow_rs;
use crate::stats::{Samples, Summary};
use crate::timeline::{Event, Kind, Timeline};

/// How many refreshes run at once: what the desktop app's background refresher uses.
pub const REFRESH_CONCURRENCY: usize = 4;
/// How many accounts are created or signed in at once while setting up.
const SETUP_CONCURRENCY: usize = 4;

/// `skyport status --json` over a seeded store.
#[derive(Debug, Clone, Serialize)]
pub struct Seeded {
    pub accounts: usize,
    /// Bytes of avatar image stored per account (0: none).
    pub avatar_bytes: usize,
    pub db_bytes: u64,
    pub seed_ms: f64,
    pub wall_ms: Summary,
    pub max_rss_mib: Summary,
    pub stdout_bytes: usize,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Writes `n` accounts into a new store in `home`, in one transaction.
pub fn seed(home: &Path, n: usize, avatar_bytes: usize) -> Result<f64, String> {
    let started = Instant::now();
    let db = Db::open(&home.join("skyport.db")).map_err(|e| e.to_string())?;
    let now = now();
    let avatar: Vec<u8> = (0..avatar_bytes).map(|i| (i * 31 % 251) as u8).collect();
    db.write(|c| {
        for i in 0..n {
            let did = format!("did:plc:seed{i:020}");
            let pds = format!("https://pds{}.host.bsky.network", i % 40);
            let row = AccountRow {
                did: did.clone(),
                handle: Some(format!("user{i}.bsky.social")),
                display_name: Some(format!("Seeded user {i}")),
                has_avatar: false,
                pds_url: pds.clone(),
                issuer: "https://bsky.social".into(),
                token_endpoint: "https://bsky.social/oauth/token".into(),
                revocation_endpoint: Some("https://bsky.social/oauth/revoke".into()),
                client_id: "https://app.skyport.dev/oauth-client-metadata.json".into(),
                requested_scope: "atproto transition:generic".into(),
                granted_scope: "atproto transition:generic".into(),
                expires_at: now + 3600 - (i as i64 % 3600),
                session_started_at: now - 86_400,
                session_generation: 1,
                last_refresh_at: Some(now - 600),
                last_refresh_result: Some("ok".into()),
                state: SessionState::SignedIn,
                status_reason: None,
                active: false,
                position: i as i64,
                dpop_thumbprint: format!("{:043}", i),
                added_at: now - 86_400,
                updated_at: now,
            };
            accounts::upsert_session(c, &row)?;
            if avatar_bytes > 0 {
                accounts::set_profile(c, &did, row.display_name.as_deref(), Some((&avatar, "image/jpeg")))?;
            }
        }
        accounts::set_active(c, "did:plc:seed00000000000000000000")?;
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// `skyport-bench rusage -- PROGRAM ARGS...`: runs the program once and prints its wall
/// time and peak RSS (`getrusage(RUSAGE_CHILDREN)`: this process has no other child).
pub fn rusage_main(args: &[String]) -> Result<(), String> {
    let (program, rest) = args.split_first().ok_or("usage: skyport-bench rusage -- PROGRAM ARGS...")?;
    let started = Instant::now();
    let out = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map_err(|e| e.to_string())?;
    let listed = serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v["accounts"].as_array().map(Vec::len));
    println!(
        "{}",
        json!({
            "wall_ms": wall_ms,
            "max_rss_kib": usage.max_rss(),
            "success": out.status.success(),
            "stdout_bytes": out.stdout.len(),
            "accounts": listed,
        })
    );
    Ok(())
}

/// Seeds `n` accounts and runs `skyport status --json` `runs` times.
pub fn seeded(
    net: &Network,
    skyport: &Path,
    n: usize,
    avatar_bytes: usize,
    runs: usize,
) -> Result<Seeded, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let seed_ms = seed(home.path(), n, avatar_bytes)?;
    let db_bytes = ["skyport.db", "skyport.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(home.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut samples = Samples::default();
    let mut stdout_bytes = 0;
    for _ in 0..runs {
        let out = Command::new(&me)
            .arg("rusage")
            .arg("--")
            .arg(skyport)
            .args(["status", "--json"])
            .envs(flow_rs::env(home.path(), net))
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("rusage output: {e}"))?;
        if v["success"] != true || v["accounts"].as_u64() != Some(n as u64) {
            return Err(format!("skyport status --json over {n} seeded accounts: {v}"));
        }
        samples.add("wall_ms", v["wall_ms"].as_f64().unwrap_or(f64::NAN));
        samples.add("max_rss_mib", v["max_rss_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0);
        stdout_bytes = v["stdout_bytes"].as_u64().unwrap_or(0) as usize;
    }
    let s = samples.summaries();
    let get = |k: &str| s.get(k).copied().ok_or_else(|| format!("no {k} samples"));
    Ok(Seeded {
        accounts: n,
        avatar_bytes,
        db_bytes,
        seed_ms,
        wall_ms: get("wall_ms")?,
        max_rss_mib: get("max_rss_mib")?,
        stdout_bytes,
    })
}

/// Many real accounts refreshed together.
#[derive(Debug, Clone, Serialize)]
pub struct Real {
    pub accounts: usize,
    pub concurrency: usize,
    /// Creating the accounts on the PDS (server work, for reference).
    pub create_ms: f64,
    /// Signing every account in (approval included: the PDS hashes each password).
    pub sign_in_ms: f64,
    /// One round = every account refreshed once.
    pub round_ms: Summary,
    pub round_requests: Summary,
    /// Latency of one refresh inside a round.
    pub refresh_ms: Summary,
    /// Keychain calls per round.
    pub round_keychain_calls: Summary,
    /// Token requests (`POST /oauth/token`) per round.
    pub round_token_requests: Summary,
    /// The PDS's share of a round: how long at least one of the round's requests was at the
    /// PDS (sent, its response not yet read), overlaps counted once, as timed around each
    /// exchange by the timeline's HTTP wrapper.
    pub round_pds_ms: Summary,
    /// The round trips of the round's requests added up (concurrent ones each counted).
    pub round_request_sum_ms: Summary,
    /// One request's round trip inside a round.
    pub request_ms: Summary,
    /// How long at least one keychain call was under way in a round (overlaps counted once).
    pub round_keychain_ms: Summary,
    /// How long a keychain call was under way while no request was (overlaps counted once).
    pub round_keychain_only_ms: Summary,
    /// How long neither a request nor a keychain call was under way in a round (SQLite,
    /// locks, DPoP proofs, scheduling).
    pub round_neither_ms: Summary,
    /// Secret Service connections made during the rounds (the product's counter).
    pub round_keychain_connections: Option<usize>,
    pub rounds: usize,
    pub sign_out_all_ms: f64,
    pub sign_out_all_requests: usize,
}

/// Creates `n` accounts, signs them all in to one store, refreshes them all `runs` times.
pub async fn real(net: &Network, n: usize, runs: usize) -> Result<Real, String> {
    let started = Instant::now();
    let created: Vec<Result<Account, String>> = futures::stream::iter(0..n)
        .map(|_| async { net.create_unique_account("scale").await.map_err(|e| e.to_string()) })
        .buffer_unordered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let created: Vec<Account> = created.into_iter().collect::<Result<_, _>>()?;
    let create_ms = started.elapsed().as_secs_f64() * 1000.0;

    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let timeline = Timeline::new(flow_rs::names(net));
    let (accounts, counting) = flow_rs::open(home.path(), net, &timeline)?;
    let accounts = Arc::new(accounts);
    let started = Instant::now();
    let signed_in: Vec<Result<String, String>> = futures::stream::iter(created.iter())
        .map(|a| {
            let accounts = accounts.clone();
            async move {
                let request = LoginRequest {
                    identifier: a.handle.clone(),
                    scope: None,
                    loopback_port: Some(flow_rs::LOOPBACK_PORT),
                };
                let started = accounts.start_login(&request).await.map_err(|e| e.to_string())?;
                let callback = approve::approve(&started.authorization_url, &a.handle, &a.password)
                    .await
                    .map_err(|e| e.to_string())?;
                let done = accounts.complete_login(&callback).await.map_err(|e| e.to_string())?;
                Ok(done.account.did)
            }
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let dids: Vec<String> = signed_in.into_iter().collect::<Result<_, _>>()?;
    let sign_in_ms = started.elapsed().as_secs_f64() * 1000.0;

    let mut samples = Samples::default();
    let connections_before = crate::keychain::connections();
    for _ in 0..runs {
        counting.reset();
        let (results, span) = timeline
            .measure(
                futures::stream::iter(dids.iter())
                    .map(|did| {
                        let accounts = accounts.clone();
                        async move {
                            let t = Instant::now();
                            let r = accounts.refresh(Some(did)).await.map_err(|e| e.to_string());
                            (r, t.elapsed().as_secs_f64() * 1000.0)
                        }
                    })
                    .buffer_unordered(REFRESH_CONCURRENCY)
                    .collect::<Vec<_>>(),
            )
            .await;
        for (r, ms) in results {
            r.map_err(|e| format!("refresh in a round of {n}: {e}"))?;
            samples.add("refresh_ms", ms);
        }
        let ms = |us: u64| us as f64 / 1000.0;
        samples.add("round_ms", ms(span.us()));
        samples.add("round_requests", counting.log().len() as f64);
        samples.add("round_keychain_calls", span.keychain().count() as f64);
        samples.add(
            "round_token_requests",
            span.http().filter(|e| e.what.starts_with("POST ") && e.what.ends_with("/oauth/token")).count()
                as f64,
        );
        samples.add("round_pds_ms", ms(span.busy_us(|e| e.kind == Kind::Http)));
        samples.add("round_request_sum_ms", ms(span.http().map(Event::us).sum()));
        for e in span.http() {
            samples.add("request_ms", ms(e.us()));
        }
        samples.add("round_keychain_ms", ms(span.busy_us(|e| e.kind == Kind::Keychain)));
        samples.add(
            "round_keychain_only_ms",
            ms(span.busy_us(|_| true).saturating_sub(span.busy_us(|e| e.kind == Kind::Http))),
        );
        samples.add("round_neither_ms", ms(span.us().saturating_sub(span.busy_us(|_| true))));
    }
    let round_keychain_connections =
        crate::keychain::connections().zip(connections_before).map(|(after, before)| after - before);

    counting.reset();
    let started = Instant::now();
    let out = accounts.sign_out_all().await.map_err(|e| e.to_string())?;
    let sign_out_all_ms = started.elapsed().as_secs_f64() * 1000.0;
    if out.iter().any(|r| !r.revoked) {
        return Err("sign-out of a scale account did not revoke".into());
    }
    let s: BTreeMap<String, Summary> = samples.summaries();
    let get = |k: &str| s.get(k).copied().ok_or_else(|| format!("no {k} samples"));
    Ok(Real {
        accounts: n,
        concurrency: REFRESH_CONCURRENCY,
        create_ms,
        sign_in_ms,
        round_ms: get("round_ms")?,
        round_requests: get("round_requests")?,
        refresh_ms: get("refresh_ms")?,
        round_keychain_calls: get("round_keychain_calls")?,
        round_token_requests: get("round_token_requests")?,
        round_pds_ms: get("round_pds_ms")?,
        round_request_sum_ms: get("round_request_sum_ms")?,
        request_ms: get("request_ms")?,
        round_keychain_ms: get("round_keychain_ms")?,
        round_keychain_only_ms: get("round_keychain_only_ms")?,
        round_neither_ms: get("round_neither_ms")?,
        round_keychain_connections,
        rounds: runs,
        sign_out_all_ms,
        sign_out_all_requests: counting.log().len(),
    })
}
