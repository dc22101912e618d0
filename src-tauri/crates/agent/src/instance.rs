//! One agent per data directory: an exclusive lock on `<home>/agent.lock` for as long as it
//! serves, and `<home>/agent.json` (mode 0600) saying where, for `skyport agent status`, the
//! app, and a second agent's error message. The file also holds a random control token the
//! status endpoint asks for, so only the user (who can read the data directory) can read the
//! counters.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// What a running agent publishes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AgentInfo {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Its process.
    pub pid: u32,
    /// Started at (Unix seconds).
    pub started_at: i64,
    /// The token its status endpoint wants.
    pub control_token: String,
}

/// Why this process cannot serve as the agent.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// Another process serves this data directory.
    #[error("another Skyport agent is already running for this data directory at {address} (process {pid})")]
    AlreadyRunning {
        /// Its address.
        address: String,
        /// Its process id.
        pid: u32,
    },
    /// The lock or info file failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: io::Error,
    },
}

/// Held while this process serves.
#[derive(Debug)]
pub struct Instance {
    _lock: File,
    info_path: PathBuf,
    pub control_token: Zeroizing<String>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.info_path);
    }
}

fn lock_path(home: &Path) -> PathBuf {
    home.join("agent.lock")
}

fn info_path(home: &Path) -> PathBuf {
    home.join("agent.json")
}

fn read_info(home: &Path) -> Option<AgentInfo> {
    serde_json::from_slice(&std::fs::read(info_path(home)).ok()?).ok()
}

/// The agent serving `home`, if one is (its lock is held and its info file readable).
pub fn running_agent(home: &Path) -> Option<AgentInfo> {
    let file = File::options().read(true).write(true).create(false).open(lock_path(home)).ok()?;
    match file.try_lock() {
        Ok(()) => None,
        Err(_) => read_info(home),
    }
}

/// Takes the lock (before binding, so a second agent fails without touching the port).
pub fn acquire(home: &Path) -> Result<File, InstanceError> {
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| InstanceError::Io { what, source }
    };
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path(home))
        .map_err(io("open agent.lock"))?;
    if file.try_lock().is_err() {
        let (address, pid) =
            read_info(home).map(|i| (i.address, i.pid)).unwrap_or_else(|| ("an unknown address".into(), 0));
        return Err(InstanceError::AlreadyRunning { address, pid });
    }
    Ok(file)
}

/// Publishes where this agent listens.
pub fn publish(home: &Path, lock: File, address: &str, started_at: i64) -> Result<Instance, InstanceError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| InstanceError::Io { what: "random".into(), source: io::Error::other(e.to_string()) })?;
    use base64::Engine as _;
    let control_token = Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let info = AgentInfo {
        address: address.to_owned(),
        pid: std::process::id(),
        started_at,
        control_token: control_token.to_string(),
    };
    let path = info_path(home);
    let tmp = home.join("agent.json.tmp");
    write_private(&tmp, &serde_json::to_vec_pretty(&info).unwrap_or_default())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| InstanceError::Io { what: format!("write {}", path.display()), source })?;
    Ok(Instance { _lock: lock, info_path: path, control_token })
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = File::options();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    io::Write::write_all(&mut f, bytes)
}
