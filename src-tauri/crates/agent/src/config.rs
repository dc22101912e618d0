//! The agent's settings.

use std::time::Duration;

/// The port the agent listens on unless configured (`agent_port` in `config.toml`,
/// `SKYPORT_AGENT_PORT`). Fixed, so scripts can keep one service URL.
pub const DEFAULT_PORT: u16 = 5783;

/// Limits and the address.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The port on 127.0.0.1 (0: any free port, for tests).
    pub port: u16,
    /// The largest request body (blobs included).
    pub max_body: u64,
    /// Bodies up to this size are kept in memory; larger ones are spooled to a private file.
    pub memory_body: usize,
    /// The largest request head.
    pub max_head: usize,
    /// Time to send a request head.
    pub head_timeout: Duration,
    /// The longest pause while a request body arrives.
    pub body_idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Calls forwarded at once; more wait.
    pub max_in_flight: usize,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            max_body: 100 * 1024 * 1024,
            memory_body: 1024 * 1024,
            max_head: 16 * 1024,
            head_timeout: Duration::from_secs(5),
            body_idle_timeout: Duration::from_secs(15),
            max_connections: 256,
            max_in_flight: 64,
        }
    }
}

impl AgentConfig {
    /// The defaults with the port from `SKYPORT_AGENT_PORT` or `agent_port` in the account
    /// manager's configuration.
    pub fn from_accounts(config: &skyport_accounts::Config) -> Self {
        Self { port: config.agent_port.unwrap_or(DEFAULT_PORT), ..Self::default() }
    }
}
