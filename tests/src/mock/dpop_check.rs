//! Verifies DPoP proofs the way a strict server would (RFC 9449 §4.3).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What a verified proof said.
#[derive(Debug, Clone)]
pub struct DpopCheck {
    /// The JWK thumbprint of the proof key.
    pub thumbprint: String,
    /// The claims.
    pub claims: Value,
}

/// Verifies a compact DPoP JWT: `typ` `dpop+jwt`, `alg` `ES256`, a public P-256 `jwk`
/// without `d`, a valid signature, `htm`/`htu` equal to the request, a `jti`, and `ath` equal
/// to the hash of `access_token` when one is given (absent otherwise).
pub fn check_proof(jwt: &str, htm: &str, htu: &str, access_token: Option<&str>) -> Result<DpopCheck, String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, s] = parts.as_slice() else { return Err("not a compact JWS".into()) };
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|e| format!("base64: {e}"));
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|e| format!("header: {e}"))?;
    let claims: Value = serde_json::from_slice(&decode(c)?).map_err(|e| format!("claims: {e}"))?;
    if header["typ"] != "dpop+jwt" {
        return Err(format!("typ is {}", header["typ"]));
    }
    if header["alg"] != "ES256" {
        return Err(format!("alg is {}", header["alg"]));
    }
    let jwk = &header["jwk"];
    if jwk.get("d").is_some() {
        return Err("the jwk contains the private key".into());
    }
    if jwk["kty"] != "EC" || jwk["crv"] != "P-256" {
        return Err("the jwk is not a P-256 key".into());
    }
    let x = decode(jwk["x"].as_str().unwrap_or_default())?;
    let y = decode(jwk["y"].as_str().unwrap_or_default())?;
    let mut sec1 = vec![4u8];
    sec1.extend(&x);
    sec1.extend(&y);
    let key = VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| "the jwk is not a curve point".to_owned())?;
    let sig = Signature::from_slice(&decode(s)?).map_err(|_| "bad signature encoding".to_owned())?;
    key.verify(format!("{h}.{c}").as_bytes(), &sig).map_err(|_| "signature does not verify".to_owned())?;
    if claims["htm"] != htm {
        return Err(format!("htm {} != {htm}", claims["htm"]));
    }
    if claims["htu"] != htu {
        return Err(format!("htu {} != {htu}", claims["htu"]));
    }
    if claims["jti"].as_str().is_none_or(|j| j.len() < 16) {
        return Err("missing or short jti".into());
    }
    if !claims["iat"].is_i64() {
        return Err("iat is not an integer".into());
    }
    match (access_token, claims.get("ath").and_then(Value::as_str)) {
        (Some(at), Some(ath)) if ath == URL_SAFE_NO_PAD.encode(Sha256::digest(at.as_bytes())) => {}
        (Some(_), _) => return Err("ath missing or wrong".into()),
        (None, Some(_)) => return Err("ath on a request without an access token".into()),
        (None, None) => {}
    }
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap_or_default(),
        jwk["y"].as_str().unwrap_or_default()
    );
    Ok(DpopCheck { thumbprint: URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())), claims })
}
