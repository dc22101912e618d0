//! A fake atproto stack (PLC directory + PDS + authorization server) on one mock server.
//!
//! It behaves like the reference server where it matters to a client: PAR with a DPoP nonce
//! challenge, codes bound to the PAR's PKCE challenge, redirect URI, client_id and DPoP key,
//! single-use rotating refresh tokens, revocation, and DPoP-bound resource requests. Every
//! response passes through [`Hooks`], so a test can break any step.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::dpop_check::{DpopCheck, check_proof};
use super::server::{MockResponse, MockServer, RecordedRequest};

/// A response rewriter: gets the request and the default response, returns what to send.
pub type Hook = Arc<dyn Fn(&RecordedRequest, MockResponse) -> MockResponse + Send + Sync>;

/// An interceptor: answers instead of the fake (which then does not process the request).
pub type Intercept = Arc<dyn Fn(&RecordedRequest) -> Option<MockResponse> + Send + Sync>;

/// Per-path hooks (rewrite the fake's response) and interceptors (answer instead of it).
#[derive(Default, Clone)]
pub struct Hooks {
    rewrite: HashMap<String, Hook>,
    intercept: HashMap<String, Intercept>,
}

struct Par {
    client_id: String,
    redirect_uri: String,
    state: String,
    challenge: String,
    scope: String,
    jkt: String,
    login_hint: Option<String>,
}

struct Grant {
    session: u64,
    jkt: String,
    scope: String,
    client_id: String,
    did: String,
}

#[derive(Default)]
struct State {
    nonce: String,
    pars: HashMap<String, Par>,
    codes: HashMap<String, (Par, String)>,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
    used_refresh: Vec<(String, u64)>,
    counter: u64,
    hooks: Hooks,
    /// Problems found in the client's requests (bad proofs, wrong parameters).
    violations: Vec<String>,
    /// Every DPoP `jti` accepted so far: a reused proof is refused, as a strict server
    /// does (RFC 9449 §11.1), so a client that resends a proof on the nonce retry fails.
    seen_jti: std::collections::HashSet<String>,
}

/// The fake stack. Accounts: `alice.test` and `bob.test`.
pub struct FakeAtproto {
    server: MockServer,
    state: Arc<Mutex<State>>,
    origin: Arc<OnceLock<String>>,
}

/// The fake accounts: (handle, DID).
pub const ACCOUNTS: [(&str, &str); 2] =
    [("alice.test", "did:plc:aliceaaaaaaaaaaaaaaaaaaa"), ("bob.test", "did:plc:bobbbbbbbbbbbbbbbbbbbbbb")];

