//! The commands, each a few lines over `skyport-accounts`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use skyport_accounts::{Accounts, Config, LoginCompleted, LoginRequest};

use crate::cli::{Cli, Command};
use crate::output::{self, Failure};

pub async fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::ClientMetadata { action } = cli.command {
        return crate::client_metadata::run(action, cli.json).await;
    }
    let config = Config::from_env()?;
    // A log file that cannot be opened is not a reason to fail the command.
    let _ = skyport_accounts::init_logging(&config.home);
    let accounts = Arc::new(Accounts::open(config)?);
    match dispatch(&accounts, cli).await {
        Err(Failure::Account(e)) => Err(with_command(&accounts, e)),
        other => other,
    }
}

/// An error with the exact command that fixes it, when it concerns one account.
fn with_command(accounts: &Accounts, e: skyport_accounts::Error) -> Failure {
    match &e {
        skyport_accounts::Error::NeedsSignIn { did, .. } => {
            let who = accounts
                .account(Some(did))
                .ok()
                .and_then(|a| a.handle)
                .map(|h| format!("@{h}"))
                .unwrap_or_else(|| did.clone());
            Failure::Hinted(e, format!("sign in again with `skyport login {who}`"))
        }
        _ => Failure::Account(e),
    }
}

async fn dispatch(accounts: &Arc<Accounts>, cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
    let accounts = accounts.clone();
    let now = || {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    };
    match cli.command {
        Command::Login { identifier, scope, no_browser, timeout } => {
            let done =
                login(&accounts, identifier, scope, no_browser, Duration::from_secs(timeout), json).await?;
            if json {
                output::json(&done);
            } else {
                let who = done
                    .account
                    .handle
                    .as_deref()
                    .map(|h| format!("@{h}"))
                    .unwrap_or(done.account.did.clone());
                let verb = if done.updated { "Updated" } else { "Signed in as" };
                println!("✓ {verb} {who} (now the active account)");
                output::print_handle_change(&done);
            }
        }
        Command::Complete { callback_url } => {
            let done = accounts.complete_login(&callback_url).await?;
            if json {
                output::json(&done);
            } else {
                println!("✓ Signed in as {}", done.account.handle.as_deref().unwrap_or(&done.account.did));
                output::print_handle_change(&done);
            }
        }
        Command::Status => {
            let (list, keychain) = blocking(&accounts, |a| a.overview()).await?;
            if json {
                output::json(&json!({ "accounts": list, "keychain": keychain }));
            } else if list.is_empty() {
                println!("No accounts. Sign in with: skyport login <handle>");
            } else {
                match keychain {
                    skyport_accounts::KeychainState::Available => {}
                    skyport_accounts::KeychainState::Locked => {
                        println!("⚠ Your system keychain is locked — unlock it to use your accounts.")
                    }
                    skyport_accounts::KeychainState::Unavailable => {
                        println!("⚠ No system keychain is available; accounts cannot be used until one is.")
                    }
                }
                for a in &list {
                    output::print_account(a, now());
                }
            }
            // Like `gh auth status`: exit 1 when something needs the user (documented).
            let attention = !list.is_empty() && keychain != skyport_accounts::KeychainState::Available
                || list.iter().any(|a| {
                    matches!(
                        a.status,
                        skyport_accounts::AccountStatus::NeedsSignIn
                            | skyport_accounts::AccountStatus::KeychainLocked
                    )
                });
            if attention {
                return Err(Failure::Exit(1));
            }
        }
        Command::Switch { account } => {
            let target = blocking(&accounts, {
                let account = account.clone();
                move |a| a.account(Some(&account))
            })
            .await?;
            if target.status == skyport_accounts::AccountStatus::NeedsSignIn {
                let who = target.handle.as_deref().map(|h| format!("@{h}")).unwrap_or(target.did.clone());
                let reason = target.status_reason.unwrap_or(skyport_accounts::SignInReason::Unknown);
                return Err(Failure::Hinted(
                    skyport_accounts::Error::NeedsSignIn { did: target.did, reason },
                    format!(
                        "not switched; sign in again with `skyport login {who}` (it becomes the active account)"
                    ),
                ));
            }
            let a = blocking(&accounts, move |a| a.switch(&account)).await?;
            if json {
                output::json(&a);
            } else {
                println!(
                    "✓ Active account: {}",
                    a.handle.as_deref().map(|h| format!("@{h}")).unwrap_or(a.did)
                );
            }
        }
        Command::Refresh { account } => {
            let a = accounts.refresh(account.as_deref()).await?;
            if json {
                output::json(&a);
            } else {
                println!(
                    "✓ Refreshed {} — token expires {}",
                    a.handle.as_deref().unwrap_or(&a.did),
                    output::relative(a.expires_at - now())
                );
            }
        }
        Command::Logout { account, all } => {
            let results = if all {
                accounts.sign_out_all().await?
            } else {
                vec![accounts.sign_out(account.as_deref()).await?]
            };
            if json {
                output::json(&json!({ "signed_out": results }));
            } else if results.is_empty() {
                println!("No accounts to sign out of.");
            } else {
                for r in results {
                    let who = r.handle.as_deref().map(|h| format!("@{h}")).unwrap_or_else(|| r.did.clone());
                    match (r.revoked, &r.revoke_error) {
                        (true, _) => println!("✓ Signed out {who} (revoked at the server)"),
                        (false, why) => println!(
                            "✓ Removed {who} from this device; the server could not revoke the session ({})",
                            why.as_deref().unwrap_or("unknown reason")
                        ),
                    }
                    if let Some(next) = r.new_active {
                        println!("  Active account is now {next}");
                    }
                }
            }
        }
        Command::Scopes { account } => {
            let view = accounts.scopes_checked(account.as_deref()).await?;
            if json {
                output::json(&view);
            } else {
                for g in &view.groups {
                    println!("{}", g.title);
                    for i in &g.items {
                        let mark = match i.level {
                            skyport_accounts::Level::Danger => "‼",
                            skyport_accounts::Level::Warning => "!",
                            skyport_accounts::Level::Info => "·",
                        };
                        println!("  {mark} {} — {}\n      {}", i.title, i.detail, i.raw);
                    }
                }
                if !view.missing.is_empty() {
                    println!("Requested but not granted: {}", view.missing.join(" "));
                }
                if !view.unchecked.is_empty() {
                    println!(
                        "Could not check (the permission set could not be read): {}",
                        view.unchecked.join(" ")
                    );
                }
                if !view.available_items.is_empty() {
                    let did = view.did.clone();
                    let who = blocking(&accounts, move |a| a.account(Some(&did))).await?;
                    let who = who.handle.map(|h| format!("@{h}")).unwrap_or(who.did);
                    println!("Can be added:");
                    for i in &view.available_items {
                        println!(
                            "  + {} — {}\n      skyport login {who} --scope \"{}\"",
                            i.title,
                            i.detail,
                            view.with_more(&[&i.raw])
                        );
                    }
                }
            }
        }
        Command::Api { nsid, params, input, method, headers, content_type, paginate, account } => {
            let call =
                crate::api::ApiCall { nsid, params, input, method, headers, content_type, paginate, account };
            crate::api::run(&accounts, call, json).await?
        }
        Command::Doctor => {
            let d = accounts.doctor().await?;
            if json {
                output::json(&d);
            } else {
                println!("Skyport {}", d.version);
                println!("  Data directory   {}", d.data_dir);
                let keychain = serde_json::to_value(d.keychain_state).unwrap_or_default();
                println!(
                    "  Keychain         {} ({})",
                    d.keychain_backend,
                    keychain.as_str().unwrap_or_default()
                );
                let profile = if d.loopback_allowed {
                    format!("{} — plain http to loopback hosts ALLOWED", d.network_profile)
                } else {
                    d.network_profile.clone()
                };
                println!("  Network profile  {profile}");
                println!("  PLC directory    {}", d.plc_directory);
                println!("  Handles          {}", d.handle_resolution);
                println!("  Client           {} ({})", d.client_kind, d.client_id);
                println!("  Redirect URI     {}", d.redirect_uri);
                match d.clock_offset_secs {
                    Some(o) if o.abs() > 60 => {
                        println!("  Clock            ⚠ off by {o} s against the PDS — fix your clock")
                    }
                    Some(o) => println!("  Clock            ok ({o:+} s against the PDS)"),
                    None => println!("  Clock            not checked (no active account)"),
                }
                println!("  Accounts         {}", d.accounts);
            }
        }
        Command::ClientMetadata { .. } => {}
        Command::Agent { action } => crate::agent::run(&accounts, action, json).await?,
        Command::Run { account, read_only, command } => {
            crate::agent::run_command(&accounts, account, read_only, command).await?
        }
    }
    Ok(())
}

