//! Asking a running agent for its status (for `skyport agent status` and the app when
//! another process serves).

use std::path::Path;
use std::time::Duration;

use crate::instance::running_agent;
use crate::status::AgentStatus;

/// What `skyport agent status` found.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Running {
    /// No agent serves this data directory.
    Stopped,
    /// One does, and answered.
    Running(AgentStatus),
    /// One holds the lock but did not answer.
    NotAnswering {
        /// Its address, from agent.json.
        address: String,
        /// Its process.
        pid: u32,
        /// What went wrong.
        error: String,
    },
}

/// The status of the agent serving `home`.
pub async fn status_of(home: &Path) -> Running {
    let Some(info) = running_agent(home) else { return Running::Stopped };
    let not_answering =
        |error: String| Running::NotAnswering { address: info.address.clone(), pid: info.pid, error };
    let client = match reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(3)).build() {
        Ok(c) => c,
        Err(e) => return not_answering(e.to_string()),
    };
    let res =
        client.get(format!("{}/_skyport/status", info.address)).bearer_auth(&info.control_token).send().await;
    match res {
        Ok(r) if r.status().is_success() => match r.json::<AgentStatus>().await {
            Ok(s) => Running::Running(s),
            Err(e) => not_answering(e.to_string()),
        },
        Ok(r) => not_answering(format!("HTTP {}", r.status())),
        Err(e) => {
            not_answering(if e.is_timeout() { "timed out".into() } else { "connection refused".into() })
        }
    }
}
