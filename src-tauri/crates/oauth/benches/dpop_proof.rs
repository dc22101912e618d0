//! DPoP proof minting, per proof (run by `.ci/bench`, which compares it with `jose` in Node:
//! `tests/bench/ts/dpop-jose.mjs` mints the same ES256 proof).
//!
//! `cargo bench -p skyport-oauth --bench dpop_proof`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use skyport_oauth::DpopKey;
use skyport_oauth::dpop::{Proof, access_token_hash};

const HTU: &str = "http://localhost:2583/oauth/token";
const NONCE: &str = "aWY2ZHqSzLw1bqgmFAhEiWYtPC0xXJ6lHkAlZ-d9IcU";

fn dpop(c: &mut Criterion) {
    let key = DpopKey::generate().expect("a key");
    let iat = 1_800_000_000;
    // What every authorization-server request carries: POST, nonce, no `ath`.
    c.bench_function("dpop_proof/token_request", |b| {
        b.iter(|| {
            Proof::mint(black_box(&key), "POST", HTU.to_owned(), iat, Some(NONCE.to_owned()), None)
                .expect("a proof")
        })
    });
    // A resource call: GET, nonce, and `ath` (SHA-256 of the access token), as sent per call.
    let access_token = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.".repeat(12);
    c.bench_function("dpop_proof/resource_request", |b| {
        b.iter(|| {
            let ath = access_token_hash(black_box(&access_token));
            Proof::mint(
                &key,
                "GET",
                "http://localhost:2583/xrpc/com.atproto.server.getSession".to_owned(),
                iat,
                Some(NONCE.to_owned()),
                Some(ath),
            )
            .expect("a proof")
        })
    });
    // One per login (and per pending login): a fresh P-256 key.
    c.bench_function("dpop_key/generate", |b| b.iter(|| DpopKey::generate().expect("a key")));
}

criterion_group!(benches, dpop);
criterion_main!(benches);
