//! TEST SCAFFOLDING, to be replaced by `skyport-oauth` once it lands: a minimal,
//! hand-rolled pushed authorization request (RFC 9126) with DPoP (RFC 9449, ES256 JWT
//! signed by hand with p256) and PKCE (RFC 7636), plus the code exchange. It exists only
//! to give the approver real requests to approve; it checks nothing a client must check
//! (no issuer or subject verification, no metadata validation).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate as _;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The endpoints we need from the authorization-server metadata.
#[derive(Debug, Clone, Deserialize)]
pub struct AsMetadata {
    pub issuer: String,
    pub pushed_authorization_request_endpoint: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
}

impl AsMetadata {
    pub async fn fetch(issuer: &str) -> Result<Self, BoxError> {
        let url = format!("{issuer}/.well-known/oauth-authorization-server");
        Ok(reqwest::get(url).await?.error_for_status()?.json().await?)
    }
}

/// A DPoP key and the last nonce the server gave us.
pub struct Dpop {
    key: SigningKey,
    jwk: Value,
    nonce: Option<String>,
}

impl Dpop {
    pub fn generate() -> Result<Self, BoxError> {
        let key = SigningKey::try_generate()?;
        let point = key.verifying_key().to_sec1_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("P-256 public key has no affine coordinates".into());
        };
        let jwk = json!({ "kty": "EC", "crv": "P-256", "x": B64.encode(x), "y": B64.encode(y) });
        Ok(Self { key, jwk, nonce: None })
    }

    /// A DPoP proof JWT for `htm htu` (with the current nonce, if any).
    fn proof(&self, htm: &str, htu: &str) -> Result<String, BoxError> {
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk });
        let iat = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
        let mut claims = json!({ "jti": random_b64(16)?, "htm": htm, "htu": htu, "iat": iat });
        if let Some(nonce) = &self.nonce {
            claims["nonce"] = json!(nonce);
        }
        let input = format!(
            "{}.{}",
            B64.encode(serde_json::to_vec(&header)?),
            B64.encode(serde_json::to_vec(&claims)?)
        );
        let signature: Signature = self.key.sign(input.as_bytes());
        Ok(format!("{input}.{}", B64.encode(signature.to_bytes())))
    }

    /// POSTs a form with a DPoP proof; on `use_dpop_nonce`, retries once with the nonce.
    pub async fn post_form(&mut self, url: &str, form: &[(&str, &str)]) -> Result<(u16, Value), BoxError> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        for attempt in 0..2 {
            let res = reqwest::Client::new()
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("dpop", self.proof("POST", url)?)
                .body(body.clone())
                .send()
                .await?;
            if let Some(nonce) = res.headers().get("dpop-nonce") {
                self.nonce = Some(nonce.to_str()?.to_owned());
            }
            let status = res.status().as_u16();
            let json: Value = res.json().await?;
            if attempt == 0 && json["error"] == "use_dpop_nonce" {
                continue;
            }
            return Ok((status, json));
        }
        Err("the server asked for a new DPoP nonce twice".into())
    }
}

/// A pushed authorization request, waiting for the user.
pub struct Pending {
    pub authorize_url: String,
    pub state: String,
    pub client_id: String,
    pub redirect_uri: String,
    code_verifier: String,
}

/// Pushes an authorization request for `scope=atproto` and returns it with the URL to
/// open in a browser.
pub async fn push(
    meta: &AsMetadata,
    dpop: &mut Dpop,
    client_id: &str,
    redirect_uri: &str,
    login_hint: &str,
) -> Result<Pending, BoxError> {
    let state = random_b64(16)?;
    let code_verifier = random_b64(32)?;
    let challenge = B64.encode(Sha256::digest(code_verifier.as_bytes()));
    let (status, body) = dpop
        .post_form(
            &meta.pushed_authorization_request_endpoint,
            &[
                ("client_id", client_id),
                ("response_type", "code"),
                ("redirect_uri", redirect_uri),
                ("scope", "atproto"),
                ("state", &state),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("login_hint", login_hint),
            ],
        )
        .await?;
    if status != 201 {
        return Err(format!("PAR answered {status}: {body}").into());
    }
    let request_uri = body["request_uri"].as_str().ok_or("PAR: no request_uri")?;
    let mut authorize_url = url::Url::parse(&meta.authorization_endpoint)?;
    authorize_url
        .query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri);
    Ok(Pending {
        authorize_url: authorize_url.into(),
        state,
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        code_verifier,
    })
}

/// Exchanges the authorization code; returns the token endpoint's JSON answer.
pub async fn exchange(
    meta: &AsMetadata,
    dpop: &mut Dpop,
    pending: &Pending,
    code: &str,
) -> Result<Value, BoxError> {
    let (status, body) = dpop
        .post_form(
            &meta.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &pending.redirect_uri),
                ("code_verifier", &pending.code_verifier),
                ("client_id", &pending.client_id),
            ],
        )
        .await?;
    if status != 200 {
        return Err(format!("token endpoint answered {status}: {body}").into());
    }
    Ok(body)
}

fn random_b64(len: usize) -> Result<String, BoxError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| format!("getrandom: {e}"))?;
    Ok(B64.encode(bytes))
}
