//! One module per table: its SQL, row type and queries.

pub mod accounts;
pub mod agent_audit;
pub mod agent_keys;
pub mod agent_sessions;
pub mod journal;
pub mod lexicons;
pub mod meta;
pub mod nonces;
pub mod notices;
pub mod outcomes;
pub mod pending;
