//! `skyport-bench`: Skyport's benchmark suite, next to Bluesky's TypeScript OAuth client, on
//! the local atproto network, in one run. `.ci/bench` builds it and runs
//! `skyport-bench run` inside a private D-Bus session with gnome-keyring and an Xvfb display;
//! see BENCHMARKS.md for what each figure means.
//!
//! ```text
//! skyport-bench run [--smoke] [--runs N] [--out DIR] [--markdown FILE] [--criterion DIR]
//!                   [--command TEXT] [--real-accounts N] [--seeded-accounts N] [--skip a,b]
//! skyport-bench skyport-flow --handle H --did D [--logins N]     (a measured Skyport process)
//! skyport-bench rusage -- PROGRAM ARGS...                          (wall time and peak RSS)
//! skyport-bench desktop-home DIR                    (a store with 3 signed-in accounts, to try the app)
//! ```
//!
//! Sections (`--skip` takes these names): `logins`, `keychain`, `dpop`, `scale-seeded`,
//! `scale-real`, `agent`, `desktop`.

mod agent;
mod agent_upload;
mod desktop;
mod dpop;
mod flow_rs;
mod flow_ts;
mod flows;
mod ipc;
mod keychain;
mod machine;
mod report;
mod report_md;
mod scale;
mod stats;
mod svg;
mod targets;
mod timeline;
mod wire;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use skyport_tests::localnet::{Account, Network, TESTNET_JSON_ENV};

use crate::flows::ProcessResult;
use crate::report::{AgentBench, Desktop, Logins, Report, Scale};

/// How many logins each client process does: one cold, then warm ones.
const LOGINS_PER_PROCESS: usize = 2;

