//! The audit log's writer: calls are queued as they finish and written in batches (one
//! transaction per batch) by one task, so a call never waits for SQLite's fsync. The queue
//! is bounded; if it is ever full, the entry is dropped and counted in the log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use skyport_accounts::Accounts;
use skyport_accounts::apps::AuditRow;
use tokio::sync::mpsc;

const QUEUE: usize = 8192;
const BATCH: usize = 512;
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// One call in progress.
#[derive(Debug, Clone)]
pub struct CallRecord {
    pub started: Instant,
    pub row: AuditRow,
    pub key_id: Option<i64>,
}

impl CallRecord {
    pub fn new(nsid: &str, method: &str) -> Self {
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Self {
            started: Instant::now(),
            row: AuditRow {
                at_ms,
                key_name: None,
                did: None,
                nsid: nsid.to_owned(),
                method: method.to_owned(),
                status: 0,
                outcome: String::new(),
                bytes_in: 0,
                bytes_out: 0,
                duration_ms: 0,
            },
            key_id: None,
        }
    }
}

/// Where finished calls go.
#[derive(Debug, Clone)]
pub struct AuditSink {
    tx: mpsc::Sender<(AuditRow, Option<i64>)>,
}

impl AuditSink {
    /// Starts the writer task.
    pub fn start(accounts: Arc<Accounts>) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(write_loop(accounts, rx));
        (Self { tx }, task)
    }

    /// Queues a finished call.
    pub fn finish(&self, mut record: CallRecord, status: u16, outcome: &str, bytes_out: u64) {
        record.row.status = status;
        record.row.outcome = outcome.to_owned();
        record.row.bytes_out = bytes_out;
        record.row.duration_ms = record.started.elapsed().as_millis() as u64;
        if self.tx.try_send((record.row, record.key_id)).is_err() {
            tracing::warn!("the audit queue is full; one call was not logged");
        }
    }
}

async fn write_loop(accounts: Arc<Accounts>, mut rx: mpsc::Receiver<(AuditRow, Option<i64>)>) {
    if let Err(e) = accounts.prune_agent_state().await {
        tracing::warn!(error = %e, "could not prune the agent's audit log");
    }
    let mut last_prune = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let mut uses: Vec<(i64, i64, i64)> = Vec::new();
        for (row, key) in &batch {
            if let Some(id) = key {
                let at = row.at_ms / 1000;
                match uses.iter_mut().find(|(k, _, _)| k == id) {
                    Some(u) => {
                        u.1 += 1;
                        u.2 = u.2.max(at);
                    }
                    None => uses.push((*id, 1, at)),
                }
            }
        }
        let rows = batch.drain(..).map(|(row, _)| row).collect();
        if let Err(e) = accounts.record_calls(rows, uses).await {
            tracing::warn!(error = %e, "could not write the agent's audit log");
        }
        if last_prune.elapsed() > PRUNE_EVERY {
            last_prune = Instant::now();
            if let Err(e) = accounts.prune_agent_state().await {
                tracing::warn!(error = %e, "could not prune the agent's audit log");
            }
        }
    }
}
