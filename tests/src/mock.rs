//! Mock servers on `127.0.0.1:0` for behaviour the real PDS will not produce: hostile or
//! broken responses. They are real HTTP servers (raw HTTP/1.1 over TCP, so a test can send
//! anything, including malformed headers), built per test and dropped at its end.
//!
//! [`FakeAtproto`] plays a PLC directory, a PDS and its authorization server on one port,
//! verifies every DPoP proof it receives, and can be told to misbehave at any step.

mod dpop_check;
mod fake;
mod server;

pub use dpop_check::{DpopCheck, check_proof};
pub use fake::{FakeAtproto, Hooks};
pub use server::{MockResponse, MockServer, RecordedRequest};
