//! Test support for Skyport.
//!
//! - [`localnet`] runs a real, offline AT Protocol network on loopback: the official PLC
//!   directory and PDS (with the PDS's built-in OAuth authorization server), plus an HTTPS
//!   host that serves client-metadata documents. The Node side lives in
//!   `tests/localnet/` and is installed on first use by `tests/localnet/setup.sh`.
//! - [`approve`] approves or rejects an authorization request over plain HTTP, the way
//!   the provider's own sign-in and consent page does, so no browser is needed.
//! - [`notifications`] is a desktop notification server on the session bus that records what
//!   it is sent; [`profile`] gives test accounts a display name and an avatar.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use skyport_tests::{approve, localnet::Network};
//!
//! let net = Network::shared();
//! let alice = net.create_unique_account("alice").await?;
//! // ... push an authorization request to `net.issuer()` and build its authorize URL ...
//! # let authorize_url = String::new();
//! let callback = approve::approve(&authorize_url, &alice.handle, &alice.password).await?;
//! # let _ = callback;
//! # Ok(())
//! # }
//! ```

pub mod approve;
mod bus_service;
pub mod counting;
pub mod keyring;
pub mod localnet;
pub mod mock;
pub mod notifications;
pub mod profile;
pub mod secrets;
pub mod settings_portal;
pub mod tray_watcher;