/// Options of `skyport-bench run`.
#[derive(Debug, Clone)]
struct Options {
    smoke: bool,
    runs: usize,
    out: PathBuf,
    markdown: PathBuf,
    criterion: Option<PathBuf>,
    command: String,
    real_accounts: usize,
    seeded_accounts: usize,
    skip: BTreeSet<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("skyport-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("run") => parse_run(&args[1..]).and_then(|o| runtime.block_on(run(o))),
        Some("skyport-flow") => {
            let get = |name: &str| value(&args, name);
            match (get("--handle"), get("--did")) {
                (Some(h), Some(d)) => {
                    let logins = get("--logins").and_then(|n| n.parse().ok()).unwrap_or(LOGINS_PER_PROCESS);
                    runtime.block_on(flow_rs::child(&h, &d, logins))
                }
                _ => Err("usage: skyport-bench skyport-flow --handle H --did D [--logins N]".into()),
            }
        }
        Some("desktop-home") => match args.get(1) {
            Some(dir) => Network::try_shared()
                .map_err(|e| e.to_string())
                .and_then(|net| runtime.block_on(desktop_home(std::path::Path::new(dir), net))),
            None => Err("usage: skyport-bench desktop-home DIR".into()),
        },
        Some("rusage") => {
            let rest: Vec<String> = args[1..].iter().skip_while(|a| *a == "--").cloned().collect();
            scale::rusage_main(&rest)
        }
        _ => Err("usage: skyport-bench run [--smoke] ... | skyport-flow ... | rusage -- PROGRAM ...".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("skyport-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn value(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn parse_run(args: &[String]) -> Result<Options, String> {
    let smoke = args.iter().any(|a| a == "--smoke");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let number = |name: &str, default: usize| -> Result<usize, String> {
        value(args, name).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{name} {v}: not a number")))
    };
    let out = value(args, "--out").map(PathBuf::from).unwrap_or_else(|| root.join("tests/bench/results"));
    Ok(Options {
        smoke,
        runs: number("--runs", if smoke { 1 } else { 5 })?.max(1),
        markdown: value(args, "--markdown").map(PathBuf::from).unwrap_or_else(|| root.join("BENCHMARKS.md")),
        out,
        criterion: value(args, "--criterion").map(PathBuf::from),
        command: value(args, "--command")
            .unwrap_or_else(|| if smoke { ".ci/bench --smoke".into() } else { ".ci/bench".into() }),
        real_accounts: number("--real-accounts", if smoke { 10 } else { 100 })?,
        seeded_accounts: number("--seeded-accounts", 1000)?,
        skip: value(args, "--skip").map(|s| s.split(',').map(str::to_owned).collect()).unwrap_or_default(),
    })
}

fn section(o: &Options, name: &str) -> bool {
    let on = !o.skip.contains(name);
    if on {
        eprintln!("\n== {name}");
    }
    on
}

async fn run(o: Options) -> Result<(), String> {
    let began = Instant::now();
    let net_file = std::env::var_os(TESTNET_JSON_ENV)
        .map(PathBuf::from)
        .ok_or_else(|| format!("{TESTNET_JSON_ENV} is not set: run .ci/bench, which starts the network"))?;
    let net = Network::try_shared().map_err(|e| e.to_string())?;
    let mut machine = machine::describe(&Network::node_binary());
    machine.load.push(machine::load("start"));
    let mut report = Report::new(&o.command, o.smoke, o.runs, machine, net);

    if section(&o, "logins") {
        flow_ts::check_installed()?;
        let ts_account = net.create_unique_account("benchts").await.map_err(|e| e.to_string())?;
        let rs_account = net.create_unique_account("benchrs").await.map_err(|e| e.to_string())?;
        let mut logins = Logins::default();
        for i in 0..o.runs {
            // Alternate which client goes first, so neither always meets a warmer server.
            let ts_first = i % 2 == 0;
            for ts in [ts_first, !ts_first] {
                let result =
                    if ts { run_ts(&net_file, &ts_account).await? } else { run_skyport(&rs_account).await? };
                let cold = &result.logins[0].metrics;
                eprintln!(
                    "run {}/{} {:>7}: cold login {:.1} ms ({} requests), refresh {:.1} ms",
                    i + 1,
                    o.runs,
                    result.client,
                    cold.get("login_client").copied().unwrap_or(f64::NAN),
                    cold.get("req_login").copied().unwrap_or(f64::NAN),
                    cold.get("refresh").copied().unwrap_or(f64::NAN),
                );
                if ts { logins.ts.push(result) } else { logins.skyport.push(result) }
            }
        }
        report.logins = Some(logins);
        report.machine.load.push(machine::load("after the logins"));
    }

    if section(&o, "keychain") {
        let rounds = if o.smoke { 10 } else { 20 };
        report.keychain = Some(
            tokio::task::spawn_blocking(move || keychain::bench(rounds))
                .await
                .map_err(|e| e.to_string())??,
        );
    }

    if section(&o, "dpop") {
        let (batches, per_batch) = if o.smoke { (5, 50) } else { (30, 200) };
        report.dpop_jose = Some(dpop::jose(batches, per_batch).await?);
        if let Some(dir) = &o.criterion {
            report.dpop_criterion = Some(dpop::read_criterion(dir)?);
        }
    }

    let mut scale = Scale::default();
    if section(&o, "scale-seeded") {
        let skyport = desktop::sibling("skyport")?;
        // A small store first, as the baseline of a process that opens the store and the keychain.
        for (n, avatar) in [(10, 0), (o.seeded_accounts, 0), (o.seeded_accounts, 64 * 1024)] {
            let runs = o.runs;
            let (skyport, net) = (skyport.clone(), net);
            let seeded = tokio::task::spawn_blocking(move || scale::seeded(net, &skyport, n, avatar, runs))
                .await
                .map_err(|e| e.to_string())??;
            eprintln!("status --json over {n} accounts (avatar {avatar} B): {} ms", seeded.wall_ms.fmt(1));
            scale.seeded.push(seeded);
        }
    }
    if section(&o, "scale-real") {
        let real = scale::real(net, o.real_accounts, o.runs).await?;
        eprintln!(
            "refresh of {} accounts: {} ms, {} requests",
            real.accounts,
            real.round_ms.fmt(0),
            real.round_requests.fmt(0)
        );
        scale.real = Some(real);
    }
    report.scale = scale;

    if section(&o, "agent") {
        let started = Instant::now();
        let calls = agent::in_process(net, o.runs, agent::Counts::new(o.smoke)).await?;
        let skyport = desktop::sibling("skyport")?;
        let upload = agent_upload::upload(net, &skyport, o.runs).await?;
        let duration_s = started.elapsed().as_secs_f64();
        eprintln!("agent section: {duration_s:.1} s");
        report.agent = Some(AgentBench { calls, upload, duration_s });
        report.machine.load.push(machine::load("after the agent"));
    }

    if section(&o, "desktop") {
        report.desktop = Some(match desktop_section(&o, net).await {
            Ok(d) => d,
            Err(e) if o.smoke && e.starts_with("skipped:") => Desktop::skipped(&e),
            Err(e) => return Err(e),
        });
    }

    report.machine.load.push(machine::load("end"));
    report.duration_s = began.elapsed().as_secs_f64();
    report.write(&o.out, &o.markdown)?;
    eprintln!("\nwrote {} and {}", o.out.display(), o.markdown.display());
    Ok(())
}

async fn run_ts(net_file: &std::path::Path, account: &Account) -> Result<ProcessResult, String> {
    let cmd = flow_ts::command(net_file, &account.handle, &account.did, LOGINS_PER_PROCESS);
    let driven = ipc::drive(cmd, account).await?;
    let mut result = flow_ts::parse(&driven.result)?;
    result.approvals_ms = driven.approvals_ms;
    Ok(result)
}

async fn run_skyport(account: &Account) -> Result<ProcessResult, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = tokio::process::Command::new(me);
    cmd.args(["skyport-flow", "--handle", &account.handle, "--did", &account.did]);
    cmd.args(["--logins", &LOGINS_PER_PROCESS.to_string()]);
    let driven = ipc::drive(cmd, account).await?;
    let mut result = flow_rs::parse(&driven.result)?;
    result.approvals_ms = driven.approvals_ms;
    Ok(result)
}

/// Signs [`desktop::ROWS`] new accounts in to the store in `home`, as the app would.
async fn desktop_home(home: &std::path::Path, net: &Network) -> Result<(), String> {
    let timeline = timeline::Timeline::new(Vec::new());
    let (accounts, _) = flow_rs::open(home, net, &timeline)?;
    for _ in 0..desktop::ROWS {
        let a = net.create_unique_account("desk").await.map_err(|e| e.to_string())?;
        let request = skyport_accounts::LoginRequest {
            identifier: a.handle.clone(),
            scope: None,
            loopback_port: Some(flow_rs::LOOPBACK_PORT),
        };
        let started = accounts.start_login(&request).await.map_err(|e| e.to_string())?;
        let callback = skyport_tests::approve::approve(&started.authorization_url, &a.handle, &a.password)
            .await
            .map_err(|e| e.to_string())?;
        accounts.complete_login(&callback).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Three accounts signed in to a fresh store, then the app and the bare window launched
/// alternately.
async fn desktop_section(o: &Options, net: &'static Network) -> Result<Desktop, String> {
    if std::env::var_os("DISPLAY").is_none() {
        return Err("skipped: no DISPLAY (.ci/bench starts Xvfb)".into());
    }
    let tauri_driver = std::env::var_os("TAURI_DRIVER")
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .ok_or("skipped: TAURI_DRIVER is not set or missing (.ci/setup installs tauri-driver)")?;
    let app = desktop::sibling("skyport-desktop")?;
    let bare = desktop::sibling("skyport-bench-bare")?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    desktop_home(home.path(), net).await?;
    let mut env = flow_rs::env(home.path(), net);
    env.push(("SKYPORT_NO_BROWSER".into(), "1".into()));
    let driver = desktop::Driver::start(&tauri_driver, &env)?;
    let idle = Duration::from_secs(10);
    let (mut app_runs, mut bare_runs) = (Vec::new(), Vec::new());
    for i in 0..o.runs {
        let app_first = i % 2 == 0;
        for is_app in [app_first, !app_first] {
            let binary = if is_app { &app } else { &bare };
            let launch = desktop::launch(&driver, binary, idle).await?;
            eprintln!(
                "launch {}/{} {}: rendered {:.0} ms, PSS {:.1} MiB in {} processes",
                i + 1,
                o.runs,
                if is_app { "skyport-desktop" } else { "bare tauri" },
                launch.rendered_ms,
                launch.memory.pss_kib as f64 / 1024.0,
                launch.memory.processes.len()
            );
            if is_app { app_runs.push(launch) } else { bare_runs.push(launch) }
        }
    }
    Ok(Desktop {
        skipped: None,
        idle_secs: idle.as_secs(),
        app: Some(desktop::summarize(&app, app_runs)),
        bare: Some(desktop::summarize(&bare, bare_runs)),
    })
}
