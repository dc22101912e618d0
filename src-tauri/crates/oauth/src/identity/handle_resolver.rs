//! Handle → DID resolution: DNS TXT `_atproto.<handle>` and HTTPS
//! `/.well-known/atproto-did` (both tried), or XRPC `com.atproto.identity.resolveHandle`
//! on a configured service (atproto handle spec, <https://atproto.com/specs/handle>).

use std::sync::Arc;
#[cfg(feature = "net")]
use std::sync::OnceLock;

use async_trait::async_trait;
#[cfg(feature = "net")]
use hickory_resolver::TokioResolver;
#[cfg(feature = "net")]
use hickory_resolver::proto::rr::RData;
use url::Url;

use super::{Did, Handle};
use crate::error::{Error, IdentityError, Step, TransportError};
use crate::http::{Fetch, HttpClient, HttpRequest};

/// Resolves a handle to the DID it claims. `Ok(None)` means "no such handle".
#[async_trait]
pub trait HandleResolver: Send + Sync {
    /// Resolves `handle`.
    async fn resolve(&self, handle: &Handle) -> Result<Option<Did>, Error>;
}

/// TXT records of a name (a seam over DNS, so resolution can be tested offline).
#[async_trait]
pub trait TxtLookup: Send + Sync {
    /// The TXT strings of `name`: an empty list when DNS answered that there are none (no
    /// such name, or no TXT record), [`DnsUnavailable`] when DNS could not be asked or did
    /// not answer (no network).
    async fn txt(&self, name: &str) -> Result<Vec<String>, DnsUnavailable>;
}

/// DNS could not be asked, or did not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnsUnavailable;

/// The system's DNS configuration, through hickory-resolver.
#[cfg(feature = "net")]
#[derive(Default)]
pub struct SystemDns(OnceLock<Option<TokioResolver>>);

#[cfg(feature = "net")]
#[async_trait]
impl TxtLookup for SystemDns {
    async fn txt(&self, name: &str) -> Result<Vec<String>, DnsUnavailable> {
        let Some(resolver) =
            self.0.get_or_init(|| TokioResolver::builder_tokio().ok().and_then(|b| b.build().ok()))
        else {
            // No DNS configuration at all (no resolv.conf): nothing can be asked.
            return Err(DnsUnavailable);
        };
        let lookup = match resolver.txt_lookup(name).await {
            Ok(lookup) => lookup,
            // An answer: no such name, or no TXT record there.
            Err(e) if e.is_no_records_found() => return Ok(Vec::new()),
            // No answer: no network, timeout, a server failure.
            Err(_) => return Err(DnsUnavailable),
        };
        Ok(lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::TXT(txt) => {
                    Some(txt.txt_data.iter().map(|part| String::from_utf8_lossy(part)).collect())
                }
                _ => None,
            })
            .collect())
    }
}

/// The production resolver: DNS TXT and HTTPS well-known, run in parallel.
///
/// If both answer and disagree, resolution fails ([`IdentityError::HandleAmbiguous`]). If one
/// finds a DID and the other finds nothing or fails, the DID found is used. "No such handle"
/// needs both to have answered: DNS that there is no record, and HTTPS that the host does
/// not exist or has no document. If either could not be asked (no network, DNS down, the
/// host unreachable), the error says that, never "not found".
pub struct DnsHttpsHandleResolver {
    http: Arc<dyn HttpClient>,
    dns: Arc<dyn TxtLookup>,
}

impl DnsHttpsHandleResolver {
    /// A resolver that fetches the well-known document through `http` and asks the system's
    /// DNS for TXT records.
    #[cfg(feature = "net")]
    pub fn new(http: Arc<dyn HttpClient>) -> Self {
        Self::with_dns(http, Arc::new(SystemDns::default()))
    }

    /// A resolver with another TXT source.
    pub fn with_dns(http: Arc<dyn HttpClient>, dns: Arc<dyn TxtLookup>) -> Self {
        Self { http, dns }
    }

