//! Logins waiting for the browser: their URLs (for "Open again") and, for the loopback
//! client, the listener task that completes them.

use std::collections::HashMap;
use std::sync::Mutex;

use tauri::async_runtime::JoinHandle;

/// Per-login state of this process.
#[derive(Default)]
pub struct Logins {
    waiting: Mutex<HashMap<String, Waiting>>,
}

struct Waiting {
    url: String,
    listener: Option<JoinHandle<()>>,
}

impl Logins {
    /// Remembers a login.
    pub fn insert(&self, state: &str, url: &str, listener: Option<JoinHandle<()>>) {
        self.lock().insert(state.to_owned(), Waiting { url: url.to_owned(), listener });
    }

    /// The authorization URL of a waiting login.
    pub fn url(&self, state: &str) -> Option<String> {
        self.lock().get(state).map(|w| w.url.clone())
    }

    /// Forgets a login and stops its listener.
    pub fn remove(&self, state: &str) {
        if let Some(task) = self.lock().remove(state).and_then(|w| w.listener) {
            task.abort();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Waiting>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}
