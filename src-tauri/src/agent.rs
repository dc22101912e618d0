//! The Skyport agent inside the app: started with the window, stopped on exit. When another
//! process (`skyport agent run`) already serves this data directory, or the port is taken,
//! the app works on and says so; each status request tries again to serve, so the app takes
//! over once the other agent stops.

use serde::Serialize;
use skyport_agent::{Agent, AgentConfig, AgentError, AgentStatus, InstanceError, Running};
use tokio::sync::Mutex;

use crate::Shared;

/// This process's agent, if it serves.
pub struct AgentSlot {
    accounts: Shared,
    agent: Mutex<Option<Agent>>,
}

/// Who answers at the agent's address.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServedBy {
    /// This app.
    ThisApp,
    /// Another Skyport process for the same data directory.
    AnotherProcess,
}

/// The agent as the UI shows it.
#[derive(Debug, Serialize)]
pub struct AgentView {
    /// Whether programs can use the agent now.
    on: bool,
    /// `http://127.0.0.1:<port>`: where it answers, or would.
    address: Option<String>,
    served_by: Option<ServedBy>,
    /// Why it is off, for people.
    error: Option<String>,
    /// Counters of the serving process.
    counters: Option<AgentStatus>,
}

impl AgentSlot {
    /// An empty slot; [`AgentSlot::ensure`] starts the agent.
    pub fn new(accounts: Shared) -> Self {
        Self { accounts, agent: Mutex::new(None) }
    }

    /// Serves if nothing else does, and says who serves.
    pub async fn ensure(&self) -> AgentView {
        let mut slot = self.agent.lock().await;
        if let Some(agent) = slot.as_ref() {
            return serving(agent);
        }
        let config = AgentConfig::from_accounts(self.accounts.config());
        let configured = format!("http://127.0.0.1:{}", config.port);
        match Agent::start(self.accounts.clone(), config).await {
            Ok(agent) => serving(slot.insert(agent)),
            Err(AgentError::Instance(InstanceError::AlreadyRunning { address, .. })) => {
                match skyport_agent::status_of(&self.accounts.config().home).await {
                    Running::Running(status) => AgentView {
                        on: true,
                        address: Some(status.address.clone()),
                        served_by: Some(ServedBy::AnotherProcess),
                        error: None,
                        counters: Some(status),
                    },
                    Running::NotAnswering { address, pid, error } => off(
                        Some(address.clone()),
                        Some(ServedBy::AnotherProcess),
                        format!(
                            "Skyport process {pid} holds the agent at {address} but does not answer ({error})"
                        ),
                    ),
                    // It stopped in between; the next request serves.
                    Running::Stopped => off(Some(address), None, "another Skyport agent was stopping".into()),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the agent did not start");
                off(Some(configured), None, e.to_string())
            }
        }
    }

    /// The address programs should use: this app's agent, another process's, or the
    /// configured one.
    pub async fn address(&self) -> String {
        if let Some(agent) = self.agent.lock().await.as_ref() {
            return agent.url();
        }
        match skyport_agent::running_agent(&self.accounts.config().home) {
            Some(info) => info.address,
            None => format!("http://127.0.0.1:{}", AgentConfig::from_accounts(self.accounts.config()).port),
        }
    }

    /// Stops serving (on exit).
    pub async fn stop(&self) {
        let agent = self.agent.lock().await.take();
        if let Some(agent) = agent {
            agent.stop().await;
        }
    }
}

fn serving(agent: &Agent) -> AgentView {
    AgentView {
        on: true,
        address: Some(agent.url()),
        served_by: Some(ServedBy::ThisApp),
        error: None,
        counters: Some(agent.status()),
    }
}

fn off(address: Option<String>, served_by: Option<ServedBy>, error: String) -> AgentView {
    AgentView { on: false, address, served_by, error: Some(error), counters: None }
}
