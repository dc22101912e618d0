//! One request, start to end: the guard, the path, the credentials, the key's rules, then a
//! local answer or the PDS's. Every outcome goes to the audit log.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use skyport_accounts::apps::{Caller, Denied, Refusal, TokenUse};
use skyport_accounts::{Error, ErrorCode};

use crate::audit::CallRecord;
use crate::credentials::{self, Presented};
use crate::guard::{self, Rejection};
use crate::server::State;
use crate::status::Counters;
use crate::xrpc_error::{error, json};
use crate::{local_session, proxy};

/// The response body type.
pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// The methods the agent answers itself.
pub(crate) const CREATE_SESSION: &str = "com.atproto.server.createSession";
pub(crate) const REFRESH_SESSION: &str = "com.atproto.server.refreshSession";
pub(crate) const GET_SESSION: &str = "com.atproto.server.getSession";
pub(crate) const DELETE_SESSION: &str = "com.atproto.server.deleteSession";

pub(crate) async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<Body> {
    Counters::add(&state.counters.requests, 1);
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let nsid = path.strip_prefix("/xrpc/").filter(|n| skyport_accounts::is_nsid(n)).map(str::to_owned);
    let method: String = parts.method.as_str().chars().take(8).collect();
    let mut record = CallRecord::new(nsid.as_deref().unwrap_or("-"), &method);
    if let Err(rejection) = guard::check(&parts, state.port) {
        let browser;
        let (status, name, message) = match rejection {
            Rejection::WrongHost => (
                StatusCode::FORBIDDEN,
                "WrongHost",
                "the Skyport agent answers only requests addressed to 127.0.0.1 or localhost at its port",
            ),
            Rejection::FromBrowser(header) => {
                browser =
                    format!("the Skyport agent does not answer web pages (the request carried {header})");
                (StatusCode::FORBIDDEN, "BrowserRequest", browser.as_str())
            }
            Rejection::Method => (
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "XRPC uses GET for queries and POST for procedures",
            ),
        };
        return refuse(&state, record, status, name, message, rejection.as_str()).await;
    }
    if path == "/_skyport/status" {
        return local_session::status(&state, &parts, record);
    }
    let Some(nsid) = nsid else {
        let message = if path.starts_with("/xrpc/") {
            "not a method NSID"
        } else {
            "the agent serves /xrpc/<method> only"
        };
        return refuse(&state, record, StatusCode::NOT_FOUND, "MethodNotImplemented", message, "not_found")
            .await;
    };
    let presented = credentials::presented(&parts.headers);
    match nsid.as_str() {
        CREATE_SESSION => local_session::create(&state, body, record).await,
        REFRESH_SESSION => local_session::refresh(&state, presented, record).await,
        DELETE_SESSION => local_session::delete(&state, presented, record).await,
        _ => {
            let caller = match authenticate(&state, presented, TokenUse::Access).await {
                Ok(c) => c,
                Err(denied) => return denied_response(&state, record, &denied).await,
            };
            record.row.key_name = Some(caller.key_name.clone());
            record.row.did = Some(caller.did.clone());
            record.key_id = Some(caller.key_id);
            if nsid == GET_SESSION {
                return local_session::get(&state, &caller, record).await;
            }
            let procedure = parts.method == hyper::Method::POST;
            if let Err(refusal) = caller.rules.check(procedure, &nsid) {
                let (name, message) = refusal_text(refusal, &caller, &nsid);
                return refuse(&state, record, StatusCode::FORBIDDEN, name, &message, refusal.as_str()).await;
            }
            proxy::forward(&state, &caller, parts, body, record).await
        }
    }
}

/// The caller behind a key or a local token.
pub(crate) async fn authenticate(
    state: &State,
    presented: Presented,
    want: TokenUse,
) -> Result<Caller, Denied> {
    match presented {
        Presented::Nothing => Err(Denied::Missing),
        Presented::Unusable => Err(Denied::BadToken),
        Presented::Key(key) => state.accounts.authenticate_key(&key).await,
        Presented::Token(token) => state.accounts.authenticate_token(&token, want).await.map(|(c, _)| c),
    }
}

fn refusal_text(refusal: Refusal, caller: &Caller, nsid: &str) -> (&'static str, String) {
    let name = &caller.key_name;
    match refusal {
        Refusal::ReadOnly => ("ReadOnlyKey", format!("the key {name:?} is read-only: {nsid} changes data")),
        Refusal::NotAllowed => (
            "MethodNotAllowed",
            format!("the key {name:?} may not call {nsid}; `skyport agent keys` shows what it may call"),
        ),
        Refusal::AccountManagement => (
            "AccountManagementNotAllowed",
            format!(
                "{nsid} manages the account; a key may call it only if made with `--allow {nsid}` (skyport agent allow)"
            ),
        ),
    }
}

