use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use url::Url;

use super::*;
use crate::testdata;

/// Verifies a compact ES256 JWS against the `jwk` in its own header; returns (header, claims).
fn verify(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    let mut parts = jwt.split('.');
    let (h, c, s) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    assert!(parts.next().is_none());
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).unwrap()).unwrap();
    let x = URL_SAFE_NO_PAD.decode(header["jwk"]["x"].as_str().unwrap()).unwrap();
    let y = URL_SAFE_NO_PAD.decode(header["jwk"]["y"].as_str().unwrap()).unwrap();
    let mut sec1 = vec![4u8];
    sec1.extend(x);
    sec1.extend(y);
    let key = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    key.verify(format!("{h}.{c}").as_bytes(), &sig).expect("signature verifies");
    (header, claims)
}

#[test]
fn signed_examples_from_the_vectors_verify() {
    let v = testdata::vector("extra_signed_dpop_examples.json");
    for ex in v["examples"].as_array().unwrap() {
        let (header, claims) = verify(ex["compact_jws"].as_str().unwrap());
        assert_eq!(header, ex["header"], "{}", ex["name"]);
        assert_eq!(claims, ex["claims"], "{}", ex["name"]);
    }
}

#[test]
fn test_key_from_vectors_has_expected_thumbprint() {
    let v = testdata::vector("extra_signed_dpop_examples.json");
    let d = URL_SAFE_NO_PAD.decode(v["private_jwk_for_tests_only"]["d"].as_str().unwrap()).unwrap();
    let key = DpopKey::from_secret_bytes(&d).unwrap();
    assert_eq!(key.public_jwk().x, v["private_jwk_for_tests_only"]["x"].as_str().unwrap());
    assert_eq!(key.public_jwk().y, v["private_jwk_for_tests_only"]["y"].as_str().unwrap());
    assert_eq!(key.thumbprint(), v["public_jwk_thumbprint"].as_str().unwrap());
}

#[test]
fn jwk_thumbprint_vectors() {
    let v = testdata::vector("v2_jwk_thumbprint.json");
    for case in v["cases"].as_array().unwrap() {
        let jwk = PublicJwk {
            kty: "EC",
            crv: "P-256",
            x: case["jwk"]["x"].as_str().unwrap().to_owned(),
            y: case["jwk"]["y"].as_str().unwrap().to_owned(),
        };
        assert_eq!(jwk.canonical_json(), case["expected_canonical_json"].as_str().unwrap());
        assert_eq!(jwk.thumbprint(), case["expected_thumbprint_sha256_b64url"].as_str().unwrap());
    }
}

#[test]
fn htu_normalisation_vectors() {
    let v = testdata::vector("extra_htu_normalization.json");
    for case in v["cases"].as_array().unwrap() {
        let url = Url::parse(case["request_url"].as_str().unwrap()).unwrap();
        assert_eq!(htu(&url), case["htu"].as_str().unwrap(), "{}", case["request_url"]);
    }
    for anti in v["anti_cases"].as_array().unwrap() {
        if let Some(wrong) = anti["wrong_htu"].as_str() {
            assert_ne!(htu(&Url::parse(wrong).unwrap()), wrong);
        }
    }
}

#[test]
fn ath_vector() {
    let v = testdata::vector("v6_v7_v8_dpop_proofs.json");
    let v8 = &v["V8_resource_request_with_ath"];
    assert_eq!(access_token_hash(v8["access_token"].as_str().unwrap()), v8["expected_ath"].as_str().unwrap());
}

