use serde_json::json;

use super::*;
use crate::testdata;

#[test]
fn localhost_client_id_vectors() {
    let v = testdata::vector("extra_localhost_client_id_cases.json");
    for case in v["cases"].as_array().unwrap() {
        let id = case["client_id"].as_str().unwrap();
        let parsed = LoopbackClientId::parse(id);
        assert_eq!(parsed.is_ok(), case["valid"].as_bool().unwrap(), "{id}: {parsed:?} ({})", case["why"]);
        if let Ok(p) = parsed {
            if let Some(scope) = case["virtual_scope"].as_str() {
                assert_eq!(p.scope, scope, "{id}");
            }
            if let Some(uris) = case["virtual_redirect_uris"].as_array() {
                let uris: Vec<&str> = uris.iter().map(|u| u.as_str().unwrap()).collect();
                assert_eq!(p.redirect_uris, uris, "{id}");
            }
        }
    }
}

#[test]
fn loopback_config_builds_a_valid_id_and_port_free_redirect() {
    let c = ClientConfig::loopback("atproto transition:generic").unwrap();
    let parsed = LoopbackClientId::parse(c.client_id().as_str()).unwrap();
    assert_eq!(parsed.scope, "atproto transition:generic");
    assert_eq!(parsed.redirect_uris, vec!["http://127.0.0.1/callback"]);
    assert_eq!(c.redirect_uri(Some(51234)).unwrap(), "http://127.0.0.1:51234/callback");
    assert!(c.redirect_uri(None).is_err());
    assert!(c.metadata_document(&Default::default()).is_err());
}

#[test]
fn discoverable_config_derives_the_reversed_scheme() {
    let c = ClientConfig::discoverable(
        "https://app.skyport.dev/oauth-client-metadata.json",
        "atproto transition:generic",
        false,
    )
    .unwrap();
    assert_eq!(c.redirect_uri(None).unwrap(), "dev.skyport.app:/callback");
    assert_eq!(c.custom_scheme(), Some("dev.skyport.app"));
    let doc = c
        .metadata_document(&ClientMetadataOptions {
            client_name: Some("Skyport".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(check_client_metadata(c.client_id().as_str(), &doc, false), Ok(()));
    assert_eq!(doc["redirect_uris"], json!(["dev.skyport.app:/callback"]));
}

#[test]
fn discoverable_client_id_rules() {
    let ok = "https://app.skyport.dev/oauth-client-metadata.json";
    assert!(ClientConfig::discoverable(ok, "atproto", false).is_ok());
    for bad in [
        "http://app.skyport.dev/client.json",
        "https://app.skyport.dev",
        "https://app.skyport.dev/",
        "https://app.skyport.dev/dir/",
        "https://app.skyport.dev/a/../client.json",
        "https://127.0.0.1/client.json",
        "https://app.skyport.test/client.json",
        "https://localhost/client.json",
        "https://user:pw@app.skyport.dev/client.json",
        "https://app.skyport.dev/client.json#frag",
        "https://app.skyport.dev:8443/client.json",
    ] {
        assert!(ClientConfig::discoverable(bad, "atproto", false).is_err(), "{bad}");
    }
    assert!(
        ClientConfig::discoverable("https://app.skyport.dev:8443/client.json", "atproto", true).is_ok(),
        "port allowed in development"
    );
    assert!(ClientConfig::discoverable(ok, "transition:generic", false).is_err(), "atproto is required");
}

fn good_doc() -> serde_json::Value {
    json!({
        "client_id": "https://app.skyport.dev/client.json",
        "application_type": "native",
        "token_endpoint_auth_method": "none",
        "dpop_bound_access_tokens": true,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "atproto transition:generic",
        "redirect_uris": ["dev.skyport.app:/callback"],
    })
}

#[test]
fn metadata_document_rules() {
    let url = "https://app.skyport.dev/client.json";
    assert_eq!(check_client_metadata(url, &good_doc(), false), Ok(()));
    let cases: Vec<(&str, serde_json::Value)> = vec![
        ("client_id mismatch", json!({"client_id": "https://app.skyport.dev/other.json"})),
        ("application_type web", json!({"application_type": "web"})),
        ("auth method missing", json!({"token_endpoint_auth_method": null})),
        ("auth method basic", json!({"token_endpoint_auth_method": "client_secret_basic"})),
        ("jwks present", json!({"jwks": {"keys": []}})),
        ("signing alg present", json!({"token_endpoint_auth_signing_alg": "ES256"})),
        ("dpop not bound", json!({"dpop_bound_access_tokens": false})),
        ("dpop as string", json!({"dpop_bound_access_tokens": "true"})),
        ("no refresh grant", json!({"grant_types": ["authorization_code"]})),
        (
            "duplicate grants",
            json!({"grant_types": ["authorization_code", "refresh_token", "refresh_token"]}),
        ),
        ("token response type", json!({"response_types": ["code", "token"]})),
        ("scope without atproto", json!({"scope": "transition:generic"})),
        ("atproto as substring", json!({"scope": "atprotox transition:generic"})),
        ("empty redirects", json!({"redirect_uris": []})),
        ("parent-domain scheme", json!({"redirect_uris": ["dev.skyport:/callback"]})),
        ("other scheme", json!({"redirect_uris": ["com.example.app:/callback"]})),
        ("double slash", json!({"redirect_uris": ["dev.skyport.app://callback"]})),
        ("no dot in scheme", json!({"redirect_uris": ["skyport:/callback"]})),
        ("localhost redirect", json!({"redirect_uris": ["http://localhost:7777/callback"]})),
        ("https redirect other origin", json!({"redirect_uris": ["https://evil.example.org/callback"]})),
        ("poisoned list", json!({"redirect_uris": ["dev.skyport.app:/callback", "myapp:/cb"]})),
        ("client_uri other origin", json!({"client_uri": "https://elsewhere.dev/"})),
        ("http logo", json!({"logo_uri": "http://app.skyport.dev/logo.png"})),
    ];
    for (name, patch) in cases {
        let mut doc = good_doc();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                doc.as_object_mut().unwrap().remove(k);
            } else {
                doc[k] = v.clone();
            }
        }
        assert!(check_client_metadata(url, &doc, false).is_err(), "{name} must be rejected");
    }
    let loopback_ok = {
        let mut d = good_doc();
        d["redirect_uris"] = json!(["dev.skyport.app:/callback", "http://127.0.0.1/callback"]);
        d
    };
    assert_eq!(check_client_metadata(url, &loopback_ok, false), Ok(()));
    let errors = check_client_metadata("http://app.skyport.dev/", &json!({}), false).unwrap_err();
    assert!(errors.len() > 5, "every violation is reported: {errors:?}");
}

#[test]
fn reverse_domain_rule() {
    assert_eq!(reverse_domain("app.example.com"), "com.example.app");
    let c = ClientConfig::discoverable("https://app.skyport-test.dev:4431/m.json", "atproto", true).unwrap();
    assert_eq!(c.redirect_uri(None).unwrap(), "dev.skyport-test.app:/callback");
}

#[test]
fn requested_scope_must_be_declared() {
    let c = ClientConfig::loopback("atproto transition:generic").unwrap();
    assert!(c.check_request_scope(&crate::Scope::parse("atproto").unwrap()).is_ok());
    assert!(c.check_request_scope(&crate::Scope::parse("atproto transition:email").unwrap()).is_err());
    assert!(c.check_request_scope(&crate::Scope::parse("transition:generic").unwrap()).is_err());
}