/// Refuses: counts, audits, and answers in the XRPC error shape.
pub(crate) async fn refuse(
    state: &State,
    record: CallRecord,
    status: StatusCode,
    name: &str,
    message: &str,
    outcome: &str,
) -> Response<Body> {
    Counters::add(&state.counters.refused, 1);
    state.audit.finish(record, status.as_u16(), outcome, 0);
    error(status, name, message)
}

/// Refuses credentials; bad ones wait (see [`credentials::Throttle`]).
pub(crate) async fn denied_response(state: &State, record: CallRecord, denied: &Denied) -> Response<Body> {
    let (status, name, message) = match denied {
        Denied::Missing => (
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "this call needs a key (Authorization: Bearer skp_…) or a session from createSession".to_owned(),
        ),
        Denied::BadKey | Denied::WrongAccount => (
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "Invalid identifier or password (the key is not valid for this account, or was revoked)"
                .to_owned(),
        ),
        Denied::KeyExpired => (
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "the key has expired; make a new one with `skyport agent allow`".to_owned(),
        ),
        Denied::BadToken => {
            (StatusCode::UNAUTHORIZED, "InvalidToken", "Token could not be verified".to_owned())
        }
        Denied::TokenExpired => (StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired".to_owned()),
        Denied::SessionEnded => (
            StatusCode::UNAUTHORIZED,
            "InvalidToken",
            "the local session has ended (signed out, refreshed already, or its key was revoked)".to_owned(),
        ),
        Denied::Unavailable(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "SkyportUnavailable",
            format!("Skyport could not check the credentials: {why}"),
        ),
    };
    let guessing = matches!(denied, Denied::BadKey | Denied::WrongAccount | Denied::BadToken);
    if guessing {
        let delay = state.throttle.failed();
        if delay > Duration::ZERO {
            tokio::time::sleep(delay).await;
        }
    }
    refuse(state, record, status, name, &message, denied.as_str()).await
}

/// Answers a call the account manager could not make.
pub(crate) fn failure(state: &State, record: CallRecord, e: &Error) -> Response<Body> {
    Counters::add(&state.counters.failed, 1);
    let (status, name) = match e.code() {
        ErrorCode::NeedsSignIn => (StatusCode::UNAUTHORIZED, "AccountNeedsSignIn"),
        ErrorCode::UnknownAccount => (StatusCode::UNAUTHORIZED, "InvalidToken"),
        ErrorCode::Network | ErrorCode::Offline | ErrorCode::NotFound => {
            (StatusCode::BAD_GATEWAY, "UpstreamFailure")
        }
        ErrorCode::Timeout => (StatusCode::GATEWAY_TIMEOUT, "UpstreamTimeout"),
        ErrorCode::KeychainLocked => (StatusCode::SERVICE_UNAVAILABLE, "KeychainLocked"),
        ErrorCode::KeychainUnavailable | ErrorCode::KeychainItemDamaged => {
            (StatusCode::SERVICE_UNAVAILABLE, "KeychainUnavailable")
        }
        ErrorCode::InvalidResponse => (StatusCode::BAD_GATEWAY, "UpstreamFailure"),
        ErrorCode::InvalidInput => (StatusCode::BAD_REQUEST, "InvalidRequest"),
        _ => (StatusCode::BAD_GATEWAY, "UpstreamFailure"),
    };
    let message = match e.code() {
        ErrorCode::NeedsSignIn => {
            let who = record.row.did.clone().unwrap_or_default();
            format!("Skyport needs a new sign-in for this account; open Skyport or run `skyport login {who}`")
        }
        _ => format!("Skyport: {e}"),
    };
    state.audit.finish(record, status.as_u16(), e.code().as_str(), 0);
    error(status, name, &message)
}

/// A JSON answer from the agent itself.
pub(crate) fn local(state: &State, record: CallRecord, body: &serde_json::Value) -> Response<Body> {
    Counters::add(&state.counters.local, 1);
    let len = body.to_string().len() as u64;
    Counters::add(&state.counters.bytes_out, len);
    state.audit.finish(record, 200, "local", len);
    json(StatusCode::OK, body)
}
