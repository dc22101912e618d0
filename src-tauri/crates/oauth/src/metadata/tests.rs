use serde_json::{Map, Value};

use super::*;
use crate::testdata;

fn obj(v: &Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn v10_valid_document_passes() {
    let v = testdata::vector("v10_as_metadata.json");
    let issuer = origin(&url::Url::parse(v["fetch_url"].as_str().unwrap()).unwrap());
    let server =
        AuthorizationServer::from_document(&issuer, None, &obj(&v["valid_document"]), false).unwrap();
    assert_eq!(server.issuer, "https://pds.example.com");
    assert_eq!(server.par_endpoint.as_str(), "https://pds.example.com/oauth/par");
}

#[test]
fn v10_every_mutation_fails() {
    let v = testdata::vector("v10_as_metadata.json");
    let issuer = origin(&url::Url::parse(v["fetch_url"].as_str().unwrap()).unwrap());
    let mutations = v["mutations_expected_fail"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["extra_mutations_from_atproto_spec_expected_fail"].as_array().unwrap());
    let mut count = 0;
    for m in mutations {
        let result = AuthorizationServer::from_document(&issuer, None, &obj(&m["document"]), false);
        assert!(result.is_err(), "{} must be rejected", m["id"]);
        count += 1;
    }
    assert!(count >= 20);
}

#[test]
fn protected_resources_must_include_the_resource() {
    let v = testdata::vector("v10_as_metadata.json");
    let mut doc = obj(&v["valid_document"]);
    doc.insert("protected_resources".into(), serde_json::json!(["https://other.example.com"]));
    assert!(
        AuthorizationServer::from_document(
            "https://pds.example.com",
            Some("https://pds.example.com"),
            &doc,
            false
        )
        .is_err()
    );
    doc.insert("protected_resources".into(), serde_json::json!(["https://pds.example.com"]));
    assert!(
        AuthorizationServer::from_document(
            "https://pds.example.com",
            Some("https://pds.example.com"),
            &doc,
            false
        )
        .is_ok()
    );
}

#[test]
fn http_issuer_only_in_development() {
    let v = testdata::vector("v10_as_metadata.json");
    let mut doc = obj(&v["valid_document"]);
    let text =
        serde_json::to_string(&doc).unwrap().replace("https://pds.example.com", "http://localhost:2583");
    doc = serde_json::from_str(&text).unwrap();
    assert!(AuthorizationServer::from_document("http://localhost:2583", None, &doc, false).is_err());
    assert!(AuthorizationServer::from_document("http://localhost:2583", None, &doc, true).is_ok());
}

#[test]
fn protected_resource_checks() {
    let ok = serde_json::json!({"resource":"https://pds.example.com","authorization_servers":["https://auth.example.com"]});
    assert_eq!(
        ProtectedResource::from_document("https://pds.example.com", &obj(&ok), false)
            .unwrap()
            .authorization_server,
        "https://auth.example.com"
    );
    for bad in [
        serde_json::json!({"resource":"https://other.example.com","authorization_servers":["https://auth.example.com"]}),
        serde_json::json!({"resource":"https://pds.example.com","authorization_servers":[]}),
        serde_json::json!({"resource":"https://pds.example.com","authorization_servers":["https://a.example.com","https://b.example.com"]}),
        serde_json::json!({"resource":"https://pds.example.com","authorization_servers":["https://auth.example.com/path"]}),
        serde_json::json!({"resource":"https://pds.example.com","authorization_servers":["https://auth.example.com:443"]}),
        serde_json::json!({"resource":"https://pds.example.com","authorization_servers":["http://auth.example.com"]}),
        serde_json::json!({"resource":"https://pds.example.com"}),
    ] {
        assert!(
            ProtectedResource::from_document("https://pds.example.com", &obj(&bad), false).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn origin_form() {
    assert!(is_origin("https://a.example.com", false));
    assert!(!is_origin("https://a.example.com/", false));
    assert!(!is_origin("https://a.example.com:443", false));
    assert!(is_origin("https://a.example.com:8443", false));
    assert!(!is_origin("https://user@a.example.com", false));
    assert!(!is_origin("http://a.example.com", false));
}
