//! Answers in the XRPC error shape (`{"error": ..., "message": ...}`, atproto "HTTP API
//! (XRPC)"), which every SDK parses.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Response, StatusCode};

use crate::route::Body;

/// An XRPC error answer.
pub fn error(status: StatusCode, error: &str, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": error, "message": message });
    json(status, &body)
}

/// A JSON answer.
pub fn json(status: StatusCode, body: &serde_json::Value) -> Response<Body> {
    let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("cache-control", "no-store")
        .body(Full::new(bytes).map_err(|never| match never {}).boxed_unsync())
        .unwrap_or_else(|_| {
            Response::new(Full::new(Bytes::new()).map_err(|never| match never {}).boxed_unsync())
        })
}
