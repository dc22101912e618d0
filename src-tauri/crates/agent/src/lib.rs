//! # skyport-agent
//!
//! The Skyport agent: an XRPC gateway on `127.0.0.1` through which scripts, bots and SDKs
//! act as one of the user's atproto accounts with a per-program key (`skp_…`), never holding
//! an OAuth token or a DPoP key. It replaces app passwords: a program that signed in with
//! `createSession` and an app password works with two changes (service URL → the agent,
//! app password → a key).
//!
//! * **Gateway.** `/xrpc/<nsid>` GET and POST go to the key's account's PDS through
//!   [`skyport_accounts::Accounts::forward`]: the session's DPoP proof, the nonce cache, one
//!   nonce retry, one refresh-and-retry on `invalid_token` through the same single-flight,
//!   cross-process refresh the rest of Skyport uses. Bodies of any type stream both ways;
//!   a large request body is spooled to a private file so that a retry can send it again.
//! * **Local sessions.** `com.atproto.server.createSession` with a key as the password
//!   answers local tokens ([`skyport_accounts::apps`]); `getSession`, `refreshSession` and
//!   `deleteSession` are answered here.
//! * **Safe by construction** ([`guard`]): loopback only, the agent's own `Host` only, no
//!   request from a web page (`Origin`, `Sec-Fetch-*`), no CORS, keys compared in constant
//!   time and repeated bad keys slowed down, head and body size and time capped, a bounded
//!   number of connections. Every call goes to the audit log, without bodies, tokens or keys.
//!
//! Written on hyper's HTTP/1 server rather than a framework: the gateway has one route
//! family and needs exact control over which headers pass and how bodies stream.

mod audit;
mod config;
mod credentials;
pub mod guard;
mod headers;
mod instance;
mod local_session;
mod proxy;
mod query;
mod route;
mod server;
mod spool;
mod status;
mod xrpc_error;

pub use config::{AgentConfig, DEFAULT_PORT};
pub use instance::{AgentInfo, InstanceError, running_agent};
pub use query::{Running, status_of};
pub use server::{Agent, AgentError};
pub use status::AgentStatus;
