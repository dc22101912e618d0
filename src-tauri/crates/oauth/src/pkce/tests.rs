use super::*;
use crate::testdata;

#[test]
fn rfc7636_appendix_b_vector() {
    let v = testdata::vector("v1_pkce_s256.json");
    let verifier = v["code_verifier"].as_str().unwrap();
    assert_eq!(challenge(verifier), v["expected_code_challenge"].as_str().unwrap());
}

#[test]
fn generated_verifier_has_rfc_length_and_charset() {
    let p = Pkce::generate().unwrap();
    let v = p.verifier.expose();
    assert!((43..=128).contains(&v.len()), "length {}", v.len());
    assert!(v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
    assert_eq!(p.challenge, challenge(v));
}

#[test]
fn verifiers_are_fresh() {
    let a = Pkce::generate().unwrap();
    let b = Pkce::generate().unwrap();
    assert_ne!(a.verifier.expose(), b.verifier.expose());
}
