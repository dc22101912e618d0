//! The log file, `<data dir>/logs/skyport.log`: what happened to which account, never a
//! token, verifier, key or callback code. Only Skyport's own crates log by default: other
//! libraries may log URLs (a deep-link plugin logs the callback URL it does not route, code
//! included). `SKYPORT_LOG` replaces the filter; widening it to other crates is for debugging
//! only and may write secrets.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::Error;

/// Skyport's crates at `info`, everything else off.
const DEFAULT_FILTER: &str =
    "off,skyport_accounts=info,skyport_oauth=info,skyport_desktop=info,skyport=info,skyport_keychain=info";

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
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .try_init();
    Ok(path)
}
