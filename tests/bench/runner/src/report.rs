//! Everything one run measured, written as JSON (`bench.json`), an SVG chart of the login
//! phases, and BENCHMARKS.md.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use skyport_tests::localnet::Network;

use crate::agent::InProcess;
use crate::agent_upload::Upload;
use crate::desktop::AppResult;
use crate::flows::ProcessResult;
use crate::keychain::Keychain;
use crate::machine::Machine;
use crate::scale::{Real, Seeded};
use crate::stats::{Samples, Summary};

/// The whole run.
#[derive(Debug, Serialize)]
pub struct Report {
    pub command: String,
    pub mode: &'static str,
    /// The Cargo profile the measured binaries were built with.
    pub build: &'static str,
    pub runs: usize,
    pub date: String,
    pub duration_s: f64,
    pub machine: Machine,
    pub network: BTreeMap<String, Value>,
    pub logins: Option<Logins>,
    /// Milliseconds per keychain call, and the connections they made.
    pub keychain: Option<Keychain>,
    /// Microseconds per proof (or key), over criterion's samples.
    pub dpop_criterion: Option<BTreeMap<String, Summary>>,
    pub dpop_jose: Option<Value>,
    pub scale: Scale,
    pub agent: Option<AgentBench>,
    pub desktop: Option<Desktop>,
}

/// Both clients' processes.
#[derive(Debug, Default, Serialize)]
pub struct Logins {
    pub ts: Vec<ProcessResult>,
    pub skyport: Vec<ProcessResult>,
}

/// Summaries of one client's logins: index 0 cold, 1 warm.
pub struct ClientSummary {
    pub logins: Vec<BTreeMap<String, Summary>>,
    pub startup: BTreeMap<String, Summary>,
    pub approvals: Option<Summary>,
}

impl Logins {
    /// Summaries per login index for one client.
    pub fn summarize(runs: &[ProcessResult]) -> ClientSummary {
        let n = runs.iter().map(|r| r.logins.len()).max().unwrap_or(0);
        let logins = (0..n)
            .map(|i| {
                let mut s = Samples::default();
                for r in runs {
                    if let Some(l) = r.logins.get(i) {
                        s.add_all(&l.metrics);
                    }
                }
                s.summaries()
            })
            .collect();
        let mut startup = Samples::default();
        let mut approvals = Vec::new();
        for r in runs {
            startup.add_all(&r.startup);
            approvals.extend(&r.approvals_ms);
        }
        ClientSummary { logins, startup: startup.summaries(), approvals: Summary::of(&approvals) }
    }
}

/// Many accounts.
#[derive(Debug, Default, Serialize)]
pub struct Scale {
    pub seeded: Vec<Seeded>,
    pub real: Option<Real>,
}

/// The agent: calls in the runner's process, the 50 MB upload through its own process.
#[derive(Debug, Serialize)]
pub struct AgentBench {
    pub calls: InProcess,
    pub upload: Upload,
    /// How long the section took, set-up included.
    pub duration_s: f64,
}

/// The desktop app and the bare window.
#[derive(Debug, Serialize)]
pub struct Desktop {
    pub skipped: Option<String>,
    pub idle_secs: u64,
    pub app: Option<AppResult>,
    pub bare: Option<AppResult>,
}

impl Desktop {
    /// A section that could not run here (smoke mode only).
    pub fn skipped(why: &str) -> Self {
        Self { skipped: Some(why.to_owned()), idle_secs: 0, app: None, bare: None }
    }
}

impl Report {
    /// An empty report for this run.
    pub fn new(command: &str, smoke: bool, runs: usize, machine: Machine, net: &Network) -> Self {
        let mut network = BTreeMap::new();
        network.insert("node".into(), Value::from(net.info().node.clone()));
        for (k, v) in &net.info().timings {
            network.insert(format!("start_{k}"), Value::from(*v));
        }
        Self {
            command: command.to_owned(),
            mode: if smoke { "smoke" } else { "full" },
            build: if cfg!(debug_assertions) { "debug" } else { "release" },
            runs,
            date: crate::machine::utc_now(),
            duration_s: 0.0,
            machine,
            network,
            logins: None,
            keychain: None,
            dpop_criterion: None,
            dpop_jose: None,
            scale: Scale::default(),
            agent: None,
            desktop: None,
        }
    }

    /// Writes `bench.json` and `login-phases.svg` into `out`, and the Markdown report.
    pub fn write(&self, out: &Path, markdown: &Path) -> Result<(), String> {
        std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let write = |path: &Path, text: &str| {
            std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
        };
        write(&out.join("bench.json"), &format!("{json}\n"))?;
        let svg_path = out.join("login-phases.svg");
        if let Some(l) = &self.logins {
            let ts = Logins::summarize(&l.ts);
            let rs = Logins::summarize(&l.skyport);
            write(&svg_path, &crate::svg::login_phases(&ts, &rs))?;
        }
        let base = markdown.parent().unwrap_or(Path::new("."));
        let svg_rel = relative(base, &svg_path);
        let json_rel = relative(base, &out.join("bench.json"));
        if let Some(dir) = markdown.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        write(markdown, &crate::report_md::render(self, &svg_rel, &json_rel))
    }
}

/// `path` relative to `base` when it is inside it (for links in the Markdown).
fn relative(base: &Path, path: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (b, p) = (canon(base), canon(path));
    p.strip_prefix(&b).map(|r| r.display().to_string()).unwrap_or_else(|_| p.display().to_string())
}
