//! DPoP (RFC 9449) as atproto uses it: one ES256 key per session, a fresh proof per request,
//! a nonce cache keyed by session (DPoP key) and origin, and `ath` on resource requests
//! (RFC 9449; atproto OAuth spec, "Demonstrating Proof of Possession (DPoP)").

mod htu;
mod key;
mod nonce;
mod proof;

pub use htu::htu;
pub use key::{DpopKey, PublicJwk};
pub use nonce::{MemoryNonces, NonceScope, NonceStore, is_valid_nonce};
pub use proof::{Proof, ProofClaims, access_token_hash};

#[cfg(test)]
mod tests;
