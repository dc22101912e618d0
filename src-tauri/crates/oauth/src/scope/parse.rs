//! Parsing one scope token into a [`Permission`].

use crate::error::InputError;

/// What one scope token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Permission {
    /// `atproto`: required; makes `sub` a DID.
    Atproto,
    /// `transition:generic`, `transition:chat.bsky`, `transition:email`.
    Transition(Transition),
    /// `repo:<collection>`: write records of these collections (`*` = all).
    Repo {
        /// Collection NSIDs, or `*`.
        collections: Vec<String>,
        /// Allowed actions (all three when none are given).
        actions: Vec<RepoAction>,
    },
    /// `rpc:<lxm>?aud=<did#service>`: call these methods on that service.
    Rpc {
        /// Method NSIDs, or `*`.
        lxm: Vec<String>,
        /// The audience service (`did:web:…#id`) or `*`.
        aud: String,
    },
    /// `blob:<mime>`: upload blobs of these types.
    Blob {
        /// MIME patterns.
        accept: Vec<String>,
    },
    /// `account:<attr>?action=read|manage`.
    Account {
        /// `email` or `repo`.
        attr: AccountAttr,
        /// `read` (default) or `manage`.
        action: AccountAction,
    },
    /// `identity:<attr>`: `handle`, or `*` for full DID-document control.
    Identity {
        /// `handle` or `*`.
        attr: String,
    },
    /// `include:<nsid>`: a permission set published as a lexicon.
    Include {
        /// The permission-set NSID.
        nsid: String,
        /// The audience passed down, if any.
        aud: Option<String>,
    },
    /// A token this version does not know; shown raw.
    Unknown,
}

/// The transitional scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// `transition:generic`.
    Generic,
    /// `transition:chat.bsky`.
    ChatBsky,
    /// `transition:email`.
    Email,
}

/// A `repo` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RepoAction {
    /// Create records.
    Create,
    /// Update records.
    Update,
    /// Delete records.
    Delete,
}

/// An `account` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAttr {
    /// The account's email address.
    Email,
    /// The repository as a whole (import / export).
    Repo,
}

/// An `account` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    /// Read only.
    Read,
    /// Read and change.
    Manage,
}

impl Permission {
    /// Whether `self` covers `other` (a wildcard of the same resource covers a specific one;
    /// narrowing parameters never cover each other).
    pub fn subsumes(&self, other: &Permission) -> bool {
        match (self, other) {
            (
                Permission::Repo { collections: a, actions: aa },
                Permission::Repo { collections: b, actions: ba },
            ) => {
                a.iter().any(|c| c == "*") && !b.iter().any(|c| c == "*") && ba.iter().all(|x| aa.contains(x))
            }
            (Permission::Rpc { lxm: a, aud: aa }, Permission::Rpc { lxm: b, aud: ba }) => {
                a.iter().any(|m| m == "*") && !b.iter().any(|m| m == "*") && aa == ba
            }
            (Permission::Blob { accept: a }, Permission::Blob { accept: b }) => {
                a.iter().any(|m| m == "*/*") && !b.iter().any(|m| m == "*/*")
            }
            (Permission::Identity { attr: a }, Permission::Identity { attr: b }) => a == "*" && b != "*",
            _ => false,
        }
    }
}

struct Token {
    resource: String,
    positional: Option<String>,
    params: Vec<(String, String)>,
}

fn split(raw: &str) -> Result<Token, InputError> {
    let bad = |why: &str| InputError::Scope(format!("{raw:?}: {why}"));
    if raw.is_empty() || !raw.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(bad("scope tokens are printable ASCII without spaces"));
    }
    let (head, query) = match raw.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (raw, None),
    };
    let (resource, positional) = match head.split_once(':') {
        Some((r, p)) => (r, Some(decode(p).ok_or_else(|| bad("bad percent-encoding"))?)),
        None => (head, None),
    };
    let mut params = Vec::new();
    for pair in query.into_iter().flat_map(|q| q.split('&')).filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = decode(k).ok_or_else(|| bad("bad percent-encoding"))?;
        let v = decode(v).ok_or_else(|| bad("bad percent-encoding"))?;
        params.push((k, v));
    }
    Ok(Token { resource: resource.to_owned(), positional, params })
}

