//! The pages about an account a front-end may open in the system browser: its Bluesky
//! profile, its PDS, and its DID document. Built here from stored data only, so no front-end
//! rebuilds (or can be tricked into building) another URL.

use serde::Deserialize;
use url::Url;

use crate::{Accounts, Error};

/// Which page about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The account's profile on bsky.app.
    Profile,
    /// The account's PDS.
    Pds,
    /// The DID document: the PLC directory's entry, or a `did:web`'s `/.well-known/did.json`
    /// (atproto DID spec).
    DidDocument,
}

impl Accounts {
    /// The URL of a page about the account `who`.
    pub fn link(&self, who: &str, kind: LinkKind) -> Result<Url, Error> {
        let row = self.row(Some(who))?;
        let bad = |what: &str| Error::Config(format!("stored account {}: invalid {what}", row.did));
        let text = match kind {
            LinkKind::Profile => format!("https://bsky.app/profile/{}", row.did),
            LinkKind::Pds => row.pds_url.clone(),
            LinkKind::DidDocument => match row.did.strip_prefix("did:web:") {
                Some(host) => {
                    let host = host.replace("%3A", ":").replace("%3a", ":");
                    let scheme =
                        if self.config.development && is_localhost(&host) { "http" } else { "https" };
                    format!("{scheme}://{host}/.well-known/did.json")
                }
                None => format!(
                    "{}/{}",
                    self.oauth.profile().plc_directory.as_str().trim_end_matches('/'),
                    row.did
                ),
            },
        };
        Url::parse(&text).map_err(|_| bad("link"))
    }
}

/// `localhost` exactly, with or without a port.
fn is_localhost(host: &str) -> bool {
    host.split(':').next() == Some("localhost")
}
