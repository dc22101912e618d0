//! Permission sets in an account's scopes (`include:<nsid>`), read from their publishers so
//! that the Permissions view can name them by title and tell whether they were granted.
//!
//! Read sets are kept in SQLite (`lexicons`) and read again after a day, as the atproto
//! permission spec asks of authorization servers. [`Accounts::scopes`] uses only what is
//! stored and never waits for the network; [`Accounts::scopes_checked`] first reads the
//! sets it lacks or holds stale. A set that cannot be read is shown by its NSID with the
//! reason, and a requested one is reported as unchecked, never as missing.

use std::time::Duration;

use skyport_oauth::lexicon::LexiconError;
use skyport_oauth::scope::PermissionSet;
use skyport_oauth::scope::describe::{Sets, describe_with, include_nsid};
use skyport_store::table::lexicons;

use crate::{Accounts, Error, ScopeView};

/// How long a read set is used before it is read again.
pub const SET_TTL_SECS: i64 = 24 * 3600;

/// How long one set may take to read.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

impl Accounts {
    /// Granted and requested scopes, described, with the permission sets read from their
    /// publishers where they are not stored or are older than a day. A set that cannot be
    /// read keeps its stored copy if there is one.
    pub async fn scopes_checked(&self, who: Option<&str>) -> Result<ScopeView, Error> {
        let row = self.row_off_thread(who).await?;
        let scopes =
            [row.granted_scope.as_str(), row.requested_scope.as_str(), self.config.declared_scope.as_str()];
        let nsids = set_nsids(&scopes);
        let now = self.clock.now();
        let stored = {
            let nsids = nsids.clone();
            self.off_thread(move |s| {
                s.db.with(|c| nsids.iter().map(|n| lexicons::get(c, n)).collect::<Result<Vec<_>, _>>())
            })
            .await?
        };
        let due: Vec<&String> = nsids
            .iter()
            .zip(&stored)
            .filter(|(_, s)| s.as_ref().is_none_or(|s| now - s.fetched_at >= SET_TTL_SECS))
            .map(|(n, _)| n)
            .collect();
        let reads = futures::future::join_all(due.iter().map(|nsid| async move {
            let read = tokio::time::timeout(READ_TIMEOUT, self.read_set(nsid)).await;
            (nsid.as_str(), read)
        }))
        .await;
        let mut failures = Vec::new();
        let mut fresh = Vec::new();
        for (nsid, read) in reads {
            match read {
                Ok(Ok((set, document))) => fresh.push((nsid.to_owned(), set, document)),
                Ok(Err(e)) => {
                    tracing::info!(nsid, error = %e, "permission set not read");
                    failures.push((nsid.to_owned(), words(e)));
                }
                Err(_) => failures.push((nsid.to_owned(), "its publisher did not answer in time".to_owned())),
            }
        }
        let rows: Vec<(String, String)> = fresh.iter().map(|(n, _, d)| (n.clone(), d.clone())).collect();
        if !rows.is_empty() {
            self.off_thread(move |s| {
                s.db.write(|c| rows.iter().try_for_each(|(nsid, doc)| lexicons::put(c, nsid, doc, now)))
            })
            .await?;
        }
        let mut sets = self.stored_sets(&nsids, stored.into_iter().map(|s| s.map(|s| s.document)).collect());
        for (nsid, why) in failures {
            if sets.get(&nsid).is_none() {
                sets.failed(&nsid, why);
            }
        }
        for (_, set, _) in fresh {
            sets.found(set);
        }
        Ok(describe_with(
            &row.did,
            &row.granted_scope,
            &row.requested_scope,
            &self.config.declared_scope,
            &sets,
        ))
    }

    /// The stored sets among `nsids`, as [`Accounts::scopes`] uses them.
    pub(crate) fn sets_from_store(&self, scopes: &[&str]) -> Result<Sets, Error> {
        let nsids = set_nsids(scopes);
        let stored = self.db.with(|c| {
            nsids.iter().map(|n| Ok(lexicons::get(c, n)?.map(|s| s.document))).collect::<Result<Vec<_>, _>>()
        })?;
        Ok(self.stored_sets(&nsids, stored))
    }

    fn stored_sets(&self, nsids: &[String], documents: Vec<Option<String>>) -> Sets {
        let mut sets = Sets::default();
        sets.lang(locale());
        for (nsid, doc) in nsids.iter().zip(documents) {
            let parsed = doc
                .and_then(|d| serde_json::from_str(&d).ok())
                .and_then(|v| PermissionSet::parse(nsid, &v).ok());
            if let Some(set) = parsed {
                sets.found(set);
            }
        }
        sets
    }

    async fn read_set(&self, nsid: &str) -> Result<(PermissionSet, String), LexiconError> {
        let (set, document) = self.lexicons.permission_set(self.oauth.identity(), nsid).await?;
        Ok((set, document.to_string()))
    }
}

/// The NSIDs of every `include:` in these scope strings, once each, in order.
fn set_nsids(scopes: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for nsid in scopes.iter().flat_map(|s| s.split(' ')).filter_map(include_nsid) {
        if !out.contains(&nsid) {
            out.push(nsid);
        }
    }
    out
}

/// Why a set could not be read, in words that follow "Skyport could not read what it
/// grants: ".
fn words(e: LexiconError) -> String {
    match e {
        LexiconError::InvalidNsid(_) => "its name is not valid".into(),
        LexiconError::NoAuthority { name, .. } => {
            format!("nobody publishes permission sets there ({name} has no record)")
        }
        LexiconError::NotPublished { did, .. } => format!("its publisher ({did}) has no such permission set"),
        LexiconError::Set(skyport_oauth::scope::PermissionSetError::NotASet { found, .. }) => {
            format!("it is published, but as a {found}, not as a permission set")
        }
        LexiconError::Set(_) => "what its publisher published is malformed".into(),
        LexiconError::Network(e) => {
            let e = Error::OAuth(e);
            match e.code() {
                crate::ErrorCode::Offline => "Skyport could not reach the network".into(),
                crate::ErrorCode::NotFound => "its publisher could not be found".into(),
                _ => format!("the lookup failed ({e})"),
            }
        }
        other => format!("the lookup failed ({other})"),
    }
}

/// The user's language from the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), as a tag such as
/// `de-DE`; `None` for the C/POSIX locale.
fn locale() -> Option<String> {
    let raw = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))?;
    let tag = raw.split(['.', '@']).next()?.replace('_', "-");
    (!tag.is_empty() && tag != "C" && tag != "POSIX").then_some(tag)
}
