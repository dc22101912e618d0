//! Identity resolution with short-lived caches: under 10 minutes, as the atproto OAuth spec
//! recommends for auth flows ("Identity Authentication").

use std::sync::Arc;

use url::Url;

use super::{Did, DidDocument, Handle, HandleResolver};
use crate::cache::TtlCache;
use crate::clock::Clock;
use crate::error::{Error, IdentityError, InputError, Step};
use crate::http::{Fetch, HttpClient, HttpRequest};

/// How long a resolved handle or DID document is trusted during a login (spec: < 10 min).
pub const IDENTITY_TTL_SECS: i64 = 5 * 60;

/// A verified account identity: its DID, its handle if verified both ways, and its PDS.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResolvedIdentity {
    /// The DID.
    pub did: Did,
    /// The handle, if the DID document claims it and it resolves back to the DID.
    pub handle: Option<Handle>,
    /// The PDS origin from `#atproto_pds`.
    pub pds: Url,
    /// When the DID document behind this was fetched (seconds since the epoch).
    pub resolved_at: i64,
}

/// Resolves handles and DIDs, with caches.
pub struct IdentityResolver {
    http: Arc<dyn HttpClient>,
    plc: Url,
    handles: Arc<dyn HandleResolver>,
    handle_cache: TtlCache<Handle, Did>,
    doc_cache: TtlCache<Did, DidDocument>,
    clock: Arc<dyn Clock>,
    development: bool,
}

impl IdentityResolver {
    /// A resolver using `plc` for `did:plc` and `handles` for handles. `development` is
    /// [`NetworkProfile::development`](crate::NetworkProfile): only then may a `did:web` be
    /// `localhost` with a port, fetched over plain http (see [`InputError::DidWebPort`]).
    pub fn new(
        http: Arc<dyn HttpClient>,
        plc: Url,
        handles: Arc<dyn HandleResolver>,
        clock: Arc<dyn Clock>,
        development: bool,
    ) -> Self {
        Self {
            http,
            plc,
            handles,
            handle_cache: TtlCache::new(IDENTITY_TTL_SECS, clock.clone()),
            doc_cache: TtlCache::new(IDENTITY_TTL_SECS, clock.clone()),
            clock,
            development,
        }
    }

    /// Handle → DID (cached).
    pub async fn resolve_handle(&self, handle: &Handle) -> Result<Did, Error> {
        if let Some((did, _)) = self.handle_cache.get(handle) {
            return Ok(did);
        }
        let did = self
            .handles
            .resolve(handle)
            .await?
            .ok_or_else(|| IdentityError::HandleNotFound { handle: handle.to_string() })?;
        self.handle_cache.put(handle.clone(), did.clone());
        Ok(did)
    }

    /// DID → document. `fresh` skips the cache (identity verification after the token).
    pub async fn did_document(&self, did: &Did, fresh: bool) -> Result<(DidDocument, i64), Error> {
        if !fresh && let Some(hit) = self.doc_cache.get(did) {
            return Ok(hit);
        }
        let url = self.document_url(did)?;
        let res = self.http.fetch(Step::ResolveDid, HttpRequest::get(url).accept_json()).await?;
        match res.status {
            200 => {}
            404 | 410 => return Err(IdentityError::DidNotFound { did: did.to_string() }.into()),
            s if s >= 500 => return Err(Error::ServerUnavailable { step: Step::ResolveDid, status: s }),
            s => return Err(Error::invalid(Step::ResolveDid, format!("HTTP {s} for the DID document"))),
        }
        let doc = DidDocument::parse(did, &res.body)?;
        self.doc_cache.put(did.clone(), doc.clone());
        Ok((doc, self.clock.now()))
    }

    fn document_url(&self, did: &Did) -> Result<Url, Error> {
        let url = match did.method() {
            "plc" => self.plc.join(&format!("/{did}")),
            _ => return web_document_url(did, self.development),
        };
        url.map_err(|e| Error::invalid(Step::ResolveDid, format!("cannot build the document URL: {e}")))
    }

    /// A handle login: handle → DID → document, and the document must claim the handle back
    /// (bidirectional verification: atproto handle spec; atproto OAuth spec, "Identity
    /// Authentication").
    pub async fn resolve_from_handle(&self, handle: &Handle) -> Result<ResolvedIdentity, Error> {
        let did = self.resolve_handle(handle).await?;
        let (doc, resolved_at) = self.did_document(&did, false).await?;
        if doc.handle.as_ref() != Some(handle) {
            return Err(IdentityError::HandleMismatch {
                did: did.to_string(),
                expected: handle.to_string(),
                claimed: doc.handle.map(|h| h.to_string()),
            }
            .into());
        }
        let pds = doc.require_pds()?.clone();
        Ok(ResolvedIdentity { did, handle: Some(handle.clone()), pds, resolved_at })
    }

    /// A DID login (or the `sub` of a token): DID → document → PDS; the claimed handle is
    /// kept only if it resolves back to the DID.
    pub async fn resolve_from_did(&self, did: &Did, fresh: bool) -> Result<ResolvedIdentity, Error> {
        let (doc, resolved_at) = self.did_document(did, fresh).await?;
        let pds = doc.require_pds()?.clone();
        let handle = match doc.handle {
            Some(h) => match self.resolve_handle(&h).await {
                Ok(back) if back == *did => Some(h),
                _ => None,
            },
            None => None,
        };
        Ok(ResolvedIdentity { did: did.clone(), handle, pds, resolved_at })
    }

    /// Forgets what is cached about a DID (after `invalid_token`, accounts can migrate).
    pub fn forget(&self, did: &Did) {
        self.doc_cache.remove(did);
    }
}

/// Where a `did:web` document lives: `https://<host>/.well-known/did.json` (W3C did:web
/// method; atproto DID spec).
///
/// The atproto DID specification (<https://atproto.com/specs/did>, did:web section) allows
/// only hostname-level did:web DIDs, and "port numbers are not allowed except for localhost
/// in development". So a port (`did:web:localhost%3A2583`) is accepted only for the exact
/// host `localhost` under the development profile, and plain `http` is used only for that
/// same exact host (with or without a port) under the development profile; everywhere else
/// the document is fetched over https. A look-alike such as `did:web:localhost.example.com`
/// is an ordinary public host. Refused DIDs are [`InputError::DidWebPort`] (a port where
/// none is allowed) or [`InputError::Did`] (a host that is not a plain name or a port that
/// is not a number), before anything is sent.
fn web_document_url(did: &Did, development: bool) -> Result<Url, Error> {
    let decoded = did.web_host().unwrap_or_default();
    let (host, port) = match decoded.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (decoded.as_str(), None),
    };
    // `Did::parse` allows `%`; the only escape a did:web host may carry is the port's `%3A`.
    if host.is_empty() || host.contains('%') {
        return Err(InputError::Did(did.to_string()).into());
    }
    let local_dev = development && host == "localhost";
    if let Some(port) = port {
        if !local_dev {
            return Err(InputError::DidWebPort(did.to_string()).into());
        }
        if !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
            return Err(InputError::Did(did.to_string()).into());
        }
    }
    let scheme = if local_dev { "http" } else { "https" };
    Url::parse(&format!("{scheme}://{decoded}/.well-known/did.json"))
        .map_err(|e| Error::invalid(Step::ResolveDid, format!("cannot build the document URL: {e}")))
}
