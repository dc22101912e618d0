//! The desktop app under Xvfb: cold start to the account list on screen (3 accounts), and
//! the memory of every app process after 10 s idle, next to a bare Tauri window built the
//! same way (`tests/bench/bare`).
//!
//! Each launch is a new WebDriver session through tauri-driver → WebKitWebDriver, which
//! starts the app process. The clock starts when the session is requested. Inside the page,
//! a script waits until `html[data-ready='true']` and 3 `[data-testid=account-row]` are in
//! the DOM and returns `Date.now()` with the page's own timeline (`performance.timeOrigin`,
//! navigation and paint timing, and the resource entries of the IPC calls), all on the
//! same wall clock, so the figures do not include WebDriver polling.
//!
//! Memory: `/proc/<pid>/smaps_rollup` of the app process and all its descendants
//! (WebKitWebProcess, WebKitNetworkProcess). RSS counts shared pages once per process;
//! PSS divides them among the processes that share them, so the PSS total is what the app
//! costs the machine.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, ClientBuilder};
use serde::Serialize;
use serde_json::json;

use crate::stats::{Samples, Summary};

/// What each launch waits for.
pub const ROW_SELECTOR: &str = "[data-testid=account-row]";
/// How many account rows must be on screen.
pub const ROWS: usize = 3;

/// One launch.
#[derive(Debug, Clone, Serialize)]
pub struct Launch {
    /// Session requested → WebDriver session ready (the app window exists).
    pub session_ms: f64,
    /// Session requested → the page's navigation started (process start, GTK, WebKit).
    pub navigation_start_ms: Option<f64>,
    /// → DOMContentLoaded finished.
    pub dom_content_loaded_ms: Option<f64>,
    /// → first contentful paint, if WebKit reports it.
    pub first_contentful_paint_ms: Option<f64>,
    /// → the UI's script started (`skyport:script` mark; the app only).
    pub script_ms: Option<f64>,
    /// → its event listeners registered (`skyport:listening`, after 6 IPC calls).
    pub listening_ms: Option<f64>,
    /// → the account list IPC call answered (`skyport:list-answered`).
    pub list_answered_ms: Option<f64>,
    /// → the account list rendered (`skyport:listed`).
    pub list_ipc_end_ms: Option<f64>,
    /// → the account list in the DOM: the page's `skyport:listed` mark, or else the ready
    /// flag and the rows observed by the wait script.
    pub rendered_ms: f64,
    /// The rows were already there at the first check (then `rendered_ms` is an upper
    /// bound set by the WebDriver session start).
    pub rendered_before_first_check: bool,
    /// The account list's IPC round trip (`list_accounts`) in the running app, median of 5.
    pub list_ipc_ms: Option<f64>,
    /// Memory after the idle time.
    pub memory: Memory,
}

/// Memory of an app's processes.
#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub processes: Vec<Proc>,
    pub rss_kib: u64,
    pub pss_kib: u64,
}

/// One process.
#[derive(Debug, Clone, Serialize)]
pub struct Proc {
    pub pid: u32,
    pub name: String,
    pub rss_kib: u64,
    pub pss_kib: u64,
}

/// All launches of one app, summarised.
#[derive(Debug, Clone, Serialize)]
pub struct AppResult {
    pub binary: String,
    pub binary_bytes: u64,
    pub launches: Vec<Launch>,
    pub summary: std::collections::BTreeMap<String, Summary>,
}

/// tauri-driver, started once for every session.
pub struct Driver {
    child: Child,
    pub url: String,
    pid: u32,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl Driver {
    /// Starts `tauri_driver` with `env` (which the app it starts inherits).
    pub fn start(tauri_driver: &Path, env: &[(String, String)]) -> Result<Self, String> {
        let (port, native) = (free_port()?, free_port()?);
        let child = Command::new(tauri_driver)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", tauri_driver.display()))?;
        let pid = child.id();
        // Both tauri-driver and the WebKitWebDriver it starts must answer before a session
        // can be created.
        let deadline = Instant::now() + Duration::from_secs(20);
        for p in [port, native] {
            while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
                if Instant::now() > deadline {
                    return Err("tauri-driver did not start".into());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(Self { child, url: format!("http://127.0.0.1:{port}"), pid })
    }
}

const IPC_SCRIPT: &str = r#"
const [command, times, done] = arguments;
const internals = window.__TAURI_INTERNALS__;
if (!internals) done({ error: 'no IPC' });
else (async () => {
  const ms = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    try { await internals.invoke(command, {}); } catch (e) { done({ error: String(e) }); return; }
    ms.push(performance.now() - t);
  }
  done({ ms });
})();
"#;

const WAIT_SCRIPT: &str = r#"
const [selector, rows, done] = arguments;
const ready = () => document.documentElement.dataset.ready === 'true' &&
  document.querySelectorAll(selector).length >= rows;
const already = ready();
const finish = () => {
  const now = Date.now();
  const nav = performance.getEntriesByType('navigation')[0];
  done({
    now,
    already,
    timeOrigin: performance.timeOrigin,
    nav: nav ? { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd } : null,
    paints: performance.getEntriesByType('paint').map((p) => [p.name, p.startTime]),
    marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]),
  });
};
if (already) finish();
else {
  const tick = () => (ready() ? finish() : setTimeout(tick, 2));
  tick();
}
"#;