    async fn by_dns(&self, handle: &Handle) -> Result<Option<Did>, Error> {
        let mut found: Option<Did> = None;
        let values = self.dns.txt(&format!("_atproto.{handle}.")).await.map_err(|DnsUnavailable| {
            Error::Transport { step: Step::ResolveHandle, source: TransportError::DnsUnavailable }
        })?;
        for value in values {
            let Some(did) = value.strip_prefix("did=") else { continue };
            let Ok(did) = Did::parse(did.trim()) else { continue };
            match &found {
                Some(prev) if *prev != did => {
                    return Err(IdentityError::HandleAmbiguous {
                        handle: handle.to_string(),
                        dns: prev.to_string(),
                        https: did.to_string(),
                    }
                    .into());
                }
                _ => found = Some(did),
            }
        }
        Ok(found)
    }

    async fn by_https(&self, handle: &Handle) -> Result<Option<Did>, Error> {
        let url = Url::parse(&format!("https://{handle}/.well-known/atproto-did"))
            .map_err(|e| Error::invalid(Step::ResolveHandle, e.to_string()))?;
        let res = self.http.fetch(Step::ResolveHandle, HttpRequest::get(url)).await?;
        if !(200..300).contains(&res.status) {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&res.body);
        Ok(Did::parse(text.trim()).ok())
    }
}

#[async_trait]
impl HandleResolver for DnsHttpsHandleResolver {
    async fn resolve(&self, handle: &Handle) -> Result<Option<Did>, Error> {
        let (dns, https) = tokio::join!(self.by_dns(handle), self.by_https(handle));
        match (dns, https) {
            (Err(e @ Error::Identity(_)), _) => Err(e),
            (Ok(Some(a)), Ok(Some(b))) if a != b => Err(IdentityError::HandleAmbiguous {
                handle: handle.to_string(),
                dns: a.to_string(),
                https: b.to_string(),
            }
            .into()),
            (Ok(Some(a)), _) | (_, Ok(Some(a))) => Ok(Some(a)),
            // Both answered, and neither knows the handle (a host that does not exist has
            // no document).
            (Ok(None), Ok(None)) => Ok(None),
            (Ok(None), Err(Error::Transport { source: TransportError::NoSuchHost, .. })) => Ok(None),
            // One could not be asked: say why, not "not found".
            (Err(e), _) => Err(e),
            (Ok(None), Err(e)) => Err(e),
        }
    }
}

/// Resolves handles by asking one service (`com.atproto.identity.resolveHandle`).
///
/// For the development profile (an offline network has no DNS) and for networks where DNS
/// is unreliable. The service is trusted to answer honestly; the DID document's handle claim
/// is still checked.
pub struct XrpcHandleResolver {
    http: Arc<dyn HttpClient>,
    service: Url,
}

impl XrpcHandleResolver {
    /// A resolver asking `service` (for example `https://bsky.social`).
    pub fn new(http: Arc<dyn HttpClient>, service: Url) -> Self {
        Self { http, service }
    }
}

#[async_trait]
impl HandleResolver for XrpcHandleResolver {
    async fn resolve(&self, handle: &Handle) -> Result<Option<Did>, Error> {
        let mut url = self
            .service
            .join("/xrpc/com.atproto.identity.resolveHandle")
            .map_err(|e| Error::invalid(Step::ResolveHandle, e.to_string()))?;
        url.query_pairs_mut().append_pair("handle", handle.as_str());
        let res = self.http.fetch(Step::ResolveHandle, HttpRequest::get(url).accept_json()).await?;
        if res.status == 400 || res.status == 404 {
            return Ok(None);
        }
        let body = res.json_object(Step::ResolveHandle)?;
        let did = body
            .get("did")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| Error::invalid(Step::ResolveHandle, "resolveHandle returned no did"))?;
        Did::parse(did)
            .map(Some)
            .map_err(|_| Error::invalid(Step::ResolveHandle, "resolveHandle returned an invalid DID"))
    }
}
