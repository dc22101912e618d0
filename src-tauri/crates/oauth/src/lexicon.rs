//! Finding a published permission set (atproto lexicon spec, "Lexicon Publication and
//! Resolution"; atproto permission spec, "Permission Sets").
//!
//! An NSID's authority is its domain part reversed (`app.bsky.authFullApp` → `bsky.app`).
//! DNS TXT `_lexicon.<authority>` names the DID (`did=…`) whose repository publishes the
//! lexicon as a `com.atproto.lexicon.schema` record with the NSID as its key; the DID's
//! document names the PDS that serves it.
//!
//! Skyport reads permission sets only to put them in words for the user; the authorization
//! server resolves them again and decides what is granted. So the record is read with
//! `com.atproto.repo.getRecord` from the authority's own PDS, without a repository proof.
//!
//! A development network has no DNS: [`LexiconResolver::with_authority`] names the DID for
//! every NSID, as the reference PDS's `PDS_LEXICON_AUTHORITY_DID` does.

use std::sync::Arc;

use serde_json::Value;
use url::Url;

use crate::error::{Error, Step, TransportError};
use crate::http::{Fetch, HttpClient, HttpRequest};
use crate::identity::{Did, DnsUnavailable, IdentityResolver, TxtLookup};
use crate::scope::{PermissionSet, PermissionSetError, is_nsid};

/// Why a permission set could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LexiconError {
    /// Not an NSID.
    #[error("{0:?} is not an NSID")]
    InvalidNsid(String),
    /// DNS answered, and no `_lexicon` record names a DID for the NSID's authority: nobody
    /// publishes lexicons for that domain.
    #[error("no lexicon is published for {nsid}: {name} has no did= record")]
    NoAuthority {
        /// The NSID.
        nsid: String,
        /// The DNS name asked.
        name: String,
    },
    /// The authority's repository has no lexicon record for the NSID.
    #[error("{did} publishes no lexicon {nsid}")]
    NotPublished {
        /// The NSID.
        nsid: String,
        /// The authority.
        did: String,
    },
    /// The lexicon exists but is not a usable permission set.
    #[error(transparent)]
    Set(#[from] PermissionSetError),
    /// The lookup failed on the way: no network, DNS down, the PDS unreachable or broken, a
    /// DID that does not resolve.
    #[error(transparent)]
    Network(#[from] Error),
}

/// Finds and reads permission sets.
pub struct LexiconResolver {
    http: Arc<dyn HttpClient>,
    dns: Arc<dyn TxtLookup>,
    authority: Option<Did>,
}

impl LexiconResolver {
    /// A resolver asking `dns` for `_lexicon` records and fetching through `http`.
    pub fn new(http: Arc<dyn HttpClient>, dns: Arc<dyn TxtLookup>) -> Self {
        Self { http, dns, authority: None }
    }

    /// A resolver that takes `did` as the authority of every NSID (development networks).
    pub fn with_authority(http: Arc<dyn HttpClient>, dns: Arc<dyn TxtLookup>, did: Did) -> Self {
        Self { http, dns, authority: Some(did) }
    }

    /// Reads the permission set `nsid`, resolving DIDs through `identity`; with the lexicon
    /// document as published (to keep, and read again with [`PermissionSet::parse`]).
    pub async fn permission_set(
        &self,
        identity: &IdentityResolver,
        nsid: &str,
    ) -> Result<(PermissionSet, Value), LexiconError> {
        let did = self.authority_of(nsid).await?;
        let (doc, _) = identity.did_document(&did, false).await?;
        let pds = doc.require_pds()?;
        let record = self.record(pds, &did, nsid).await?;
        Ok((PermissionSet::parse(nsid, &record)?, record))
    }

    async fn authority_of(&self, nsid: &str) -> Result<Did, LexiconError> {
        let name = dns_name(nsid).ok_or_else(|| LexiconError::InvalidNsid(nsid.to_owned()))?;
        if let Some(did) = &self.authority {
            return Ok(did.clone());
        }
        let values = self.dns.txt(&name).await.map_err(|DnsUnavailable| Error::Transport {
            step: Step::ResolveLexicon,
            source: TransportError::DnsUnavailable,
        })?;
        values
            .iter()
            .filter_map(|v| v.strip_prefix("did="))
            .find_map(|d| Did::parse(d.trim()).ok())
            .ok_or(LexiconError::NoAuthority { nsid: nsid.to_owned(), name })
    }

    async fn record(&self, pds: &Url, did: &Did, nsid: &str) -> Result<Value, LexiconError> {
        let mut url = pds
            .join("/xrpc/com.atproto.repo.getRecord")
            .map_err(|e| Error::invalid(Step::ResolveLexicon, e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("repo", did.as_str())
            .append_pair("collection", "com.atproto.lexicon.schema")
            .append_pair("rkey", nsid);
        let res = self.http.fetch(Step::ResolveLexicon, HttpRequest::get(url).accept_json()).await?;
        match res.status {
            200 => {}
            s if s >= 500 => {
                return Err(Error::ServerUnavailable { step: Step::ResolveLexicon, status: s }.into());
            }
            400 | 404 => {
                let body = res.json_object(Step::ResolveLexicon).unwrap_or_default();
                return match body.get("error").and_then(Value::as_str) {
                    Some("RecordNotFound") | None => {
                        Err(LexiconError::NotPublished { nsid: nsid.to_owned(), did: did.to_string() })
                    }
                    Some(other) => {
                        Err(Error::invalid(Step::ResolveLexicon, format!("getRecord answered {other}"))
                            .into())
                    }
                };
            }
            s => {
                return Err(
                    Error::invalid(Step::ResolveLexicon, format!("getRecord answered HTTP {s}")).into()
                );
            }
        }
        let mut body = res.json_object(Step::ResolveLexicon)?;
        body.remove("value")
            .filter(Value::is_object)
            .ok_or_else(|| Error::invalid(Step::ResolveLexicon, "getRecord returned no record value").into())
    }
}

/// `app.bsky.authFullApp` → `_lexicon.bsky.app.` (the authority, reversed; the last
/// segment is the name and is not part of it).
fn dns_name(nsid: &str) -> Option<String> {
    if !is_nsid(nsid) {
        return None;
    }
    let (authority, _name) = nsid.rsplit_once('.')?;
    let reversed: Vec<&str> = authority.split('.').rev().collect();
    Some(format!("_lexicon.{}.", reversed.join(".").to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dns_name_is_the_authority_reversed() {
        assert_eq!(dns_name("app.bsky.authFullApp").as_deref(), Some("_lexicon.bsky.app."));
        assert_eq!(dns_name("com.Example.sub.authX").as_deref(), Some("_lexicon.sub.example.com."));
        assert_eq!(dns_name("nonsid"), None);
        assert_eq!(dns_name("app.bsky.*"), None);
    }
}