#[test]
fn minted_proof_has_profile_shape_and_verifies() {
    let v = testdata::vector("v6_v7_v8_dpop_proofs.json");
    let key = DpopKey::generate().unwrap();
    let p = Proof::mint(&key, "POST", "https://pds.example.com/oauth/par".into(), 1714657800, None, None)
        .unwrap();
    let (header, claims) = verify(&p.jwt);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert!(header["jwk"].get("d").is_none(), "private part must not be in the header");
    let expected_header_keys = v["V6_par_without_nonce"]["header"].as_object().unwrap();
    assert_eq!(
        header.as_object().unwrap().keys().collect::<Vec<_>>(),
        expected_header_keys.keys().collect::<Vec<_>>()
    );
    let expected_claim_keys = v["V6_par_without_nonce"]["claims"].as_object().unwrap();
    let mut got: Vec<_> = claims.as_object().unwrap().keys().cloned().collect();
    let mut want: Vec<_> = expected_claim_keys.keys().cloned().collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "no nonce and no ath on a first PAR proof");

    let p = Proof::mint(
        &key,
        "GET",
        "https://pds.example.com/xrpc/x".into(),
        1,
        Some("n1".into()),
        Some(access_token_hash("abcdef.ghijkl")),
    )
    .unwrap();
    let (_, claims) = verify(&p.jwt);
    let mut got: Vec<_> = claims.as_object().unwrap().keys().cloned().collect();
    let mut want: Vec<_> =
        v["V8_resource_request_with_ath"]["claims"].as_object().unwrap().keys().cloned().collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(claims["ath"], v["V8_resource_request_with_ath"]["expected_ath"]);
}

#[test]
fn every_proof_gets_a_fresh_jti() {
    let key = DpopKey::generate().unwrap();
    let a = Proof::mint(&key, "POST", "https://a/b".into(), 1, None, None).unwrap();
    let b = Proof::mint(&key, "POST", "https://a/b".into(), 1, None, None).unwrap();
    assert_ne!(a.claims.jti, b.claims.jti);
    assert!(a.claims.jti.len() >= 22);
}

#[test]
fn keys_are_fresh_and_round_trip_through_secret_bytes() {
    let a = DpopKey::generate().unwrap();
    let b = DpopKey::generate().unwrap();
    assert_ne!(a.thumbprint(), b.thumbprint());
    let restored = DpopKey::from_secret_bytes(&a.to_secret_bytes()).unwrap();
    assert_eq!(restored.public_jwk(), a.public_jwk());
    assert!(DpopKey::from_secret_bytes(&[0u8; 32]).is_err());
    assert!(DpopKey::from_secret_bytes(b"short").is_err());
}

#[test]
fn key_debug_shows_no_private_material() {
    let key = DpopKey::generate().unwrap();
    let shown = format!("{key:?}");
    assert!(shown.contains(&key.thumbprint()));
    let d = URL_SAFE_NO_PAD.encode(&*key.to_secret_bytes());
    assert!(!shown.contains(&d));
}

#[test]
fn nonce_values_are_checked() {
    assert!(nonce::is_valid_nonce("abc-DEF_123"));
    assert!(!nonce::is_valid_nonce(""));
    assert!(!nonce::is_valid_nonce("has space"));
    assert!(!nonce::is_valid_nonce("ctl\u{7}"));
    assert!(!nonce::is_valid_nonce(&"a".repeat(2000)));
}

#[test]
fn memory_nonces_are_kept_per_key_and_origin() {
    let store = MemoryNonces::default();
    let alice = NonceScope { jkt: "alice-jkt", origin: "https://as.example" };
    let bob = NonceScope { jkt: "bob-jkt", origin: "https://as.example" };
    let alice_pds = NonceScope { jkt: "alice-jkt", origin: "https://pds.example" };
    store.put(alice, "n1");
    assert_eq!(store.get(alice).as_deref(), Some("n1"));
    assert_eq!(store.get(bob), None, "another key at the same origin sees nothing");
    assert_eq!(store.get(alice_pds), None, "the same key at another origin sees nothing");
    store.put(bob, "n2");
    store.put(alice, "n3");
    assert_eq!((store.get(alice).as_deref(), store.get(bob).as_deref()), (Some("n3"), Some("n2")));
}
