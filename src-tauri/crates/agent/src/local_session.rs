//! The session methods the agent answers itself, so that code written for app passwords
//! works unchanged (atproto lexicons `com.atproto.server.createSession`, `getSession`,
//! `refreshSession`, `deleteSession`):
//!
//! * `createSession` with the account's handle or DID and a key as the password starts a
//!   local session; its tokens are the agent's, never OAuth tokens. The answer has no
//!   `didDoc`: SDKs that find one switch to the PDS it names, away from the agent.
//! * `getSession` is the PDS's answer with `didDoc` removed, for the same reason
//!   (`@atproto/api` calls it after every refresh).
//! * `refreshSession` rotates the local tokens; `deleteSession` ends the local session only.

use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use skyport_accounts::apps::{Caller, Denied, LocalSession, TokenUse};
use skyport_accounts::{ForwardRequest, Method};
use subtle::ConstantTimeEq as _;

use crate::audit::CallRecord;
use crate::credentials::Presented;
use crate::route::{Body, GET_SESSION, denied_response, failure, local, refuse};
use crate::server::State;
use crate::status::Counters;
use crate::xrpc_error;

const MAX_SESSION_BODY: usize = 16 * 1024;

fn session_json(s: &LocalSession) -> Value {
    json!({
        "accessJwt": s.access_jwt,
        "refreshJwt": s.refresh_jwt,
        "handle": s.handle.as_deref().unwrap_or("handle.invalid"),
        "did": s.did,
        "active": true,
    })
}

pub(crate) async fn create(state: &State, body: Incoming, mut record: CallRecord) -> Response<Body> {
    let bytes = match http_body_util::Limited::new(body, MAX_SESSION_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return refuse(
                state,
                record,
                StatusCode::PAYLOAD_TOO_LARGE,
                "PayloadTooLarge",
                "the body is too large",
                "too_large",
            )
            .await;
        }
    };
    record.row.bytes_in = bytes.len() as u64;
    let input: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let (Some(identifier), Some(password)) =
        (input.get("identifier").and_then(Value::as_str), input.get("password").and_then(Value::as_str))
    else {
        return refuse(
            state,
            record,
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "createSession needs a JSON body with identifier and password",
            "invalid_request",
        )
        .await;
    };
    match state.accounts.create_local_session(identifier, password).await {
        Ok(session) => {
            record.row.did = Some(session.did.clone());
            local(state, record, &session_json(&session))
        }
        Err(denied) => denied_response(state, record, &denied).await,
    }
}

pub(crate) async fn refresh(state: &State, presented: Presented, record: CallRecord) -> Response<Body> {
    let Presented::Token(token) = presented else {
        return denied_response(state, record, &Denied::BadToken).await;
    };
    match state.accounts.refresh_local_session(&token).await {
        Ok(session) => {
            let mut record = record;
            record.row.did = Some(session.did.clone());
            local(state, record, &session_json(&session))
        }
        Err(denied) => denied_response(state, record, &denied).await,
    }
}

pub(crate) async fn delete(state: &State, presented: Presented, mut record: CallRecord) -> Response<Body> {
    let Presented::Token(token) = presented else {
        return denied_response(state, record, &Denied::BadToken).await;
    };
    // SDKs send the refresh token (as the lexicon says); an access token is taken too.
    let found = match state.accounts.authenticate_token(&token, TokenUse::Refresh).await {
        Err(Denied::BadToken) => state.accounts.authenticate_token(&token, TokenUse::Access).await,
        other => other,
    };
    let caller = match found {
        Ok((caller, _)) => caller,
        Err(denied) => return denied_response(state, record, &denied).await,
    };
    record.row.key_name = Some(caller.key_name.clone());
    record.row.did = Some(caller.did.clone());
    record.key_id = Some(caller.key_id);
    if let Some(sid) = &caller.session
        && let Err(denied) = state.accounts.delete_local_session(sid).await
    {
        return denied_response(state, record, &denied).await;
    }
    local(state, record, &json!({}))
}

pub(crate) async fn get(state: &State, caller: &Caller, record: CallRecord) -> Response<Body> {
    let request = ForwardRequest {
        method: Method::Get,
        nsid: GET_SESSION.to_owned(),
        query: None,
        headers: vec![("accept", "application/json".into())],
        body: None,
    };
    let res = match state.accounts.forward(Some(&caller.did), &request).await {
        Ok(res) => res,
        Err(e) => return failure(state, record, &e),
    };
    let status = res.status;
    let bytes = match res.collect(1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            return failure(
                state,
                record,
                &skyport_accounts::Error::InvalidInput(format!("reading getSession: {e}")),
            );
        }
    };
    let mut body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Some(map) = body.as_object_mut() {
        // Without it, SDKs keep the agent as their service.
        map.remove("didDoc");
    }
    // The PDS answered: a forwarded call, with its body edited.
    Counters::add(&state.counters.forwarded, 1);
    Counters::add(&state.counters.bytes_out, bytes.len() as u64);
    state.audit.finish(record, status, "forwarded", bytes.len() as u64);
    xrpc_error::json(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY), &body)
}

pub(crate) fn status(state: &State, parts: &Parts, record: CallRecord) -> Response<Body> {
    let presented =
        parts.headers.get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = presented.strip_prefix("Bearer ").unwrap_or("");
    if !bool::from(token.as_bytes().ct_eq(state.instance.control_token.as_bytes())) {
        Counters::add(&state.counters.refused, 1);
        state.audit.finish(record, 401, "bad_control_token", 0);
        return xrpc_error::error(
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "the status endpoint wants the control token from agent.json in the data directory",
        );
    }
    Counters::add(&state.counters.local, 1);
    let body = serde_json::to_value(state.status()).unwrap_or(Value::Null);
    xrpc_error::json(StatusCode::OK, &body)
}
