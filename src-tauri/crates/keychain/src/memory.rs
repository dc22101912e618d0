//! [`MemoryKeychain`]: an in-memory [`SecretStore`] for tests and the `--ephemeral` mode.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use crate::{KeychainError, Secret, SecretStore};

/// Secrets in a `HashMap` behind a mutex. Nothing is persisted; values are zeroed on drop.
///
/// For tests of the layers above, [`set_failure`](MemoryKeychain::set_failure) makes every
/// call fail with a chosen error (for example [`KeychainError::Locked`]) without touching the
/// stored items, the way a locked OS keychain behaves.
#[derive(Default)]
pub struct MemoryKeychain {
    items: Mutex<HashMap<String, Zeroizing<Vec<u8>>>>,
    failure: Mutex<Option<KeychainError>>,
    slow: Mutex<Option<(String, std::time::Duration)>>,
}

impl MemoryKeychain {
    /// An empty keychain that answers every call.
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on, fail every `put`, `get` and `delete` with `failure` (`None` heals it).
    /// Stored items are kept as they are.
    pub fn set_failure(&self, failure: Option<KeychainError>) {
        *lock(&self.failure) = failure;
    }

    /// From now on, every call for a name containing `pattern` blocks for `delay` first, as a
    /// keychain waiting for an unlock prompt or a stuck D-Bus call does (`None` heals it).
    pub fn set_slow(&self, slow: Option<(&str, std::time::Duration)>) {
        *lock(&self.slow) = slow.map(|(p, d)| (p.to_owned(), d));
    }

    /// Whether an item exists, ignoring [`set_failure`](MemoryKeychain::set_failure): lets a
    /// test check that a failed call did not delete anything.
    pub fn contains(&self, name: &str) -> bool {
        lock(&self.items).contains_key(name)
    }

    /// The stored names, sorted, ignoring [`set_failure`](MemoryKeychain::set_failure).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = lock(&self.items).keys().cloned().collect();
        names.sort();
        names
    }

    fn check(&self, name: &str) -> Result<(), KeychainError> {
        let delay = lock(&self.slow).as_ref().filter(|(p, _)| name.contains(p.as_str())).map(|(_, d)| *d);
        if let Some(delay) = delay {
            std::thread::sleep(delay);
        }
        match lock(&self.failure).as_ref() {
            Some(failure) => Err(failure.clone()),
            None => Ok(()),
        }
    }
}

impl SecretStore for MemoryKeychain {
    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeychainError> {
        self.check(name)?;
        lock(&self.items).insert(name.to_owned(), Zeroizing::new(secret.to_vec()));
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, KeychainError> {
        self.check(name)?;
        Ok(lock(&self.items).get(name).map(|bytes| Secret::from(bytes.clone())))
    }

    fn delete(&self, name: &str) -> Result<bool, KeychainError> {
        self.check(name)?;
        Ok(lock(&self.items).remove(name).is_some())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}

impl std::fmt::Debug for MemoryKeychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryKeychain")
            .field("items", &lock(&self.items).len())
            .field("failure", &*lock(&self.failure))
            .finish()
    }
}

/// A poisoned lock only means another test thread panicked; the map itself is still whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
