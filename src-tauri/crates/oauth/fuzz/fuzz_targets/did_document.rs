//! DID documents (`identity::DidDocument::parse`) and the identifiers a user types
//! (`Did::parse`, `Handle::parse`, `LoginInput::parse`). Input: the DID asked for, a newline,
//! then the document bytes (not necessarily UTF-8). The first line is also parsed as a DID,
//! a handle and a login input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use skyport_oauth::identity::DidDocument;
use skyport_oauth::{Did, Handle, LoginInput};

fn check_identifiers(s: &str) {
    if let Ok(did) = Did::parse(s) {
        assert_eq!(did.as_str(), s);
        assert!(matches!(did.method(), "plc" | "web"), "{s:?}");
        assert_eq!(Did::parse(&did.to_string()).ok(), Some(did.clone()));
        if did.method() == "web" {
            assert!(did.web_host().is_some_and(|h| !h.is_empty()));
        }
    }
    if let Ok(handle) = Handle::parse(s) {
        let h = handle.as_str();
        assert_eq!(h, s.strip_prefix('@').unwrap_or(s).to_ascii_lowercase());
        assert!(h.len() <= 253 && h.contains('.') && !h.bytes().any(|b| b.is_ascii_uppercase()));
        assert_eq!(Handle::parse(h).ok(), Some(handle.clone()));
    }
    if let Ok(input) = LoginInput::parse(s) {
        let t = s.trim();
        match &input {
            LoginInput::Did(d) => assert_eq!(d.as_str(), t),
            LoginInput::Handle(h) => assert_eq!(Handle::parse(t).ok().as_ref(), Some(h)),
            LoginInput::Server(u) => {
                assert!(matches!(u.scheme(), "https" | "http") && u.host_str().is_some());
                assert!(u.username().is_empty() && u.password().is_none());
            }
        }
        assert_eq!(input.login_hint().is_none(), matches!(input, LoginInput::Server(_)));
    }
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let first = String::from_utf8_lossy(&data[..split]);
    let body = data.get(split + 1..).unwrap_or_default();
    check_identifiers(&first);

    let Ok(did) = Did::parse(&first) else { return };
    let Ok(doc) = DidDocument::parse(&did, body) else { return };
    assert_eq!(doc.id, did);
    let json: Value = serde_json::from_slice(body).expect("a parsed document is JSON");
    assert_eq!(json["id"], Value::String(did.to_string()));
    if let Some(pds) = &doc.pds {
        assert!(matches!(pds.scheme(), "https" | "http"), "{pds}");
        assert!(pds.host_str().is_some() && pds.path() == "/", "{pds}");
        assert!(pds.query().is_none() && pds.fragment().is_none(), "{pds}");
        assert!(pds.username().is_empty() && pds.password().is_none(), "{pds}");
        assert!(doc.require_pds().is_ok());
    } else {
        assert!(doc.require_pds().is_err());
    }
    if let Some(handle) = &doc.handle {
        // The handle is one of the document's `at://` aliases, lower-cased.
        let aliases = json["alsoKnownAs"].as_array().expect("alsoKnownAs is an array");
        let found = aliases
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|a| a.strip_prefix("at://"))
            .any(|a| a.to_ascii_lowercase().trim_start_matches('@') == handle.as_str());
        assert!(found, "{handle:?} not among {aliases:?}");
    }
});
