//! DPoP-signed requests with the nonce dance (RFC 9449 §8, §9; atproto OAuth spec,
//! "Demonstrating Proof of Possession (DPoP)"):
//! the nonce is learned from every response, and a `use_dpop_nonce` challenge is answered
//! by exactly one retry with a new proof (new `jti`, `iat` and nonce, same key). Nonces are
//! kept per session (DPoP key thumbprint) and origin, never shared between sessions.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::StreamExt as _;
use serde_json::Value;
use url::Url;

use crate::clock::Clock;
use crate::dpop::{DpopKey, NonceScope, NonceStore, Proof, access_token_hash, htu};
use crate::error::{Error, OAuthError, Step};
use crate::http::{Fetch, HttpClient, HttpRequest, HttpResponse, StreamRequest, StreamResponse, send_error};
use crate::metadata::origin;
use crate::untrusted::UntrustedText;
use crate::{http_date, www_authenticate};

/// The HTTP client, nonce cache and clock every protocol step shares.
#[derive(Clone)]
pub(crate) struct Wire {
    pub(crate) http: Arc<dyn HttpClient>,
    pub(crate) nonces: Arc<dyn NonceStore>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Server time minus local time, from the last `Date` header seen.
    pub(crate) clock_offset: Arc<Mutex<Option<i64>>>,
    /// Refuse a response to a DPoP request that carries no `DPoP-Nonce` (atproto OAuth spec,
    /// "Demonstrating Proof of Possession (DPoP)").
    pub(crate) require_dpop_nonce: bool,
    /// Origins already logged for answering a DPoP request without a `DPoP-Nonce`.
    pub(crate) nonce_missing_warned: Arc<Mutex<HashSet<String>>>,
}

