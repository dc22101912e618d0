//! Client metadata: `client::check_client_metadata` on a hosted document, and
//! `client::LoopbackClientId::parse`. Input: the URL the document is served at, a newline,
//! then the JSON document. The first line, and the whole input, are also tried as loopback
//! client_ids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use skyport_oauth::Scope;
use skyport_oauth::client::{LoopbackClientId, check_client_metadata};
use url::Url;

fn check_loopback(raw: &str) {
    let Ok(id) = LoopbackClientId::parse(raw) else { return };
    assert!(raw.starts_with("http://localhost"), "{raw:?}");
    assert!(!raw.contains('#'), "{raw:?}");
    let scope = Scope::parse(&id.scope).expect("a loopback client's scope parses");
    assert!(scope.has_atproto(), "{raw:?}");
    assert!(!id.redirect_uris.is_empty());
    for r in &id.redirect_uris {
        let u = Url::parse(r).expect("a loopback redirect is a URL");
        assert_eq!(u.scheme(), "http", "{r:?}");
        assert!(matches!(u.host_str(), Some("127.0.0.1" | "[::1]")), "{r:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    check_loopback(&raw);
    let (first, rest) = raw.split_once('\n').unwrap_or((&raw, ""));
    check_loopback(first);

    let Ok(doc) = serde_json::from_str::<Value>(rest) else { return };
    let strict = check_client_metadata(first, &doc, false);
    let loose = check_client_metadata(first, &doc, true);
    if let Err(problems) = &strict {
        assert!(!problems.is_empty());
    }
    // Allowing a port never rejects more.
    if strict.is_ok() {
        assert_eq!(loose, Ok(()), "{raw:?}");
    }
    if loose.is_err() {
        return;
    }
    // A document that passes: served at its own https client_id, and native, public,
    // DPoP-bound, code flow, with atproto in its scope and at least one redirect.
    let url = Url::parse(first).expect("a passing client_id is a URL");
    assert_eq!(url.scheme(), "https");
    assert_eq!(url.as_str(), first);
    assert!(url.fragment().is_none() && url.username().is_empty() && url.password().is_none());
    assert!(url.domain().is_some(), "the host of {first:?} is not a DNS name");
    assert!(!matches!(url.path(), "" | "/") && !url.path().ends_with('/'));
    assert_eq!(doc["client_id"], Value::String(first.to_owned()));
    assert_eq!(doc["application_type"], "native");
    assert_eq!(doc["token_endpoint_auth_method"], "none");
    assert_eq!(doc["dpop_bound_access_tokens"], true);
    assert_eq!(doc["response_types"], serde_json::json!(["code"]));
    for key in ["jwks", "jwks_uri", "token_endpoint_auth_signing_alg"] {
        assert!(doc.get(key).is_none(), "{key}");
    }
    let scope = Scope::parse(doc["scope"].as_str().expect("scope is a string")).expect("scope parses");
    assert!(scope.has_atproto());
    let redirects = doc["redirect_uris"].as_array().expect("redirect_uris is an array");
    assert!(!redirects.is_empty() && redirects.iter().all(Value::is_string));
});
