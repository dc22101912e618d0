use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use url::Url;

use super::*;
use crate::clock::FixedClock;
use crate::dpop::MemoryNonces;
use crate::http::SendError;

/// An AS / PDS stand-in. Each origin hands out one nonce, or none at all (no `DPoP-Nonce`
/// header); with `challenge`, a proof without the current nonce gets `use_dpop_nonce`.
#[derive(Default)]
struct FakeServer {
    nonce: HashMap<String, String>,
    challenge: bool,
    /// The origin and `nonce` claim of every DPoP proof received, in order.
    proofs: Mutex<Vec<(String, Option<String>)>>,
}

impl FakeServer {
    fn nonce(mut self, origin: &str, nonce: &str) -> Self {
        self.nonce.insert(origin.to_owned(), nonce.to_owned());
        self
    }

    fn proofs(&self) -> Vec<(String, Option<String>)> {
        std::mem::take(&mut *self.proofs.lock().unwrap())
    }
}

#[async_trait]
impl HttpClient for FakeServer {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError> {
        let origin = origin(&request.url);
        let proof = request.headers.iter().find(|(k, _)| *k == "dpop").map(|(_, v)| v.clone()).unwrap();
        let claims = proof.split('.').nth(1).unwrap();
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        let used = claims["nonce"].as_str().map(str::to_owned);
        self.proofs.lock().unwrap().push((origin.clone(), used.clone()));
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        let current = self.nonce.get(&origin);
        if let Some(n) = current {
            headers.push(("dpop-nonce".to_owned(), n.clone()));
        }
        let (status, body) = if self.challenge && current.is_some() && used.as_ref() != current {
            (400, r#"{"error":"use_dpop_nonce"}"#)
        } else {
            (200, "{}")
        };
        Ok(HttpResponse { status, headers, body: body.as_bytes().to_vec() })
    }
}

fn wire(server: &Arc<FakeServer>, nonces: &Arc<MemoryNonces>, strict: bool) -> Wire {
    Wire::new(server.clone(), nonces.clone(), Arc::new(FixedClock::new(1_000)), strict)
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn warned(wire: &Wire) -> Vec<String> {
    let mut origins: Vec<String> = wire.nonce_missing_warned.lock().unwrap().iter().cloned().collect();
    origins.sort();
    origins
}

#[tokio::test]
async fn a_missing_nonce_is_accepted_by_default_and_warned_once_per_origin() {
    let server = Arc::new(FakeServer::default().nonce("https://with.example", "n1"));
    let wire = wire(&server, &Arc::new(MemoryNonces::default()), false);
    let key = DpopKey::generate().unwrap();
    for _ in 0..2 {
        let res = wire.post_to_server(Step::Par, &key, &url("https://as.example/par"), &[]).await.unwrap();
        assert_eq!(res.status, 200, "accepted");
    }
    assert_eq!(warned(&wire), ["https://as.example"], "two responses, one warning");
    let res = wire.send_to_resource(&key, "at", HttpRequest::get(url("https://pds.example/xrpc/x"))).await;
    assert_eq!(res.unwrap().status, 200);
    wire.post_to_server(Step::Token, &key, &url("https://with.example/token"), &[]).await.unwrap();
    assert_eq!(
        warned(&wire),
        ["https://as.example", "https://pds.example"],
        "one warning per origin; an origin that sends a nonce is not warned about"
    );
    let clone = wire.clone();
    clone.post_to_server(Step::Revoke, &key, &url("https://as.example/revoke"), &[]).await.unwrap();
    assert_eq!(warned(&wire).len(), 2, "clones of the wire share the bookkeeping");
}

#[tokio::test]
async fn a_missing_nonce_is_refused_when_strict() {
    let server = Arc::new(FakeServer::default().nonce("https://with.example", "n1"));
    let wire = wire(&server, &Arc::new(MemoryNonces::default()), true);
    let key = DpopKey::generate().unwrap();
    let err =
        wire.post_to_server(Step::Token, &key, &url("https://as.example/token"), &[]).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidResponse { step: Step::Token, reason } if reason.contains("DPoP-Nonce")),
        "{err}"
    );
    let err = wire.send_to_resource(&key, "at", HttpRequest::get(url("https://pds.example/xrpc/x"))).await;
    assert!(matches!(err, Err(Error::InvalidResponse { step: Step::Resource, .. })), "{err:?}");
    assert_eq!(warned(&wire), ["https://as.example", "https://pds.example"]);
    let res = wire.post_to_server(Step::Token, &key, &url("https://with.example/token"), &[]).await;
    assert_eq!(res.unwrap().status, 200, "a response with a nonce is fine in strict mode");
}

#[tokio::test]
async fn nonces_are_kept_per_key_at_the_same_origin() {
    let as_origin = "https://as.example";
    let server = Arc::new(FakeServer { challenge: true, ..FakeServer::default() }.nonce(as_origin, "n-as"));
    let nonces = Arc::new(MemoryNonces::default());
    let wire = wire(&server, &nonces, false);
    let (alice, bob) = (DpopKey::generate().unwrap(), DpopKey::generate().unwrap());
    let par = url("https://as.example/par");

    wire.post_to_server(Step::Par, &alice, &par, &[]).await.unwrap();
    let first = [(as_origin.to_owned(), None), (as_origin.to_owned(), Some("n-as".to_owned()))];
    assert_eq!(server.proofs(), first, "challenged once, then retried with the nonce");
    wire.post_to_server(Step::Par, &alice, &par, &[]).await.unwrap();
    assert_eq!(server.proofs(), [(as_origin.to_owned(), Some("n-as".to_owned()))], "alice's nonce is reused");

    // Bob's key has never been given a nonce: he must not echo Alice's, which would let
    // the server link the two accounts.
    wire.post_to_server(Step::Par, &bob, &par, &[]).await.unwrap();
    assert_eq!(server.proofs(), first, "bob starts without a nonce and learns his own");

    let (a, b) = (alice.thumbprint(), bob.thumbprint());
    assert_eq!(nonces.get(NonceScope { jkt: &a, origin: as_origin }).as_deref(), Some("n-as"));
    assert_eq!(nonces.get(NonceScope { jkt: &b, origin: as_origin }).as_deref(), Some("n-as"));
    assert_eq!(nonces.get(NonceScope { jkt: &a, origin: "https://pds.example" }), None, "per origin too");
    assert!(warned(&wire).is_empty());
}
