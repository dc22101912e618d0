//! Server metadata: `metadata::AuthorizationServer::from_document` and
//! `metadata::ProtectedResource::from_document`. Input: the expected issuer / PDS origin, a
//! newline, then the JSON document (checked as both kinds, with and without development
//! http, with and without a resource).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use skyport_oauth::metadata::{AuthorizationServer, ProtectedResource};
use url::Url;

/// `s` is exactly the origin of an https URL (or http, in development).
fn assert_origin(s: &str, allow_http: bool) {
    let u = Url::parse(s).unwrap_or_else(|e| panic!("{s:?} is not a URL: {e}"));
    assert!(u.scheme() == "https" || (allow_http && u.scheme() == "http"), "{s:?}");
    assert!(u.username().is_empty() && u.password().is_none(), "{s:?}");
    assert_eq!(u.origin().ascii_serialization(), s);
}

fn assert_endpoint(u: &Url, allow_http: bool) {
    assert!(u.scheme() == "https" || (allow_http && u.scheme() == "http"), "{u}");
    assert!(u.host().is_some() && u.fragment().is_none(), "{u}");
}

fn check_as(expected: &str, doc: &Map<String, Value>) {
    let mut results = Vec::new();
    for allow_http in [false, true] {
        for resource in [None, Some(expected)] {
            let r = AuthorizationServer::from_document(expected, resource, doc, allow_http).ok();
            if let Some(server) = &r {
                assert_eq!(server.issuer, expected);
                assert_origin(server.issuer.as_str(), allow_http);
                assert_endpoint(&server.authorization_endpoint, allow_http);
                assert_endpoint(&server.token_endpoint, allow_http);
                assert_endpoint(&server.par_endpoint, allow_http);
                if let Some(e) = &server.revocation_endpoint {
                    assert_endpoint(e, allow_http);
                }
                assert!(server.scopes_supported.iter().any(|s| s == "atproto"));
                for flag in [
                    "authorization_response_iss_parameter_supported",
                    "require_pushed_authorization_requests",
                    "client_id_metadata_document_supported",
                ] {
                    assert_eq!(doc.get(flag), Some(&Value::Bool(true)), "{flag}");
                }
            }
            results.push(r);
        }
    }
    // [http no/yes] x [resource none/some]: naming a resource or forbidding http only rejects more.
    let ok = |i: usize| results[i].is_some();
    assert!(!ok(1) || ok(0));
    assert!(!ok(3) || ok(2));
    assert!(!ok(0) || ok(2));
    assert!(!ok(1) || ok(3));
    if ok(0) {
        assert_eq!(results[0], results[2]);
    }
}

fn check_prm(origin: &str, doc: &Map<String, Value>) {
    let strict = ProtectedResource::from_document(origin, doc, false).ok();
    let loose = ProtectedResource::from_document(origin, doc, true).ok();
    if strict.is_some() {
        assert_eq!(strict, loose);
    }
    for (resource, allow_http) in [(strict, false), (loose, true)] {
        let Some(resource) = resource else { continue };
        assert_eq!(resource.resource, origin);
        assert_origin(&resource.authorization_server, allow_http);
        let servers = doc["authorization_servers"].as_array().expect("an array");
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0], Value::String(resource.authorization_server.clone()));
    }
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let (first, rest) = raw.split_once('\n').unwrap_or(("https://pds.example.com", &raw));
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(rest) else { return };
    check_as(first, &doc);
    check_prm(first, &doc);
    // And as fetched from the issuer the document names (past the first check).
    if let Some(issuer) = doc.get("issuer").and_then(Value::as_str) {
        check_as(issuer, &doc);
    }
    if let Some(resource) = doc.get("resource").and_then(Value::as_str) {
        check_prm(resource, &doc);
    }
});
