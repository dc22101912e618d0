//! Forwarding an XRPC call to the session's PDS as it came: any body, any content type, both
//! ways streamed (atproto "HTTP API (XRPC)": queries are GET, procedures POST; blobs and CAR
//! files are bytes). The DPoP proof binds the PDS URL (`htu`, RFC 9449 §4.2, without query)
//! and the access token (`ath`); a `use_dpop_nonce` challenge is answered once, and
//! `invalid_token` comes back as [`Error::InvalidToken`] for the caller to refresh and retry.

use std::sync::Arc;

use crate::dpop::DpopKey;
use crate::error::{Error, InputError, Step};
use crate::http::{BodySource, Method, StreamRequest, StreamResponse};
use crate::session::SessionInfo;
use crate::wire::Wire;

/// One call to forward. Headers are the caller's to choose from a fixed list of names;
/// `authorization` and `dpop` are set here and must not be among them.
#[derive(Clone)]
pub struct ForwardRequest {
    /// GET (query) or POST (procedure).
    pub method: Method,
    /// The method NSID.
    pub nsid: String,
    /// The query string as received (already percent-encoded), without `?`.
    pub query: Option<String>,
    /// Headers to send (lower-case names).
    pub headers: Vec<(&'static str, String)>,
    /// The body, replayable for a retry.
    pub body: Option<Arc<dyn BodySource>>,
}

impl std::fmt::Debug for ForwardRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForwardRequest")
            .field("method", &self.method)
            .field("nsid", &self.nsid)
            .field("body_len", &self.body.as_ref().map(|b| b.len()))
            .finish_non_exhaustive()
    }
}

pub(crate) async fn forward(
    wire: &Wire,
    session: &SessionInfo,
    key: &DpopKey,
    access_token: &str,
    request: &ForwardRequest,
) -> Result<StreamResponse, Error> {
    if !crate::scope::is_nsid(&request.nsid) {
        return Err(InputError::Url(request.nsid.clone(), "not a method NSID".into()).into());
    }
    if request.headers.iter().any(|(k, _)| matches!(*k, "authorization" | "dpop" | "cookie" | "host")) {
        return Err(Error::invalid(
            Step::Resource,
            "a forwarded call may not set authorization, dpop, cookie or host",
        ));
    }
    let mut url = session
        .pds
        .join(&format!("/xrpc/{}", request.nsid))
        .map_err(|e| Error::invalid(Step::Resource, e.to_string()))?;
    url.set_query(request.query.as_deref().filter(|q| !q.is_empty()));
    let stream = StreamRequest {
        method: request.method,
        url,
        headers: request.headers.clone(),
        body: request.body.clone(),
    };
    wire.stream_to_resource(key, access_token, stream).await
}