pub(super) fn decode(s: &str) -> Option<String> {
    let bytes: Vec<u8> = percent_decode(s)?;
    String::from_utf8(bytes).ok()
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Parses and checks one token.
pub(crate) fn permission(raw: &str) -> Result<Permission, InputError> {
    let bad = |why: String| InputError::Scope(format!("{raw:?}: {why}"));
    let t = split(raw)?;
    // Values for `key`: the positional (if any) plus every `key=` parameter, never both.
    let values = |key: &str| -> Result<Vec<String>, InputError> {
        let named: Vec<String> = t.params.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect();
        match (&t.positional, named.is_empty()) {
            (Some(p), true) if !p.is_empty() => Ok(vec![p.clone()]),
            (Some(p), false) if !p.is_empty() => {
                Err(bad(format!("{key} given both positionally and as a parameter")))
            }
            _ => Ok(named),
        }
    };
    let only = |allowed: &[&str]| -> Result<(), InputError> {
        match t.params.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            Some((k, _)) => Err(bad(format!("unknown parameter {k:?}"))),
            None => Ok(()),
        }
    };
    let one = |key: &str, list: Vec<String>| -> Result<Option<String>, InputError> {
        match list.len() {
            0 => Ok(None),
            1 => Ok(list.into_iter().next()),
            _ => Err(bad(format!("{key} may appear only once"))),
        }
    };
    match t.resource.as_str() {
        "atproto" if t.positional.is_none() && t.params.is_empty() => Ok(Permission::Atproto),
        "atproto" => Err(bad("atproto takes no arguments".into())),
        "transition" => match (t.positional.as_deref(), t.params.is_empty()) {
            (Some("generic"), true) => Ok(Permission::Transition(Transition::Generic)),
            (Some("chat.bsky"), true) => Ok(Permission::Transition(Transition::ChatBsky)),
            (Some("email"), true) => Ok(Permission::Transition(Transition::Email)),
            _ => Ok(Permission::Unknown),
        },
        "repo" => {
            only(&["collection", "action"])?;
            let collections = values("collection")?;
            if collections.is_empty() {
                return Err(bad("repo needs a collection".into()));
            }
            for c in &collections {
                if c != "*" && !is_nsid(c) {
                    return Err(bad(format!("{c:?} is not a collection NSID or * (no partial wildcards)")));
                }
            }
            let mut actions = Vec::new();
            for (_, a) in t.params.iter().filter(|(k, _)| k == "action") {
                let action = match a.as_str() {
                    "create" => RepoAction::Create,
                    "update" => RepoAction::Update,
                    "delete" => RepoAction::Delete,
                    other => return Err(bad(format!("unknown repo action {other:?}"))),
                };
                if !actions.contains(&action) {
                    actions.push(action);
                }
            }
            if actions.is_empty() {
                actions = vec![RepoAction::Create, RepoAction::Update, RepoAction::Delete];
            }
            Ok(Permission::Repo { collections, actions })
        }
        "rpc" => {
            only(&["lxm", "aud"])?;
            let lxm = values("lxm")?;
            if lxm.is_empty() {
                return Err(bad("rpc needs a method (lxm)".into()));
            }
            for m in &lxm {
                if m != "*" && !is_nsid(m) {
                    return Err(bad(format!("{m:?} is not a method NSID or *")));
                }
            }
            let aud = t.params.iter().filter(|(k, _)| k == "aud").map(|(_, v)| v.clone()).collect();
            let aud = one("aud", aud)?.ok_or_else(|| bad("rpc needs an aud".into()))?;
            if aud != "*" && !is_service_ref(&aud) {
                return Err(bad(format!("aud {aud:?} is not a DID service reference (did:…#id) or *")));
            }
            if aud == "*" && lxm.iter().any(|m| m == "*") {
                return Err(bad("lxm and aud cannot both be *".into()));
            }
            if raw_positional_has_hash(raw) {
                return Err(bad("a # must be written %23".into()));
            }
            Ok(Permission::Rpc { lxm, aud })
        }
        "blob" => {
            only(&["accept"])?;
            let accept = values("accept")?;
            if accept.is_empty() {
                return Err(bad("blob needs an accept type".into()));
            }
            for m in &accept {
                if !is_mime_pattern(m) {
                    return Err(bad(format!("{m:?} is not a MIME type pattern")));
                }
            }
            Ok(Permission::Blob { accept })
        }
        "account" => {
            only(&["attr", "action"])?;
            let attr = one("attr", values("attr")?)?.ok_or_else(|| bad("account needs an attr".into()))?;
            let attr = match attr.as_str() {
                "email" => AccountAttr::Email,
                "repo" => AccountAttr::Repo,
                other => return Err(bad(format!("unknown account attr {other:?}"))),
            };
            let action = t.params.iter().filter(|(k, _)| k == "action").map(|(_, v)| v.clone()).collect();
            let action = match one("action", action)?.as_deref() {
                None | Some("read") => AccountAction::Read,
                Some("manage") => AccountAction::Manage,
                Some(other) => return Err(bad(format!("unknown account action {other:?}"))),
            };
            Ok(Permission::Account { attr, action })
        }
        "identity" => {
            only(&["attr"])?;
            let attr = one("attr", values("attr")?)?.ok_or_else(|| bad("identity needs an attr".into()))?;
            if attr != "handle" && attr != "*" {
                return Err(bad(format!("unknown identity attr {attr:?}")));
            }
            Ok(Permission::Identity { attr })
        }
        "include" => {
            only(&["nsid", "aud"])?;
            let nsid = one("nsid", values("nsid")?)?
                .ok_or_else(|| bad("include needs a permission-set NSID".into()))?;
            if !is_nsid(&nsid) {
                return Err(bad(format!("{nsid:?} is not an NSID")));
            }
            let aud = t.params.iter().filter(|(k, _)| k == "aud").map(|(_, v)| v.clone()).collect();
            let aud = one("aud", aud)?;
            if raw_positional_has_hash(raw) {
                return Err(bad("a # must be written %23".into()));
            }
            if let Some(a) = &aud
                && !is_service_ref(a)
            {
                return Err(bad(format!("aud {a:?} is not a DID service reference")));
            }
            Ok(Permission::Include { nsid, aud })
        }
        _ => Ok(Permission::Unknown),
    }
}

