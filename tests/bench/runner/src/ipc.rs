//! The runner and a measured client process talk in JSON lines: the client prints
//! `{"event":"approve","url":…}` when the user would open the browser, the runner approves
//! over HTTP (the provider's password hashing is not the client's work) and answers with the
//! callback URL on one line; at the end the client prints `{"event":"result",…}`.
//! Both clients, Skyport and the TypeScript one, are driven the same way.

use std::io::{BufRead as _, Write as _};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use skyport_tests::approve;
use skyport_tests::localnet::Account;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

/// How long one client process may run.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(180);

/// Client side: prints one event line.
pub fn say(value: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// Client side: asks the runner to approve `url` and waits for the callback URL.
pub async fn approval(url: &str) -> Result<String, String> {
    say(&json!({ "event": "approve", "url": url }));
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) => Err("the runner closed stdin".to_owned()),
            Ok(_) => Ok(line.trim().to_owned()),
            Err(e) => Err(format!("stdin: {e}")),
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Runner side: what a client process reported, and how long each approval took.
pub struct Driven {
    pub result: Value,
    pub approvals_ms: Vec<f64>,
}

/// Runner side: runs a client process to its result, approving its logins as `account`.
pub async fn drive(mut cmd: tokio::process::Command, account: &Account) -> Result<Driven, String> {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).kill_on_drop(true);
    let what = format!("{:?}", cmd.as_std().get_program());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start {what}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let mut approvals_ms = Vec::new();
    let work = async {
        loop {
            let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? else {
                let status = child.wait().await.map_err(|e| e.to_string())?;
                return Err(format!("{what} ended ({status}) without a result"));
            };
            let Ok(event) = serde_json::from_str::<Value>(&line) else {
                eprintln!("[{what}] {line}");
                continue;
            };
            match event["event"].as_str() {
                Some("approve") => {
                    let url = event["url"].as_str().ok_or("approve without url")?;
                    let started = Instant::now();
                    let callback = approve::approve(url, &account.handle, &account.password)
                        .await
                        .map_err(|e| format!("approval: {e}"))?;
                    approvals_ms.push(started.elapsed().as_secs_f64() * 1000.0);
                    stdin.write_all(format!("{callback}\n").as_bytes()).await.map_err(|e| e.to_string())?;
                    stdin.flush().await.map_err(|e| e.to_string())?;
                }
                Some("result") => {
                    let status = child.wait().await.map_err(|e| e.to_string())?;
                    if !status.success() {
                        return Err(format!("{what} exited with {status}"));
                    }
                    return Ok(event);
                }
                _ => return Err(format!("{what}: unexpected line {line}")),
            }
        }
    };
    let result = tokio::time::timeout(PROCESS_TIMEOUT, work)
        .await
        .map_err(|_| format!("{what} did not finish in {PROCESS_TIMEOUT:?}"))??;
    Ok(Driven { result, approvals_ms })
}