impl Wire {
    /// A wire with an empty clock offset and nothing warned yet. `require_dpop_nonce`: see
    /// [`OAuthClientBuilder::require_dpop_nonce`](crate::OAuthClientBuilder::require_dpop_nonce).
    pub(crate) fn new(
        http: Arc<dyn HttpClient>,
        nonces: Arc<dyn NonceStore>,
        clock: Arc<dyn Clock>,
        require_dpop_nonce: bool,
    ) -> Self {
        Self {
            http,
            nonces,
            clock,
            clock_offset: Arc::new(Mutex::new(None)),
            require_dpop_nonce,
            nonce_missing_warned: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    /// POSTs a form to an authorization-server endpoint with a DPoP proof (no `ath`).
    /// A 400 `use_dpop_nonce` carrying a new nonce is retried once.
    pub(crate) async fn post_to_server(
        &self,
        step: Step,
        key: &DpopKey,
        url: &Url,
        form: &[(&str, &str)],
    ) -> Result<HttpResponse, Error> {
        let request = HttpRequest::post_form(url.clone(), form).accept_json();
        self.send_dpop(step, key, request, None, |res| {
            res.status == 400 && oauth_error_code(res).as_deref() == Some("use_dpop_nonce")
        })
        .await
    }

    /// Sends a resource request with `Authorization: DPoP <token>` and `ath`. A 401 whose
    /// `WWW-Authenticate` says `use_dpop_nonce` is retried once; `invalid_token` becomes
    /// [`Error::InvalidToken`].
    pub(crate) async fn send_to_resource(
        &self,
        key: &DpopKey,
        access_token: &str,
        request: HttpRequest,
    ) -> Result<HttpResponse, Error> {
        let request = request.header("authorization", format!("DPoP {access_token}"));
        let res = self
            .send_dpop(
                Step::Resource,
                key,
                request,
                Some(access_token_hash(access_token)),
                is_resource_nonce_challenge,
            )
            .await?;
        if res.status == 401
            && let Some((error, description)) = resource_error(&res)
        {
            if error == "invalid_token" {
                return Err(Error::InvalidToken { description: description.map(|d| UntrustedText::new(&d)) });
            }
            if error == "use_dpop_nonce" {
                return Err(Error::OAuth(Box::new(OAuthError {
                    step: Step::Resource,
                    status: 401,
                    code: error,
                    description: description.map(|d| UntrustedText::new(&d)),
                })));
            }
        }
        Ok(res)
    }

    /// [`send_to_resource`](Self::send_to_resource) with a streamed body both ways: the
    /// response body is not read (a challenge's is dropped before the retry).
    pub(crate) async fn stream_to_resource(
        &self,
        key: &DpopKey,
        access_token: &str,
        request: StreamRequest,
    ) -> Result<StreamResponse, Error> {
        let request = request.header("authorization", format!("DPoP {access_token}"));
        let ath = access_token_hash(access_token);
        let url = &request.url;
        let send = |proof: String| {
            let attempt = request.clone().header("dpop", proof);
            async move {
                let mut res =
                    self.http.send_stream(attempt).await.map_err(|e| send_error(Step::Resource, url, e))?;
                let mut head =
                    HttpResponse { status: res.status, headers: res.headers.clone(), body: Vec::new() };
                if res.status == 401 {
                    // A 401's body is small and may name the DPoP error when no header does:
                    // read it (capped), and hand it on whole if the answer is passed through.
                    let body = std::mem::replace(&mut res.body, futures::stream::empty().boxed());
                    let partial = StreamResponse { status: 401, headers: Vec::new(), body };
                    head.body = partial.collect(64 * 1024).await.unwrap_or_default();
                    let replay = bytes::Bytes::from(head.body.clone());
                    res.body = futures::stream::once(futures::future::ready(Ok(replay))).boxed();
                }
                Ok(Answer { head, rest: res })
            }
        };
        let target = (request.method.as_str(), url);
        let Answer { head, rest: res } =
            self.exchange(Step::Resource, key, target, Some(ath), send, is_resource_nonce_challenge).await?;
        if res.status == 401
            && let Some((error, description)) = resource_error(&head)
            && error == "invalid_token"
        {
            return Err(Error::InvalidToken { description: description.map(|d| UntrustedText::new(&d)) });
        }
        Ok(res)
    }

    /// Sends a buffered DPoP request through [`exchange`](Self::exchange).
    async fn send_dpop(
        &self,
        step: Step,
        key: &DpopKey,
        request: HttpRequest,
        ath: Option<String>,
        is_nonce_challenge: impl Fn(&HttpResponse) -> bool,
    ) -> Result<HttpResponse, Error> {
        let send = |proof: String| {
            let attempt = request.clone().header("dpop", proof);
            async move { Ok(Answer { head: self.http.fetch(step, attempt).await?, rest: () }) }
        };
        let target = (request.method.as_str(), &request.url);
        Ok(self.exchange(step, key, target, ath, send, is_nonce_challenge).await?.head)
    }

    /// The nonce dance around one request, buffered or streamed: `send` makes one attempt
    /// with the proof it is given. The nonce of every answer is learned; a nonce challenge
    /// is retried once, and only if the server gave a nonce other than the one just used.
    async fn exchange<T, Fut>(
        &self,
        step: Step,
        key: &DpopKey,
        (method, url): (&str, &Url),
        ath: Option<String>,
        send: impl Fn(String) -> Fut,
        is_nonce_challenge: impl Fn(&HttpResponse) -> bool,
    ) -> Result<Answer<T>, Error>
    where
        Fut: Future<Output = Result<Answer<T>, Error>>,
    {
        let origin = origin(url);
        let jkt = key.thumbprint();
        let scope = NonceScope { jkt: &jkt, origin: &origin };
        let mut retried = false;
        loop {
            let nonce = self.nonces.get(scope);
            let proof = Proof::mint(key, method, htu(url), self.clock.now(), nonce.clone(), ath.clone())?;
            let answer = send(proof.jwt).await?;
            let learned = self.learn(scope, &answer.head);
            if learned.is_none() {
                self.nonce_missing(step, &origin)?;
            }
            if !retried && is_nonce_challenge(&answer.head) && learned.is_some() && learned != nonce {
                retried = true;
                continue;
            }
            return Ok(answer);
        }
    }

    /// Stores the `DPoP-Nonce` of any response (success or error) for this key and origin,
    /// and notes the server clock.
    fn learn(&self, scope: NonceScope<'_>, res: &HttpResponse) -> Option<String> {
        if let Some(server_now) = res.header("date").and_then(http_date::parse) {
            *self.clock_offset.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(server_now - self.clock.now());
        }
        let nonce = res.header("dpop-nonce").map(str::trim).filter(|n| crate::dpop::is_valid_nonce(n))?;
        self.nonces.put(scope, nonce);
        Some(nonce.to_owned())
    }

    /// A response to a DPoP request came without a (valid) `DPoP-Nonce` header. The atproto OAuth spec:
    /// the client MUST reject it; the reference TypeScript client does not, and servers that
    /// work with it may omit the header. So by default it is logged (once per origin) and
    /// accepted, and with `require_dpop_nonce` it is refused.
    fn nonce_missing(&self, step: Step, origin: &str) -> Result<(), Error> {
        let first =
            self.nonce_missing_warned.lock().unwrap_or_else(|e| e.into_inner()).insert(origin.to_owned());
        if first {
            tracing::warn!(
                %origin,
                %step,
                strict = self.require_dpop_nonce,
                "a response to a DPoP request has no DPoP-Nonce header (the atproto OAuth spec says to reject it{})",
                if self.require_dpop_nonce { "; refused" } else { "; accepted, strict mode is off" }
            );
        }
        if self.require_dpop_nonce {
            return Err(Error::invalid(
                step,
                "no DPoP-Nonce header in the response to a DPoP-signed request (strict nonce checking)",
            ));
        }
        Ok(())
    }
}

/// The `error` of an OAuth JSON error body.
pub(crate) fn oauth_error_code(res: &HttpResponse) -> Option<String> {
    let body: Value = serde_json::from_slice(&res.body).ok()?;
    body.get("error")?.as_str().map(str::to_owned)
}

/// One attempt's answer: what the nonce dance reads (status, headers, and for a challenge the
/// body), and the rest the caller keeps (the streamed response, or nothing when buffered).
struct Answer<T> {
    head: HttpResponse,
    rest: T,
}

/// A resource server's `use_dpop_nonce` challenge (RFC 9449 §9: a 401 with the error in
/// `WWW-Authenticate`).
fn is_resource_nonce_challenge(res: &HttpResponse) -> bool {
    res.status == 401 && resource_error(res).is_some_and(|(e, _)| e == "use_dpop_nonce")
}

/// A resource server's DPoP error: from `WWW-Authenticate`, else from a JSON body.
fn resource_error(res: &HttpResponse) -> Option<(String, Option<String>)> {
    if let Some(e) = res.header("www-authenticate").and_then(www_authenticate::dpop_error) {
        return Some(e);
    }
    let body: Value = serde_json::from_slice(&res.body).ok()?;
    let error = body.get("error")?.as_str()?.to_owned();
    let message = body.get("message").or_else(|| body.get("error_description")).and_then(Value::as_str);
    matches!(error.as_str(), "use_dpop_nonce" | "invalid_token").then(|| (error, message.map(str::to_owned)))
}

/// Turns a non-success authorization-server response into an error: an OAuth error when the
/// body carries one (RFC 6749 §5.2), else server trouble or an invalid response.
pub(crate) fn server_error(step: Step, res: &HttpResponse) -> Error {
    let body: Option<Value> = serde_json::from_slice(&res.body).ok();
    let code = body.as_ref().and_then(|b| b.get("error")).and_then(Value::as_str);
    match code {
        Some(code) if is_error_code(code) => Error::OAuth(Box::new(OAuthError {
            step,
            status: res.status,
            code: code.to_owned(),
            description: body
                .as_ref()
                .and_then(|b| b.get("error_description"))
                .and_then(Value::as_str)
                .map(UntrustedText::new),
        })),
        _ if res.status >= 500 => Error::ServerUnavailable { step, status: res.status },
        _ => Error::invalid(step, format!("unexpected HTTP {}", res.status)),
    }
}

/// An OAuth error code is a short visible-ASCII token (RFC 6749 §5.2 `error` syntax).
fn is_error_code(code: &str) -> bool {
    (1..=128).contains(&code.len())
        && code.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

#[cfg(test)]
mod tests;
