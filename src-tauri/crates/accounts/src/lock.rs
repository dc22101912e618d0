//! One refresh per account at a time, across threads (an async mutex per DID) and across
//! processes (an exclusive lock on a file per DID in the data directory).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tokio::sync::OwnedMutexGuard;

use crate::Error;

/// Per-DID locks.
pub(crate) struct AccountLocks {
    dir: PathBuf,
    local: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Held while an account's session is being changed; released on drop.
pub(crate) struct AccountGuard {
    _local: OwnedMutexGuard<()>,
    _file: File,
}

impl AccountLocks {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, local: Mutex::new(HashMap::new()) }
    }

    fn path(&self, did: &str) -> PathBuf {
        let digest = Sha256::digest(did.as_bytes());
        let name: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.lock"))
    }

    /// Waits for the account's lock in this process, then in every process.
    pub async fn lock(&self, did: &str) -> Result<AccountGuard, Error> {
        let local = {
            let mut map = self.local.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(did.to_owned()).or_default().clone()
        };
        let local = local.lock_owned().await;
        let path = self.path(did);
        let file = tokio::task::spawn_blocking(move || lock_file(&path))
            .await
            .map_err(|e| Error::Io { what: "lock task".into(), source: std::io::Error::other(e) })??;
        Ok(AccountGuard { _local: local, _file: file })
    }

    /// Whether some process holds the account's lock right now (a refresh is running).
    pub fn is_held(&self, did: &str) -> bool {
        let Ok(file) =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(self.path(did))
        else {
            return false;
        };
        match file.try_lock() {
            Ok(()) => false,
            Err(std::fs::TryLockError::WouldBlock) => true,
            Err(_) => false,
        }
    }
}

fn lock_file(path: &Path) -> Result<File, Error> {
    let io = |what: &str, e| Error::Io { what: format!("{what} {}", path.display()), source: e };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| io("open", e))?;
    file.lock().map_err(|e| io("lock", e))?;
    Ok(file)
}
