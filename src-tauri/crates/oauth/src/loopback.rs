//! The HTTP listener on `127.0.0.1` that receives the loopback client's callback
//! (RFC 8252 §7.3, "Loopback Interface Redirection").
//!
//! Any local program, and any web page probing `127.0.0.1` ports, can connect to this port,
//! so the listener must not let a stranger end or stall a login:
//!
//! * connections are served **concurrently** (hyper's HTTP/1 server, one task each), so an
//!   idle connection (a browser preconnect, a port scan that stays open) never holds up the
//!   real callback;
//! * each connection has a **time limit** for its request head and in all
//!   ([`HEAD_TIMEOUT`], [`CONNECTION_TIMEOUT`]), its head is capped at [`MAX_HEAD_BYTES`], and
//!   at most [`MAX_CONNECTIONS`] are open at once;
//! * a `GET /callback` whose `state` is not this login's gets a harmless page and the
//!   listener **keeps listening**: only this login's callback ends
//!   [`LoopbackListener::wait_for`], or the caller dropping it (cancel, timeout).
//!
//! The pages reflect nothing from the request.

use std::convert::Infallible;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::callback::CallbackParams;

/// The time a client has to send its request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a connection may stay open.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest request head read (the callback URL is capped at 8 KiB anyway).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Connections served at once; more wait in the kernel's backlog until one closes.
pub const MAX_CONNECTIONS: usize = 64;

/// The page the browser shows after this login's redirect.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Skyport</title>\
<body style=\"font:16px system-ui;margin:3em\"><h1>Back to Skyport</h1>\
<p>You can close this tab and return to the app.</p></body>";

/// The page for a callback that is not the one this listener waits for.
const FOREIGN_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Skyport</title>\
<body style=\"font:16px system-ui;margin:3em\"><h1>Not the sign-in Skyport is waiting for</h1>\
<p>This link does not belong to the sign-in in progress. Nothing was changed; \
you can close this tab.</p></body>";

/// Listens on `127.0.0.1:<ephemeral port>` for one login's callback.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
}

impl LoopbackListener {
    /// Binds an ephemeral port on the IPv4 loopback address.
    pub async fn bind() -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Self { listener, port })
    }

    /// The port, for the redirect URI.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves connections until a `GET <path>?…` carrying exactly this `state` arrives, and
    /// returns its full URL (`http://127.0.0.1:<port><path>?…`) for
    /// [`CallbackParams::parse`], once the browser has its page. A callback with another
    /// `state`, or none, gets a harmless page and changes nothing; other paths get a 404.
    /// Drop the future to stop listening: connections still open are closed with it.
    pub async fn wait_for(&self, path: &str, state: &str) -> io::Result<String> {
        let expected = Arc::new(Expected { path: path.to_owned(), state: state.to_owned(), port: self.port });
        // Dropped with this future: aborts every connection task.
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                Some(done) = connections.join_next(), if !connections.is_empty() => {
                    if let Ok(Some(url)) = done {
                        return Ok(url);
                    }
                }
                accepted = self.listener.accept(), if connections.len() < MAX_CONNECTIONS => match accepted {
                    Ok((stream, _)) => {
                        connections.spawn(serve(stream, expected.clone()));
                    }
                    // Transient (a connection reset before accept, too many open files):
                    // the login goes on.
                    Err(e) => {
                        tracing::debug!(error = %e, "loopback listener: accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
    }
}

/// Serves one connection (one request: no keep-alive) and returns the awaited callback URL
/// if this connection carried it.
async fn serve(stream: TcpStream, expected: Arc<Expected>) -> Option<String> {
    let found: Arc<Mutex<Option<String>>> = Arc::default();
    let seen = found.clone();
    let service = hyper::service::service_fn(move |req| {
        let answer = answer(&expected, &req);
        if let Some(url) = answer.callback {
            *seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(url);
        }
        std::future::ready(Ok::<_, Infallible>(answer.response))
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    // A slow or broken client only loses its own connection.
    let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
    found.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// What the listener waits for.
struct Expected {
    path: String,
    state: String,
    port: u16,
}

/// The response to one request, and the callback URL if it is the awaited one.
struct Answer {
    response: Response<Full<Bytes>>,
    callback: Option<String>,
}

fn answer(expected: &Expected, req: &Request<Incoming>) -> Answer {
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let path = req.uri().path();
    if req.method() != Method::GET || path != expected.path {
        return Answer { response: page(StatusCode::NOT_FOUND, ""), callback: None };
    }
    let url = format!("http://127.0.0.1:{}{target}", expected.port);
    let ours = CallbackParams::parse(&url).is_ok_and(|p| p.state == expected.state);
    if ours {
        Answer { response: page(StatusCode::OK, DONE_PAGE), callback: Some(url) }
    } else {
        Answer { response: page(StatusCode::BAD_REQUEST, FOREIGN_PAGE), callback: None }
    }
}

fn page(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert("content-type", hyper::header::HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert("cache-control", hyper::header::HeaderValue::from_static("no-store"));
    headers.insert("x-content-type-options", hyper::header::HeaderValue::from_static("nosniff"));
    res
}

#[cfg(test)]
mod tests;
