//! A small time-to-live cache for identity and metadata lookups.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::clock::Clock;

/// The most entries a cache keeps; the oldest are dropped first beyond this.
const MAX_ENTRIES: usize = 4096;

/// Values that expire `ttl` seconds after they were stored.
pub(crate) struct TtlCache<K, V> {
    ttl: i64,
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<K, (i64, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub(crate) fn new(ttl_secs: i64, clock: Arc<dyn Clock>) -> Self {
        Self { ttl: ttl_secs, clock, entries: Mutex::new(HashMap::new()) }
    }

    /// The value and the time it was stored, if it has not expired.
    pub(crate) fn get(&self, key: &K) -> Option<(V, i64)> {
        let now = self.clock.now();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(stored_at, _)| now - stored_at < self.ttl)
            .map(|(stored_at, v)| (v.clone(), *stored_at))
    }

    pub(crate) fn put(&self, key: K, value: V) {
        let now = self.clock.now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (stored_at, _)| now - *stored_at < self.ttl);
            if entries.len() >= MAX_ENTRIES
                && let Some(oldest) = entries.iter().min_by_key(|(_, (t, _))| *t).map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(key, (now, value));
    }

    pub(crate) fn remove(&self, key: &K) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::FixedClock;

    #[test]
    fn entries_expire_after_ttl() {
        let clock = Arc::new(FixedClock::new(1000));
        let cache = TtlCache::new(60, clock.clone());
        cache.put("a", 1);
        assert_eq!(cache.get(&"a"), Some((1, 1000)));
        clock.advance(Duration::from_secs(59));
        assert!(cache.get(&"a").is_some());
        clock.advance(Duration::from_secs(1));
        assert_eq!(cache.get(&"a"), None);
    }
}