impl FakeAtproto {
    /// Starts the fake on `127.0.0.1:0`.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State { nonce: "nonce-1".into(), ..Default::default() }));
        let origin: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let server = {
            let state = state.clone();
            let origin = origin.clone();
            MockServer::start(move |req| {
                let origin = origin.get().cloned().unwrap_or_default();
                let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(answer) = st.hooks.intercept.get(req.path()).cloned().and_then(|i| i(req)) {
                    return answer;
                }
                let default = route(&mut st, &origin, req);
                let hook = st.hooks.rewrite.get(req.path()).cloned();
                drop(st);
                match hook {
                    Some(h) => h(req, default),
                    None => default,
                }
            })
            .await
        };
        let _ = origin.set(server.url());
        Self { server, state, origin }
    }

    /// `http://127.0.0.1:<port>`: PLC, PDS, handle resolver and issuer.
    pub fn url(&self) -> String {
        self.origin.get().cloned().unwrap_or_default()
    }

    /// The mock server (request log).
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// Rewrites responses for `path` (the fake has processed the request: a refresh token
    /// is spent even if the rewritten answer is an error, as when a response is lost).
    pub fn hook(
        &self,
        path: &str,
        hook: impl Fn(&RecordedRequest, MockResponse) -> MockResponse + Send + Sync + 'static,
    ) {
        self.lock().hooks.rewrite.insert(path.to_owned(), Arc::new(hook));
    }

    /// Answers requests for `path` instead of the fake when `intercept` returns a response
    /// (the fake does not see the request).
    pub fn intercept(
        &self,
        path: &str,
        intercept: impl Fn(&RecordedRequest) -> Option<MockResponse> + Send + Sync + 'static,
    ) {
        self.lock().hooks.intercept.insert(path.to_owned(), Arc::new(intercept));
    }

    /// Removes the hook and interceptor of `path`.
    pub fn clear(&self, path: &str) {
        let mut st = self.lock();
        st.hooks.rewrite.remove(path);
        st.hooks.intercept.remove(path);
    }

    /// Rotates the server's DPoP nonce.
    pub fn rotate_nonce(&self) {
        let mut st = self.lock();
        st.counter += 1;
        st.nonce = format!("nonce-{}", st.counter + 1);
    }

    /// Problems the fake found in the client's requests. Tests assert this is empty.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// Approves a login as if the user consented: the callback URL for the PAR behind
    /// `authorization_url`.
    pub fn approve(&self, authorization_url: &str) -> String {
        let url = url::Url::parse(authorization_url).expect("authorization url");
        let request_uri = url
            .query_pairs()
            .find(|(k, _)| k == "request_uri")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let mut st = self.lock();
        let par = st.pars.remove(&request_uri).expect("a PAR for this request_uri");
        st.counter += 1;
        let code = format!("cod-{}", st.counter);
        let hint = par.login_hint.clone().unwrap_or_default();
        let did =
            ACCOUNTS.iter().find(|(h, d)| *h == hint || *d == hint).unwrap_or(&ACCOUNTS[0]).1.to_owned();
        let callback =
            format!("{}?state={}&iss={}&code={}", par.redirect_uri, enc(&par.state), enc(&self.url()), code);
        st.codes.insert(code, (par, did));
        callback
    }

    /// Like [`approve`](Self::approve), but the token will name `did` as `sub`.
    pub fn approve_as(&self, authorization_url: &str, did: &str) -> String {
        let cb = self.approve(authorization_url);
        let code = cb.rsplit("code=").next().unwrap_or_default().to_owned();
        if let Some(entry) = self.lock().codes.get_mut(&code) {
            entry.1 = did.to_owned();
        }
        cb
    }

    /// How many token requests used `grant_type`.
    pub fn token_requests(&self, grant_type: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.path() == "/oauth/token" && r.form("grant_type").as_deref() == Some(grant_type))
            .count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn random_token(st: &mut State, prefix: &str) -> String {
    st.counter += 1;
    format!("{prefix}-{}-{}", st.counter, URL_SAFE_NO_PAD.encode(Sha256::digest(st.counter.to_be_bytes())))
}

fn route(st: &mut State, origin: &str, req: &RecordedRequest) -> MockResponse {
    let nonce = st.nonce.clone();
    let res = match (req.method.as_str(), req.path()) {
        ("GET", "/xrpc/com.atproto.identity.resolveHandle") => {
            let handle = req.query("handle").unwrap_or_default();
            match ACCOUNTS.iter().find(|(h, _)| *h == handle) {
                Some((_, did)) => MockResponse::json(200, &json!({ "did": did })),
                None => MockResponse::json(
                    400,
                    &json!({"error": "InvalidRequest", "message": "Unable to resolve handle"}),
                ),
            }
        }
        ("GET", "/.well-known/oauth-protected-resource") => MockResponse::json(
            200,
            &json!({"resource": origin, "authorization_servers": [origin], "scopes_supported": [], "bearer_methods_supported": ["header"]}),
        ),
        ("GET", "/.well-known/oauth-authorization-server") => MockResponse::json(200, &as_metadata(origin)),
        ("GET", p) if p.starts_with("/did:plc:") => {
            let did = &p[1..];
            match ACCOUNTS.iter().find(|(_, d)| *d == did) {
                Some((handle, did)) => MockResponse::json(200, &did_doc(did, handle, origin)),
                None => MockResponse::json(404, &json!({"message": "DID not registered"})),
            }
        }
        ("POST", "/oauth/par") => par(st, origin, req),
        ("POST", "/oauth/token") => token(st, origin, req),
        ("POST", "/oauth/revoke") => revoke(st, origin, req),
        ("GET", "/xrpc/com.atproto.server.getSession") => get_session(st, origin, req),
        _ => MockResponse::json(404, &json!({"error": "NotFound"})),
    };
    res.header("dpop-nonce", &nonce)
}