/// A `#` inside a token must be percent-encoded; a raw one is a syntax error for rpc/include.
fn raw_positional_has_hash(raw: &str) -> bool {
    raw.contains('#')
}

/// An NSID: at least three dot-separated segments, ASCII letters/digits/hyphens, the last
/// segment letters and digits only, no wildcard.
pub fn is_nsid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    s.len() <= 317
        && parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty() && p.len() <= 63 && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && parts.last().is_some_and(|l| {
            l.bytes().all(|b| b.is_ascii_alphanumeric()) && !l.as_bytes()[0].is_ascii_digit()
        })
}

/// `did:<method>:<id>#<service>`.
/// `did#service`. The DID is checked against the generic DID syntax (W3C DID Core §3.1), not
/// against the methods Skyport resolves: the reference PDS writes a did:web port colon
/// decoded (`did:web:localhost:2583`) into granted `rpc:` scopes, and such a token must still
/// be read.
fn is_service_ref(s: &str) -> bool {
    let Some((did, frag)) = s.split_once('#') else { return false };
    is_did_syntax(did)
        && !frag.is_empty()
        && frag.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
}

/// `did:<method>:<id>`: a lowercase method, an id of `[A-Za-z0-9._:%-]` that does not end
/// in `:` or `%`.
fn is_did_syntax(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("did:") else { return false };
    let Some((method, id)) = rest.split_once(':') else { return false };
    !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && !id.is_empty()
        && !id.ends_with(':')
        && !id.ends_with('%')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:%-".contains(&b))
}

/// `type/subtype`, `type/*` or `*/*`.
fn is_mime_pattern(s: &str) -> bool {
    let Some((ty, sub)) = s.split_once('/') else { return false };
    let tok =
        |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    (ty == "*" && sub == "*") || (tok(ty) && (sub == "*" || tok(sub)))
}
