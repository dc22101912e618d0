//! `skyport agent …` and `skyport run` as a user types them, against the local network and
//! the real Secret Service: connect a program, serve, use the key, list, revoke, and a key
//! that lives exactly as long as one command.

mod support;

use std::process::Stdio;

use serde_json::Value;
use skyport_tests::keyring::require_secret_service;
use skyport_tests::localnet::Network;
use support::Home;
use tokio::io::{AsyncBufReadExt as _, BufReader};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn get_session(url: &str, key: &str) -> (u16, Value) {
    let res = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{url}/xrpc/com.atproto.server.getSession"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn connect_serve_use_list_and_revoke_a_program() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let mut home = Home::new(net);
    let port = free_port();
    home.set_env("SKYPORT_AGENT_PORT", &port.to_string());
    let alice = net.create_unique_account("agcli").await.unwrap();
    home.login(&alice).await;

    let made = home
        .json(&["agent", "allow", "feed-bot", "--account", &format!("@{}", alice.handle), "--expires", "30d"])
        .await;
    let key = made["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("skp_") && key.len() == 47, "{made}");
    assert_eq!(made["app"]["rules_text"], "read and write");
    let human = home.run(&["agent", "allow", "reader", "--read-only", "--allow", "app.bsky.feed.*"]).await;
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("shown only now") && text.contains("skp_"), "{text}");
    let taken = home.error(&["agent", "allow", "feed-bot"]).await;
    assert_eq!(taken, "invalid_input");
    assert_eq!(home.error(&["agent", "allow", "x", "--expires", "soon"]).await, "invalid_input");
    assert_eq!(home.error(&["agent", "allow", "y", "--allow", "not a method"]).await, "invalid_input");

    // Nothing serves yet.
    let status = home.json(&["agent", "status"]).await;
    assert_eq!(status["state"], "stopped", "{status}");

    let mut agent = home
        .command(&["agent", "run", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(agent.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    let url = first["address"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("http://127.0.0.1:{port}"));

    let (status, me) = get_session(&url, &key).await;
    assert_eq!((status, me["did"].as_str()), (200, Some(alice.did.as_str())), "{me}");

    let running = home.json(&["agent", "status"]).await;
    assert_eq!(
        (running["state"].as_str(), running["address"].as_str()),
        (Some("running"), Some(url.as_str())),
        "{running}"
    );
    assert!(running["forwarded"].as_u64().unwrap() >= 1, "{running}");

    // A second agent for the same data directory refuses, naming the first.
    let second = home.run(&["agent", "run"]).await;
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("already running") && err.contains(&url), "{err}");

    let keys = home.json(&["agent", "keys"]).await;
    let names: Vec<_> =
        keys["apps"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["feed-bot", "reader"]);
    let bot = &keys["apps"][0];
    assert_eq!(bot["calls"], 1, "{bot}");
    assert!(bot["last_used_at"].as_i64().is_some() && bot["expires_at"].as_i64().is_some(), "{bot}");

    let activity = home.json(&["agent", "activity"]).await;
    assert_eq!(activity["activity"][0]["nsid"], "com.atproto.server.getSession", "{activity}");

    // Revoked from the terminal: the running agent refuses the next request.
    home.json(&["agent", "revoke", "feed-bot"]).await;
    assert_eq!(get_session(&url, &key).await.0, 401);
    assert_eq!(home.error(&["agent", "revoke", "feed-bot"]).await, "unknown_app");

    // Signing out deletes the account's other keys.
    home.json(&["logout", &alice.did]).await;
    assert!(home.json(&["agent", "keys"]).await["apps"].as_array().unwrap().is_empty());

    agent.kill().await.unwrap();
    let _ = agent.wait().await;
    let secrets = [key.as_str()];
    let printed = home.printed();
    skyport_tests::secrets::assert_absent_in_dir(home.path(), &secrets.map(str::to_owned));
    // The key was printed to the user exactly once per command that made it, never again.
    let count = String::from_utf8_lossy(&printed).matches(key.as_str()).count();
    assert_eq!(count, 1, "the key appears only in `agent allow`'s own output");
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn skyport_run_hands_a_key_that_works_only_while_the_command_runs() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let mut home = Home::new(net);
    home.set_env("SKYPORT_AGENT_PORT", &free_port().to_string());
    let alice = net.create_unique_account("agrun").await.unwrap();
    home.login(&alice).await;
    let saved = home.path().join("seen.txt");
    // The command (no agent running: skyport run serves one itself) uses the key as curl
    // would, and keeps what it was given.
    let script = format!(
        r#"curl -s -H "Authorization: Bearer $SKYPORT_KEY" "$SKYPORT_AGENT_URL/xrpc/com.atproto.server.getSession"; printf '\n%s %s %s %s' "$SKYPORT_AGENT_URL" "$SKYPORT_KEY" "$ATP_AUTH_HANDLE" "$ATP_AUTH_PASSWORD" > {}"#,
        saved.display()
    );
    let out = home.run(&["run", "--", "sh", "-c", &script]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let session: Value = serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(session["did"], alice.did.as_str(), "{session}");
    let seen = std::fs::read_to_string(&saved).unwrap();
    let parts: Vec<&str> = seen.split(' ').collect();
    let (url, key, handle, password) = (parts[0], parts[1], parts[2], parts[3]);
    assert!(key.starts_with("skp_"));
    assert_eq!((handle, password), (alice.handle.as_str(), key));
    // The command ended: its key is gone, and nothing is left in the list.
    assert!(home.json(&["agent", "keys"]).await["apps"].as_array().unwrap().is_empty());
    let mut agent = home.command(&["agent", "run", "--json"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(agent.stdout.take().unwrap()).lines();
    let _ = lines.next_line().await.unwrap();
    assert_eq!(get_session(url, key).await.0, 401, "the key died with its command");

    // A read-only run refuses procedures; the command's exit status is passed on.
    let create = r#"curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $SKYPORT_KEY" -H 'content-type: application/json' -d '{}' "$SKYPORT_AGENT_URL/xrpc/com.atproto.repo.createRecord"; exit 7"#;
    let out = home.run(&["run", "--read-only", "--", "sh", "-c", create]).await;
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "403");
    agent.kill().await.unwrap();
}

/// The agent process's resident memory now and at its peak (kB), from /proc.
fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn a_50_mb_upload_grows_the_agents_memory_by_less_than_16_mb() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let mut home = Home::new(net);
    home.set_env("SKYPORT_AGENT_PORT", &free_port().to_string());
    let alice = net.create_unique_account("agmem").await.unwrap();
    home.login(&alice).await;
    let key = home.json(&["agent", "allow", "uploader"]).await["key"].as_str().unwrap().to_owned();
    let mut agent = home.command(&["agent", "run", "--json"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(agent.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    let (url, pid) = (first["address"].as_str().unwrap().to_owned(), first["pid"].as_u64().unwrap() as u32);
    // Warm up the paths an upload takes (session, keychain read, spool) with a small one.
    let small = home.path().join("small.png");
    std::fs::write(&small, vec![7u8; 2 * 1024 * 1024]).unwrap();
    let big = home.path().join("big.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..50 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    std::fs::write(&big, &bytes).unwrap();
    drop(bytes);
    let upload = |file: std::path::PathBuf| {
        let (url, key) = (url.clone(), key.clone());
        async move {
            let out = tokio::process::Command::new("curl")
                .args([
                    "-sS",
                    "--fail-with-body",
                    "-H",
                    &format!("Authorization: Bearer {key}"),
                    "-H",
                    "Content-Type: image/png",
                ])
                .arg("--data-binary")
                .arg(format!("@{}", file.display()))
                .arg(format!("{url}/xrpc/com.atproto.repo.uploadBlob"))
                .output()
                .await
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
            serde_json::from_slice::<Value>(&out.stdout).unwrap()
        }
    };
    upload(small).await;
    // Reset the peak (VmHWM) so it measures this upload only (proc(5), clear_refs).
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
    let (before, reset_peak) = memory_kb(pid);
    assert!(reset_peak <= before + 1024, "the peak was reset: {reset_peak} kB vs {before} kB");
    let blob = upload(big).await;
    assert_eq!(blob["blob"]["size"], 50 * 1024 * 1024 + 8, "{blob}");
    let (_, peak) = memory_kb(pid);
    let grown_mb = peak.saturating_sub(before) as f64 / 1024.0;
    eprintln!("a 50 MB upload grew the agent's peak memory by {grown_mb:.1} MB");
    assert!(grown_mb < 16.0, "a 50 MB upload grew the agent's peak memory by {grown_mb:.1} MB");
    agent.kill().await.unwrap();
}
