//! `skyport agent …` and `skyport run`: thin commands over `skyport-agent` and the connected
//! apps of `skyport-accounts`.

use std::sync::Arc;

use serde_json::json;
use skyport_accounts::Accounts;
use skyport_accounts::apps::{ConnectedApp, NewApp};
use skyport_agent::{Agent, AgentConfig, Running};

use crate::cli::AgentAction;
use crate::commands::blocking;
use crate::output::{self, Failure};

/// The environment `skyport run` gives its command. The `ATP_*` names are the ones goat and
/// many bots read for their service and app password, so such code needs no change.
fn run_env(address: &str, key: &str, did: &str, handle: &str) -> [(&'static str, String); 7] {
    [
        ("SKYPORT_AGENT_URL", address.to_owned()),
        ("SKYPORT_KEY", key.to_owned()),
        ("SKYPORT_DID", did.to_owned()),
        ("ATP_PDS_HOST", address.to_owned()),
        ("ATP_AUTH_HANDLE", handle.to_owned()),
        ("ATP_AUTH_USERNAME", handle.to_owned()),
        ("ATP_AUTH_PASSWORD", key.to_owned()),
    ]
}

fn agent_failure(e: skyport_agent::AgentError) -> Failure {
    let code = match &e {
        skyport_agent::AgentError::Instance(skyport_agent::InstanceError::AlreadyRunning { .. }) => {
            "agent_already_running"
        }
        skyport_agent::AgentError::PortInUse { .. } => "port_in_use",
        _ => "agent_unavailable",
    };
    Failure::Other { code, message: e.to_string() }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub async fn run(accounts: &Arc<Accounts>, action: AgentAction, json: bool) -> Result<(), Failure> {
    match action {
        AgentAction::Run => serve(accounts, json).await,
        AgentAction::Status => {
            let running = skyport_agent::status_of(&accounts.config().home).await;
            if json {
                output::json(&running);
            } else {
                match &running {
                    Running::Stopped => println!(
                        "The agent is not running. Start it with: skyport agent run (or open Skyport)"
                    ),
                    Running::Running(s) => {
                        println!(
                            "The agent is running at {} (process {}, up {}).",
                            s.address,
                            s.pid,
                            output::duration(s.uptime_secs as i64)
                        );
                        println!(
                            "  {}: {} forwarded, {} answered locally, {} refused, {} failed; {} in flight",
                            plural(s.requests, "request", "requests"),
                            s.forwarded,
                            s.local,
                            s.refused,
                            s.failed,
                            s.in_flight
                        );
                        println!("  {} bytes in, {} bytes out", s.bytes_in, s.bytes_out);
                    }
                    Running::NotAnswering { address, pid, error } => {
                        println!(
                            "⚠ An agent (process {pid}) holds this data directory at {address} but does not answer: {error}"
                        )
                    }
                }
            }
            if matches!(running, Running::NotAnswering { .. }) {
                return Err(Failure::Exit(1));
            }
            Ok(())
        }
        AgentAction::Allow { name, account, read_only, allow, expires } => {
            let new = NewApp { name, account, read_only, allow, expires };
            let created = blocking(accounts, move |a| a.allow_app(&new)).await?;
            let address = agent_address(accounts);
            if json {
                output::json(&json!({ "app": created.app, "key": created.key.expose(), "agent": address }));
            } else {
                println!(
                    "✓ Connected {:?} to {} ({}).",
                    created.app.name,
                    who(&created.app),
                    expiry_words(&created.app)
                );
                println!("Its key, shown only now (keep it like a password):\n");
                println!("    {}\n", created.key.expose());
                println!(
                    "Use it as the app password of createSession at {address}, or send it as Authorization: Bearer."
                );
            }
            Ok(())
        }
        AgentAction::Keys { account } => {
            let apps = blocking(accounts, move |a| a.apps(account.as_deref())).await?;
            if json {
                output::json(&json!({ "apps": apps }));
            } else if apps.is_empty() {
                println!("No connected apps. Connect one with: skyport agent allow NAME --account @handle");
            } else {
                let now = now();
                for app in &apps {
                    let used = match app.last_used_at {
                        Some(t) => {
                            format!("last used {} ago, {} calls", output::duration(now - t), app.calls)
                        }
                        None => "never used".into(),
                    };
                    println!("{}  {}  {}", app.name, who(app), app.rules_text);
                    println!(
                        "    created {} ago; {}; {}",
                        output::duration(now - app.created_at),
                        expiry_words(app),
                        used
                    );
                }
            }
            Ok(())
        }
        AgentAction::Revoke { name } => {
            let app = blocking(accounts, move |a| a.revoke_app(&name)).await?;
            if json {
                output::json(&json!({ "revoked": app }));
            } else {
                println!("✓ Revoked {:?} ({}); its next request is refused.", app.name, who(&app));
            }
            Ok(())
        }
        AgentAction::Activity { account, limit } => {
            let rows = blocking(accounts, move |a| a.activity(account.as_deref(), limit)).await?;
            if json {
                output::json(&json!({ "activity": rows }));
            } else if rows.is_empty() {
                println!("No calls yet.");
            } else {
                let now_ms = now() * 1000;
                for r in &rows {
                    println!(
                        "{:>6} ago  {:<12} {:<4} {:<45} {}  {} ms",
                        output::duration((now_ms - r.at_ms) / 1000),
                        r.key_name.as_deref().unwrap_or("(no key)"),
                        r.method,
                        r.nsid,
                        r.status,
                        r.duration_ms
                    );
                }
            }
            Ok(())
        }
    }
}

async fn serve(accounts: &Arc<Accounts>, json: bool) -> Result<(), Failure> {
    let agent = Agent::start(accounts.clone(), AgentConfig::from_accounts(accounts.config()))
        .await
        .map_err(agent_failure)?;
    if json {
        output::json(&json!({ "address": agent.url(), "pid": std::process::id() }));
    } else {
        println!("Skyport agent listening at {} (Ctrl-C stops it)", agent.url());
    }
    let _ = tokio::signal::ctrl_c().await;
    agent.stop().await;
    Ok(())
}

/// `skyport run`: a key for one command, the agent (this process's if none runs), the
/// command with the environment, then the key goes.
pub async fn run_command(
    accounts: &Arc<Accounts>,
    account: Option<String>,
    read_only: bool,
    command: Vec<String>,
) -> Result<(), Failure> {
    let (program, args) = command.split_first().ok_or_else(|| Failure::Other {
        code: "invalid_input",
        message: "name the command to run after --, e.g. skyport run -- python3 bot.py".into(),
    })?;
    let home = accounts.config().home.clone();
    let own_agent = match skyport_agent::running_agent(&home) {
        Some(_) => None,
        None => Some(
            Agent::start(accounts.clone(), AgentConfig::from_accounts(accounts.config()))
                .await
                .map_err(agent_failure)?,
        ),
    };
    let address = match (&own_agent, skyport_agent::running_agent(&home)) {
        (Some(agent), _) => agent.url(),
        (None, Some(info)) => info.address,
        (None, None) => {
            return Err(Failure::Other {
                code: "agent_unavailable",
                message: "the agent stopped before the command could start".into(),
            });
        }
    };
    // The key lives as long as this process, which outlives its command: if this process
    // is killed, the agent refuses the key from then on.
    let pid = std::process::id();
    let created = blocking(accounts, move |a| a.run_key(account.as_deref(), read_only, pid)).await?;
    let name = created.app.name.clone();
    let handle = created.app.handle.clone().unwrap_or_else(|| created.app.did.clone());
    let key = created.key.expose().to_owned();
    let mut child = tokio::process::Command::new(program);
    child.args(args).envs(run_env(&address, &key, &created.app.did, &handle));
    let status = match child.spawn() {
        Ok(mut c) => {
            // Ctrl-C goes to the command (same process group); this process waits for it to
            // end so the key is always deleted.
            loop {
                tokio::select! {
                    s = c.wait() => break s,
                    _ = tokio::signal::ctrl_c() => continue,
                }
            }
        }
        Err(e) => Err(e),
    };
    let cleanup = blocking(accounts, move |a| a.end_run_key(&name)).await;
    if let Some(agent) = own_agent {
        agent.stop().await;
    }
    cleanup?;
    let status = status.map_err(|e| Failure::Other {
        code: "run_failed",
        message: format!("cannot run {program:?}: {e}"),
    })?;
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(Failure::Exit(code.clamp(1, 255) as u8)),
        None => Err(Failure::Exit(128 + 2)),
    }
}

fn agent_address(accounts: &Accounts) -> String {
    match skyport_agent::running_agent(&accounts.config().home) {
        Some(info) => info.address,
        None => format!("http://127.0.0.1:{}", AgentConfig::from_accounts(accounts.config()).port),
    }
}

fn who(app: &ConnectedApp) -> String {
    app.handle.as_deref().map(|h| format!("@{h}")).unwrap_or_else(|| app.did.clone())
}

fn expiry_words(app: &ConnectedApp) -> String {
    match app.expires_at {
        None => "no expiry".into(),
        Some(_) if app.expired => "expired".into(),
        Some(t) => format!("expires in {}", output::duration(t - now())),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