/// AS metadata shaped like the reference server's.
pub fn as_metadata(origin: &str) -> Value {
    json!({
        "issuer": origin,
        "authorization_endpoint": format!("{origin}/oauth/authorize"),
        "token_endpoint": format!("{origin}/oauth/token"),
        "pushed_authorization_request_endpoint": format!("{origin}/oauth/par"),
        "revocation_endpoint": format!("{origin}/oauth/revoke"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["atproto", "transition:generic", "transition:email", "transition:chat.bsky"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "authorization_response_iss_parameter_supported": true,
        "require_pushed_authorization_requests": true,
        "client_id_metadata_document_supported": true,
        "protected_resources": [origin],
    })
}

/// A DID document for a fake account.
pub fn did_doc(did: &str, handle: &str, pds: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "alsoKnownAs": [format!("at://{handle}")],
        "verificationMethod": [],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}],
    })
}

fn oauth_error(status: u16, error: &str, description: &str) -> MockResponse {
    MockResponse::json(status, &json!({"error": error, "error_description": description}))
}

/// Accepts a proof's `jti` once: the same `jti` again is a replayed proof.
fn fresh_jti(st: &mut State, check: DpopCheck) -> Result<DpopCheck, String> {
    let jti = check.claims["jti"].as_str().unwrap_or_default().to_owned();
    if st.seen_jti.insert(jti.clone()) {
        Ok(check)
    } else {
        Err(format!("DPoP proof replayed (jti {jti} was used before)"))
    }
}