fn epoch_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Launches `binary` in a new session, waits for the rows, idles `idle`, measures memory,
/// closes the session.
pub async fn launch(driver: &Driver, binary: &Path, idle: Duration) -> Result<Launch, String> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert("tauri:options".into(), json!({ "application": binary }));
    let requested = epoch_ms();
    let started = Instant::now();
    let client: Client = ClientBuilder::rustls()
        .map_err(|e| e.to_string())?
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .map_err(|e| format!("WebDriver session for {}: {e}", binary.display()))?;
    let session_ms = started.elapsed().as_secs_f64() * 1000.0;
    let outcome = async {
        let page = client
            .execute_async(WAIT_SCRIPT, vec![json!(ROW_SELECTOR), json!(ROWS)])
            .await
            .map_err(|e| format!("waiting for the account list: {e}"))?;
        let origin = page["timeOrigin"].as_f64().unwrap_or(f64::NAN);
        let since = |page_ms: Option<f64>| page_ms.map(|t| origin + t - requested).filter(|v| v.is_finite());
        let fcp = page["paints"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p[0] == "first-contentful-paint"))
            .and_then(|p| p[1].as_f64());
        let mark = |name: &str| {
            page["marks"].as_array().and_then(|a| a.iter().find(|m| m[0] == name)).and_then(|m| m[1].as_f64())
        };
        tokio::time::sleep(idle).await;
        let memory = memory(driver.pid, binary)?;
        // The account list's IPC round trip in the running app (after the memory figure).
        let ipc = client.execute_async(IPC_SCRIPT, vec![json!("list_accounts"), json!(5)]).await;
        let list_ipc_ms = ipc.ok().and_then(|v| {
            let ms: Vec<f64> = v["ms"].as_array()?.iter().filter_map(|x| x.as_f64()).collect();
            Summary::of(&ms).map(|s| s.median)
        });
        Ok::<Launch, String>(Launch {
            session_ms,
            navigation_start_ms: since(Some(0.0)),
            dom_content_loaded_ms: since(page["nav"]["dcl"].as_f64()),
            first_contentful_paint_ms: since(fcp),
            script_ms: since(mark("skyport:script")),
            listening_ms: since(mark("skyport:listening")),
            list_answered_ms: since(mark("skyport:list-answered")),
            list_ipc_end_ms: since(mark("skyport:listed")),
            // The page's own mark when it set one (the app, and the bare page's inline
            // script); otherwise when the wait script saw the rows.
            rendered_ms: since(mark("skyport:listed"))
                .unwrap_or_else(|| page["now"].as_f64().unwrap_or(f64::NAN) - requested),
            rendered_before_first_check: page["already"] == true,
            list_ipc_ms,
            memory,
        })
    }
    .await;
    let app = app_pid(driver.pid, binary);
    let _ = client.close().await;
    // The app must be gone before the next launch (single-instance apps would hand over).
    if let Some(pid) = app {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    outcome
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

fn descendants(root: u32) -> Vec<u32> {
    let pids = all_pids();
    let parents: Vec<(u32, Option<u32>)> = pids.iter().map(|&p| (p, parent_of(p))).collect();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == Some(parent)).map(|(p, _)| *p));
        i += 1;
    }
    out
}

/// The app process: a descendant of tauri-driver running `binary`.
fn app_pid(driver: u32, binary: &Path) -> Option<u32> {
    let want = std::fs::canonicalize(binary).ok()?;
    descendants(driver)
        .into_iter()
        .find(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok().as_ref() == Some(&want))
}

fn rollup(pid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("Rss:")?, field("Pss:")?))
}

/// RSS and PSS of the app process and its descendants.
pub fn memory(driver: u32, binary: &Path) -> Result<Memory, String> {
    let app = app_pid(driver, binary)
        .ok_or_else(|| format!("no {} process under tauri-driver", binary.display()))?;
    let mut processes = Vec::new();
    for pid in descendants(app) {
        let Some((rss_kib, pss_kib)) = rollup(pid) else { continue };
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned();
        processes.push(Proc { pid, name, rss_kib, pss_kib });
    }
    let rss_kib = processes.iter().map(|p| p.rss_kib).sum();
    let pss_kib = processes.iter().map(|p| p.pss_kib).sum();
    Ok(Memory { processes, rss_kib, pss_kib })
}

/// Summaries of one app's launches.
pub fn summarize(binary: &Path, launches: Vec<Launch>) -> AppResult {
    let mut s = Samples::default();
    for l in &launches {
        s.add("session_ms", l.session_ms);
        s.add("rendered_ms", l.rendered_ms);
        for (k, v) in [
            ("navigation_start_ms", l.navigation_start_ms),
            ("dom_content_loaded_ms", l.dom_content_loaded_ms),
            ("first_contentful_paint_ms", l.first_contentful_paint_ms),
            ("script_ms", l.script_ms),
            ("listening_ms", l.listening_ms),
            ("list_answered_ms", l.list_answered_ms),
            ("list_ipc_end_ms", l.list_ipc_end_ms),
            ("list_ipc_ms", l.list_ipc_ms),
        ] {
            if let Some(v) = v {
                s.add(k, v);
            }
        }
        s.add("rss_mib", l.memory.rss_kib as f64 / 1024.0);
        s.add("pss_mib", l.memory.pss_kib as f64 / 1024.0);
        s.add("processes", l.memory.processes.len() as f64);
        for p in &l.memory.processes {
            s.add(&format!("pss_mib/{}", p.name), p.pss_kib as f64 / 1024.0);
            s.add(&format!("rss_mib/{}", p.name), p.rss_kib as f64 / 1024.0);
        }
    }
    AppResult {
        binary: binary.display().to_string(),
        binary_bytes: std::fs::metadata(binary).map(|m| m.len()).unwrap_or(0),
        launches,
        summary: s.summaries(),
    }
}

/// The binaries next to the runner (same profile).
pub fn sibling(name: &str) -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = me.parent().ok_or("no directory")?.join(name);
    if path.exists() { Ok(path) } else { Err(format!("{} is not built", path.display())) }
}