/// Runs a synchronous account call (SQLite, the keychain) on the blocking pool rather than on
/// the async runtime's thread.
pub(crate) async fn blocking<T: Send + 'static>(
    accounts: &Arc<Accounts>,
    work: impl FnOnce(&Accounts) -> Result<T, skyport_accounts::Error> + Send + 'static,
) -> Result<T, Failure> {
    let accounts = accounts.clone();
    match tokio::task::spawn_blocking(move || work(&accounts)).await {
        Ok(result) => Ok(result?),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Starts a login and waits for its callback (the core's login driver: the loopback
/// listener, or another process such as the desktop app or `skyport complete`).
async fn login(
    accounts: &Arc<Accounts>,
    identifier: String,
    scope: Option<String>,
    no_browser: bool,
    timeout: Duration,
    json: bool,
) -> Result<LoginCompleted, Failure> {
    let handle = accounts.login(&LoginRequest { identifier, scope, ..Default::default() }).await?;
    let started = handle.started();
    if json {
        output::json(&json!({ "authorization_url": started.authorization_url }));
    } else {
        println!("{}", started.authorization_url);
        eprintln!("Sign in at {} in your browser (the link above). Waiting…", started.server);
    }
    if !no_browser && !open_browser(&started.authorization_url) {
        eprintln!("Could not open a browser; open the link above yourself.");
    }
    Ok(handle.wait(timeout).await?)
}

fn open_browser(url: &str) -> bool {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
