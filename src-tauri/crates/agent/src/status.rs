//! Counters and the status `skyport agent status` prints.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// Running totals since start.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub forwarded: AtomicU64,
    pub local: AtomicU64,
    pub refused: AtomicU64,
    pub failed: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub in_flight: AtomicU64,
}

impl Counters {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// The agent's state, as `skyport agent status --json` prints it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AgentStatus {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The serving process.
    pub pid: u32,
    /// Started at (Unix seconds).
    pub started_at: i64,
    /// Seconds since start.
    pub uptime_secs: u64,
    /// Requests received.
    pub requests: u64,
    /// Calls forwarded to a PDS.
    pub forwarded: u64,
    /// Calls answered by the agent itself (local sessions, status).
    pub local: u64,
    /// Requests refused (host, browser, credentials, rules, size).
    pub refused: u64,
    /// Calls that failed on the way (network, sign-in needed).
    pub failed: u64,
    /// Request body bytes received.
    pub bytes_in: u64,
    /// Response body bytes sent.
    pub bytes_out: u64,
    /// Calls being forwarded right now.
    pub in_flight: u64,
}

impl Counters {
    pub fn snapshot(&self, address: String, started_at: i64, uptime_secs: u64) -> AgentStatus {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        AgentStatus {
            address,
            pid: std::process::id(),
            started_at,
            uptime_secs,
            requests: get(&self.requests),
            forwarded: get(&self.forwarded),
            local: get(&self.local),
            refused: get(&self.refused),
            failed: get(&self.failed),
            bytes_in: get(&self.bytes_in),
            bytes_out: get(&self.bytes_out),
            in_flight: get(&self.in_flight),
        }
    }
}
