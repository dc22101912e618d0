//! The log file, `<data dir>/logs/skyport.log`: what happened to which account, never a
//! token, verifier, key or callback code. `SKYPORT_LOG` sets the filter (default `info`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::Error;

/// Starts logging to the data directory's log file (appending). Returns its path.
/// Calling it twice in one process keeps the first subscriber.
pub fn init_logging(home: &Path) -> Result<PathBuf, Error> {
    let dir = home.join("logs");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::Io { what: format!("create {}", dir.display()), source: e })?;
    let path = dir.join("skyport.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::Io { what: format!("open {}", path.display()), source: e })?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKYPORT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .try_init();
    Ok(path)
}