/// Checks the DPoP proof of an AS request; `Err` is the response to send.
fn check_as_proof(st: &mut State, origin: &str, req: &RecordedRequest) -> Result<String, MockResponse> {
    let htu = format!("{origin}{}", req.path());
    let Some(proof) = req.header("dpop") else {
        return Err(oauth_error(400, "invalid_dpop_proof", "DPoP proof required"));
    };
    let check = check_proof(proof, "POST", &htu, None).and_then(|c| fresh_jti(st, c)).map_err(|e| {
        st.violations.push(format!("{}: {e}", req.path()));
        oauth_error(400, "invalid_dpop_proof", &e)
    })?;
    if check.claims["nonce"].as_str() != Some(st.nonce.as_str()) {
        return Err(oauth_error(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof"));
    }
    Ok(check.thumbprint)
}

fn par(st: &mut State, origin: &str, req: &RecordedRequest) -> MockResponse {
    let jkt = match check_as_proof(st, origin, req) {
        Ok(j) => j,
        Err(res) => return res,
    };
    for forbidden in ["client_secret", "client_assertion", "client_assertion_type"] {
        if req.form(forbidden).is_some() {
            st.violations.push(format!("PAR carries {forbidden}"));
        }
    }
    if req.form("code_challenge_method").as_deref() != Some("S256")
        || req.form("response_type").as_deref() != Some("code")
    {
        st.violations.push("PAR without S256 or response_type=code".into());
        return oauth_error(400, "invalid_request", "S256 and code required");
    }
    let field = |k: &str| req.form(k).unwrap_or_default();
    let scope = field("scope");
    if !scope.split(' ').any(|t| t == "atproto") {
        return oauth_error(400, "invalid_scope", "atproto scope required");
    }
    let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", random_token(st, "req"));
    st.pars.insert(
        request_uri.clone(),
        Par {
            client_id: field("client_id"),
            redirect_uri: field("redirect_uri"),
            state: field("state"),
            challenge: field("code_challenge"),
            scope,
            jkt,
            login_hint: req.form("login_hint"),
        },
    );
    MockResponse::json(201, &json!({"request_uri": request_uri, "expires_in": 299}))
}

fn token(st: &mut State, origin: &str, req: &RecordedRequest) -> MockResponse {
    let jkt = match check_as_proof(st, origin, req) {
        Ok(j) => j,
        Err(res) => return res,
    };
    let (grant, refresh_scope) = match req.form("grant_type").as_deref() {
        Some("authorization_code") => {
            let Some((par, did)) = st.codes.remove(&req.form("code").unwrap_or_default()) else {
                return oauth_error(400, "invalid_grant", "Invalid code");
            };
            let verifier = req.form("code_verifier").unwrap_or_default();
            let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if challenge != par.challenge {
                st.violations.push("PKCE verifier does not match".into());
                return oauth_error(400, "invalid_grant", "PKCE mismatch");
            }
            if req.form("redirect_uri").as_deref() != Some(par.redirect_uri.as_str()) {
                st.violations.push("token redirect_uri differs from PAR".into());
                return oauth_error(400, "invalid_grant", "redirect_uri mismatch");
            }
            if req.form("client_id").as_deref() != Some(par.client_id.as_str()) {
                st.violations.push("token client_id differs from PAR".into());
                return oauth_error(400, "invalid_client", "client_id mismatch");
            }
            if jkt != par.jkt {
                st.violations.push("token DPoP key differs from PAR".into());
                return oauth_error(400, "invalid_dpop_proof", "key mismatch");
            }
            st.counter += 1;
            (
                Grant { session: st.counter, jkt, scope: par.scope.clone(), client_id: par.client_id, did },
                par.scope,
            )
        }
        Some("refresh_token") => {
            let rt = req.form("refresh_token").unwrap_or_default();
            if let Some(session) = st.used_refresh.iter().find(|(t, _)| *t == rt).map(|(_, s)| *s) {
                // Like the reference server: a reused refresh token ends the session.
                st.refresh.retain(|_, g| g.session != session);
                st.access.retain(|_, g| g.session != session);
                return oauth_error(400, "invalid_grant", "refresh token replayed");
            }
            let Some(grant) = st.refresh.remove(&rt) else {
                return oauth_error(400, "invalid_grant", "Invalid refresh token");
            };
            st.used_refresh.push((rt, grant.session));
            if grant.jkt != jkt {
                st.violations.push("refresh with another DPoP key".into());
                return oauth_error(400, "invalid_dpop_proof", "key mismatch");
            }
            let scope = grant.scope.clone();
            (grant, scope)
        }
        _ => return oauth_error(400, "unsupported_grant_type", "grant"),
    };
    let access = random_token(st, "at");
    let refresh = random_token(st, "ref");
    let body = json!({
        "access_token": access,
        "token_type": "DPoP",
        "expires_in": 3600,
        "refresh_token": refresh,
        "scope": refresh_scope,
        "sub": grant.did,
    });
    // A rotation ends the session's previous access tokens, as in the reference server.
    st.access.retain(|_, g| g.session != grant.session);
    st.access.insert(
        access,
        Grant {
            session: grant.session,
            jkt: grant.jkt.clone(),
            scope: grant.scope.clone(),
            client_id: grant.client_id.clone(),
            did: grant.did.clone(),
        },
    );
    st.refresh.insert(refresh, grant);
    MockResponse::json(200, &body)
}

fn revoke(st: &mut State, origin: &str, req: &RecordedRequest) -> MockResponse {
    if let Err(res) = check_as_proof(st, origin, req) {
        return res;
    }
    let token = req.form("token").unwrap_or_default();
    let session = st.refresh.get(&token).or_else(|| st.access.get(&token)).map(|g| g.session);
    if let Some(session) = session {
        st.refresh.retain(|_, g| g.session != session);
        st.access.retain(|_, g| g.session != session);
    }
    MockResponse::status(200)
}

fn get_session(st: &mut State, origin: &str, req: &RecordedRequest) -> MockResponse {
    let unauthorized = |error: &str| {
        MockResponse::json(401, &json!({"error": error, "message": error}))
            .header("www-authenticate", &format!("DPoP error=\"{error}\", error_description=\"{error}\""))
    };
    let Some(at) = req.header("authorization").and_then(|a| a.strip_prefix("DPoP ")) else {
        st.violations.push("resource request without DPoP authorization".into());
        return unauthorized("invalid_token");
    };
    let at = at.to_owned();
    let htu = format!("{origin}{}", req.path());
    let check = match check_proof(req.header("dpop").unwrap_or_default(), "GET", &htu, Some(&at))
        .and_then(|c| fresh_jti(st, c))
    {
        Ok(c) => c,
        Err(e) => {
            st.violations.push(format!("resource proof: {e}"));
            return unauthorized("invalid_dpop_proof");
        }
    };
    if check.claims["nonce"].as_str() != Some(st.nonce.as_str()) {
        return unauthorized("use_dpop_nonce");
    }
    let Some(grant) = st.access.get(&at) else { return unauthorized("invalid_token") };
    if grant.jkt != check.thumbprint {
        return unauthorized("invalid_token");
    }
    let handle = ACCOUNTS.iter().find(|(_, d)| *d == grant.did).map(|(h, _)| *h).unwrap_or("handle.invalid");
    MockResponse::json(
        200,
        &json!({"did": grant.did, "handle": handle, "scope": grant.scope, "client": grant.client_id}),
    )
}
