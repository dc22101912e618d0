//! The listener: 127.0.0.1 only, hyper's HTTP/1 server with a cap on the request head's
//! size and time, a bounded number of connections, and each connection's life bounded.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioIo, TokioTimer};
use skyport_accounts::Accounts;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

use crate::audit::AuditSink;
use crate::config::AgentConfig;
use crate::credentials::Throttle;
use crate::instance::{self, Instance, InstanceError};
use crate::status::{AgentStatus, Counters};

/// The longest a connection stays open (keep-alive included); programs reconnect.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(300);

/// Why the agent could not start.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Another agent serves this data directory, or its files failed.
    #[error(transparent)]
    Instance(#[from] InstanceError),
    /// The port is taken by another program.
    #[error(
        "port {port} on 127.0.0.1 is in use by another program; set agent_port in config.toml or SKYPORT_AGENT_PORT"
    )]
    PortInUse {
        /// The port.
        port: u16,
    },
    /// Listening failed otherwise.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The port.
        port: u16,
        /// The error.
        source: std::io::Error,
    },
}

/// What every request handler shares.
pub(crate) struct State {
    pub accounts: Arc<Accounts>,
    pub config: AgentConfig,
    pub port: u16,
    pub counters: Counters,
    pub throttle: Throttle,
    pub audit: AuditSink,
    pub in_flight: Semaphore,
    pub spool_dir: PathBuf,
    pub instance: Instance,
    pub started_at: i64,
    pub started: Instant,
}

impl State {
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn status(&self) -> AgentStatus {
        self.counters.snapshot(self.address(), self.started_at, self.started.elapsed().as_secs())
    }
}

/// A running agent. Dropping it stops it.
pub struct Agent {
    state: Arc<State>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: AbortOnDrop,
    audit_task: tokio::task::JoinHandle<()>,
}

/// The serving task, aborted if the [`Agent`] is dropped without [`Agent::stop`].
struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Agent {
    /// Starts serving the accounts of `accounts` (one agent per data directory).
    pub async fn start(accounts: Arc<Accounts>, config: AgentConfig) -> Result<Agent, AgentError> {
        let home = accounts.config().home.clone();
        let lock = instance::acquire(&home)?;
        let listener = match TcpListener::bind(("127.0.0.1", config.port)).await {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(AgentError::PortInUse { port: config.port });
            }
            Err(source) => return Err(AgentError::Listen { port: config.port, source }),
        };
        let addr =
            listener.local_addr().map_err(|source| AgentError::Listen { port: config.port, source })?;
        let started_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let instance =
            instance::publish(&home, lock, &format!("http://127.0.0.1:{}", addr.port()), started_at)?;
        let spool_dir = home.join("agent-spool");
        std::fs::create_dir_all(&spool_dir).map_err(|source| InstanceError::Io {
            what: format!("create {}", spool_dir.display()),
            source,
        })?;
        let (audit, audit_task) = AuditSink::start(accounts.clone());
        let state = Arc::new(State {
            in_flight: Semaphore::new(config.max_in_flight),
            accounts,
            port: addr.port(),
            counters: Counters::default(),
            throttle: Throttle::default(),
            audit,
            spool_dir,
            instance,
            started_at,
            started: Instant::now(),
            config,
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, state.clone(), stopped));
        tracing::info!(address = %state.address(), "agent listening");
        Ok(Agent { state, addr, stop: Some(stop), task: AbortOnDrop(Some(task)), audit_task })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, the service URL programs use.
    pub fn url(&self) -> String {
        self.state.address()
    }

    /// Counters and uptime.
    pub fn status(&self) -> AgentStatus {
        self.state.status()
    }

    /// Stops accepting, closes open connections, and writes the audit entries queued so far.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.0.take() {
            let _ = task.await;
        }
        // The state (and with it the audit queue's sender) goes once no connection holds it.
        let Agent { state, audit_task, .. } = self;
        drop(state);
        let _ = tokio::time::timeout(Duration::from_secs(5), audit_task).await;
    }
}

async fn serve(listener: TcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let connections = Arc::new(Semaphore::new(state.config.max_connections));
    let mut tasks = JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = &mut stopped => break,
            p = connections.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let (stream, _) = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "agent: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let (head_timeout, max_head) = (state.config.head_timeout, state.config.max_head.max(8192));
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(crate::route::handle(state, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(head_timeout)
                .max_buf_size(max_head)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, conn).await;
        });
    }
    tasks.shutdown().await;
}
