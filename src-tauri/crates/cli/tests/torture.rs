//! SIGKILL at random points during login / refresh / API / sign-out cycles against the real
//! PDS and Secret Service. Afterwards every account is either working or explicitly marked
//! "needs sign-in", the database passes `PRAGMA integrity_check`, and no session is silently
//! lost. `SKYPORT_TORTURE_CYCLES` sets the number of cycles (default 200).

mod support;

use std::time::Duration;

use serde_json::Value;
use skyport_tests::approve;
use skyport_tests::keyring::require_secret_service;
use skyport_tests::localnet::Network;
use support::{Home, entry};

/// A small deterministic random source (the seed is printed, so a failure can be replayed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default, Debug)]
struct Tally {
    killed: usize,
    completed: usize,
    marked: usize,
}

/// Runs `args`, killing it after a random delay with probability 1/2. Returns whether it
/// completed successfully.
async fn maybe_kill(home: &Home, args: &[&str], rng: &mut Rng, tally: &mut Tally) -> bool {
    let mut child = home
        .command(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    if rng.below(2) == 0 {
        tokio::time::sleep(Duration::from_millis(rng.below(120))).await;
        let _ = child.start_kill();
        let status = child.wait().await.unwrap();
        if status.code().is_none() {
            tally.killed += 1;
            return false;
        }
        status.success()
    } else {
        child.wait().await.unwrap().success()
    }
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn sigkill_at_random_points_loses_no_session_silently() {
    require_secret_service();
    let cycles: usize =
        std::env::var("SKYPORT_TORTURE_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("torture: {cycles} cycles, seed {seed}");
    let mut rng = Rng(seed);
    let net = Network::shared();
    let home = Home::new(net);
    let who = net.create_unique_account("kill").await.unwrap();
    let mut tally = Tally::default();
    let mut signed_in = false;

    for cycle in 0..cycles {
        match (signed_in, rng.below(4)) {
            (false, _) => {
                // A login the test approves; the CLI may be killed while it waits or stores.
                let (mut child, mut lines, url) = home.start_login(&who.handle, &[]).await;
                let callback = approve::approve(&url, &who.handle, &who.password).await.unwrap();
                let kill = rng.below(2) == 0;
                let delivered = reqwest::get(&callback);
                if kill {
                    let delay = Duration::from_millis(rng.below(60));
                    let _ = tokio::time::timeout(delay, delivered).await;
                    let _ = child.start_kill();
                    let _ = child.wait().await;
                    tally.killed += 1;
                } else {
                    let _ = delivered.await;
                    let done: Value =
                        serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
                    assert_eq!(done["account"]["did"], who.did.as_str(), "cycle {cycle}");
                    assert!(child.wait().await.unwrap().success());
                    tally.completed += 1;
                }
            }
            (true, 0 | 1) => {
                if maybe_kill(&home, &["refresh"], &mut rng, &mut tally).await {
                    tally.completed += 1;
                }
            }
            (true, 2) => {
                if maybe_kill(&home, &["api", "com.atproto.server.getSession"], &mut rng, &mut tally).await {
                    tally.completed += 1;
                }
            }
            (true, _) => {
                if maybe_kill(&home, &["logout"], &mut rng, &mut tally).await {
                    tally.completed += 1;
                }
            }
        }

        // The invariants, after every cycle.
        let conn = rusqlite::Connection::open(home.db()).unwrap();
        let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok", "cycle {cycle}: database integrity");
        drop(conn);
        let status = home.status().await;
        let account = entry(&status, &who.did).clone();
        signed_in = !account.is_null();
        if !signed_in {
            continue;
        }
        if account["status"] == "needs_sign_in" {
            tally.marked += 1;
            let reason = account["status_reason"].as_str().unwrap_or_default().to_owned();
            assert!(
                matches!(
                    reason.as_str(),
                    "refresh_interrupted" | "invalid_grant" | "invalid_token" | "key_missing"
                ),
                "cycle {cycle}: explicit reason, got {reason:?}"
            );
            // Sign in again (the account row is kept for that).
            signed_in = false;
            continue;
        }
        let out = home.run(&["api", "com.atproto.server.getSession", "--json"]).await;
        if !out.status.success() {
            // Allowed only if the failure marked the account explicitly.
            let status = home.status().await;
            if entry(&status, &who.did)["status"] == "needs_sign_in" {
                tally.marked += 1;
                signed_in = false;
            } else {
                panic!(
                    "cycle {cycle}: a session that looks fine does not work: {} / {}",
                    String::from_utf8_lossy(&out.stderr),
                    entry(&status, &who.did)
                );
            }
        }
    }
    eprintln!("torture: {tally:?}, silently lost sessions: 0");
    assert!(tally.killed > cycles / 5, "the kills happened: {tally:?}");
}
