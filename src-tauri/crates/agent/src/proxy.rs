//! Forwarding a call to the account's PDS and streaming the answer back with only the
//! headers that matter ([`crate::headers`]). The request body is read off the connection
//! first ([`crate::spool`]), capped in size and in time between chunks, so that DPoP's
//! retries can send it again and a slow sender ties up nothing at the PDS.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt as _};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use skyport_accounts::apps::Caller;
use skyport_accounts::{ByteStream, ForwardRequest, Method};

use crate::audit::{AuditSink, CallRecord};
use crate::headers;
use crate::route::{Body, failure, refuse};
use crate::server::State;
use crate::spool::{self, SpoolError};
use crate::status::Counters;

pub(crate) async fn forward(
    state: &Arc<State>,
    caller: &Caller,
    parts: Parts,
    body: Incoming,
    mut record: CallRecord,
) -> Response<Body> {
    let cap = state.config.max_body;
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > cap) {
        return too_large(state, record, cap).await;
    }
    let method = if parts.method == hyper::Method::POST { Method::Post } else { Method::Get };
    let Ok(permit) = state.in_flight.acquire().await else {
        return refuse(
            state,
            record,
            StatusCode::SERVICE_UNAVAILABLE,
            "SkyportStopping",
            "the agent is stopping",
            "stopping",
        )
        .await;
    };
    let source = if method == Method::Post {
        match spool::read(
            body,
            cap,
            state.config.memory_body,
            state.config.body_idle_timeout,
            &state.spool_dir,
        )
        .await
        {
            Ok((source, len)) => {
                record.row.bytes_in = len;
                Counters::add(&state.counters.bytes_in, len);
                source
            }
            Err(SpoolError::TooLarge) => return too_large(state, record, cap).await,
            Err(SpoolError::Stalled) => {
                return refuse(
                    state,
                    record,
                    StatusCode::REQUEST_TIMEOUT,
                    "RequestTimeout",
                    "the request body stopped arriving",
                    "stalled",
                )
                .await;
            }
            Err(SpoolError::Io(e)) => {
                let e = skyport_accounts::Error::Io { what: "spool the request body".into(), source: e };
                return failure(state, record, &e);
            }
        }
    } else {
        None
    };
    let request = ForwardRequest {
        method,
        nsid: record.row.nsid.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers: headers::to_pds(&parts.headers),
        body: source,
    };
    Counters::add(&state.counters.in_flight, 1);
    let result = state.accounts.forward(Some(&caller.did), &request).await;
    drop(permit);
    state.counters.in_flight.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    let res = match result {
        Ok(res) => res,
        Err(e) => return failure(state, record, &e),
    };
    Counters::add(&state.counters.forwarded, 1);
    let mut builder =
        Response::builder().status(StatusCode::from_u16(res.status).unwrap_or(StatusCode::BAD_GATEWAY));
    for (name, value) in &res.headers {
        if headers::to_program(name) {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    let counted = Counted {
        inner: res.body,
        sent: 0,
        finish: Some((record, state.audit.clone(), res.status)),
        state: state.clone(),
    };
    let body = BodyExt::boxed_unsync(StreamBody::new(counted.map(|chunk| chunk.map(Frame::data))));
    builder.body(body).unwrap_or_else(|_| {
        crate::xrpc_error::error(
            StatusCode::BAD_GATEWAY,
            "UpstreamFailure",
            "the PDS sent an unusable header",
        )
    })
}

async fn too_large(state: &State, record: CallRecord, cap: u64) -> Response<Body> {
    let message = format!("the request body is larger than the agent's limit of {} MB", cap / (1024 * 1024));
    refuse(state, record, StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge", &message, "too_large").await
}

/// The PDS's body on its way to the program, counted; the call is audited when it ends
/// (or the program goes away).
struct Counted {
    inner: ByteStream,
    sent: u64,
    finish: Option<(CallRecord, AuditSink, u16)>,
    state: Arc<State>,
}

impl Counted {
    fn done(&mut self, outcome: &str) {
        if let Some((record, audit, status)) = self.finish.take() {
            Counters::add(&self.state.counters.bytes_out, self.sent);
            audit.finish(record, status, outcome, self.sent);
        }
    }
}

impl Stream for Counted {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => self.sent += chunk.len() as u64,
            Poll::Ready(Some(Err(_))) => self.done("upstream_broke"),
            Poll::Ready(None) => self.done("forwarded"),
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.done("client_went_away");
    }
}
