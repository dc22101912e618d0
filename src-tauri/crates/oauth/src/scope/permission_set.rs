//! Permission sets: lexicons of type `permission-set` that an `include:<nsid>` scope names
//! (atproto permission spec, "Permission Sets"). The authorization server expands them into
//! granular `repo:` and `rpc:` permissions in the token's scope; Skyport reads them to show
//! their title and detail, and to tell whether a requested set was granted.
//!
//! What an `include:` grants follows the spec: only `repo` and `rpc` entries; an `rpc` entry
//! may not name its own audience, and takes the `include:`'s `aud` when it says
//! `inheritAud`; every collection and method must sit under the set's own NSID group (no
//! `*`). Entries outside those rules grant nothing and are left out.

use std::collections::BTreeMap;

use serde_json::Value;

use super::parse::is_nsid;
use super::{Permission, RepoAction};

/// A published permission set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionSet {
    nsid: String,
    title: Option<String>,
    title_lang: BTreeMap<String, String>,
    detail: Option<String>,
    detail_lang: BTreeMap<String, String>,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Repo { collections: Vec<String>, actions: Vec<RepoAction> },
    Rpc { lxm: Vec<String>, aud: RpcAud },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RpcAud {
    /// `inheritAud: true`: the `include:`'s `aud`.
    Inherit,
    /// `aud: "*"`.
    Any,
}

/// Why a lexicon is not a usable permission set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PermissionSetError {
    /// The document is not a lexicon object, or its `id` is not the NSID asked for.
    #[error("the lexicon published for {nsid} is malformed: {reason}")]
    Malformed {
        /// The NSID asked for.
        nsid: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// A lexicon, but its main definition is another type (a record, a query, …).
    #[error("{nsid} is published, but it is a {found}, not a permission set")]
    NotASet {
        /// The NSID asked for.
        nsid: String,
        /// The type it has.
        found: String,
    },
}

impl PermissionSet {
    /// Reads the lexicon document published for `nsid`.
    pub fn parse(nsid: &str, lexicon: &Value) -> Result<Self, PermissionSetError> {
        let malformed =
            |reason: &str| PermissionSetError::Malformed { nsid: nsid.to_owned(), reason: reason.into() };
        let id = lexicon.get("id").and_then(Value::as_str).ok_or_else(|| malformed("it has no id"))?;
        if id != nsid {
            return Err(malformed(&format!("its id is {id}")));
        }
        let main = lexicon
            .get("defs")
            .and_then(|d| d.get("main"))
            .and_then(Value::as_object)
            .ok_or_else(|| malformed("it has no main definition"))?;
        let kind = main.get("type").and_then(Value::as_str).unwrap_or("definition without a type");
        if kind != "permission-set" {
            return Err(PermissionSetError::NotASet { nsid: nsid.to_owned(), found: kind.to_owned() });
        }
        let entries = match main.get("permissions") {
            Some(Value::Array(list)) => list.iter().filter_map(|p| entry(nsid, p)).collect(),
            None => Vec::new(),
            Some(_) => return Err(malformed("its permissions are not a list")),
        };
        let text = |key: &str| main.get(key).and_then(Value::as_str).map(str::to_owned);
        let langs = |key: &str| -> BTreeMap<String, String> {
            main.get(key)
                .and_then(Value::as_object)
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
                .unwrap_or_default()
        };
        Ok(Self {
            nsid: nsid.to_owned(),
            title: text("title"),
            title_lang: langs("title:lang"),
            detail: text("detail"),
            detail_lang: langs("detail:lang"),
            entries,
        })
    }

    /// The set's NSID.
    pub fn nsid(&self) -> &str {
        &self.nsid
    }

    /// The title for `lang` (a language tag such as `de` or `de-AT`), else the default one.
    pub fn title(&self, lang: Option<&str>) -> Option<&str> {
        localised(&self.title_lang, lang).or(self.title.as_deref())
    }

    /// The detail for `lang`, else the default one.
    pub fn detail(&self, lang: Option<&str>) -> Option<&str> {
        localised(&self.detail_lang, lang).or(self.detail.as_deref())
    }

    /// What `include:<nsid>` with this `aud` grants.
    pub fn permissions(&self, aud: Option<&str>) -> Vec<Permission> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Repo { collections, actions } => {
                    Some(Permission::Repo { collections: collections.clone(), actions: actions.clone() })
                }
                Entry::Rpc { lxm, aud: RpcAud::Any } => {
                    Some(Permission::Rpc { lxm: lxm.clone(), aud: "*".into() })
                }
                Entry::Rpc { lxm, aud: RpcAud::Inherit } => {
                    aud.map(|a| Permission::Rpc { lxm: lxm.clone(), aud: a.to_owned() })
                }
            })
            .collect()
    }
}

/// `de-AT` finds `de-AT`, then `de`.
fn localised<'a>(map: &'a BTreeMap<String, String>, lang: Option<&str>) -> Option<&'a str> {
    let lang = lang?;
    let base = lang.split(['-', '_']).next().unwrap_or(lang);
    map.get(lang).or_else(|| map.get(base)).map(String::as_str)
}

/// One `permissions` entry, or `None` when it grants nothing under the spec's rules.
fn entry(set: &str, p: &Value) -> Option<Entry> {
    if p.get("type").and_then(Value::as_str) != Some("permission") {
        return None;
    }
    let strings = |key: &str| -> Option<Vec<String>> {
        match p.get(key)? {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Array(a) => a.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => None,
        }
    };
    let under_set = |names: &[String]| !names.is_empty() && names.iter().all(|n| is_under(set, n));
    match p.get("resource").and_then(Value::as_str)? {
        "repo" => {
            let collections = strings("collection")?;
            let actions = match strings("action") {
                None => vec![RepoAction::Create, RepoAction::Update, RepoAction::Delete],
                Some(list) => list
                    .iter()
                    .map(|a| match a.as_str() {
                        "create" => Some(RepoAction::Create),
                        "update" => Some(RepoAction::Update),
                        "delete" => Some(RepoAction::Delete),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
            };
            under_set(&collections).then_some(Entry::Repo { collections, actions })
        }
        "rpc" => {
            let lxm = strings("lxm")?;
            let aud =
                match (p.get("aud").and_then(Value::as_str), p.get("inheritAud").and_then(Value::as_bool)) {
                    (Some("*"), _) => RpcAud::Any,
                    // An audience of its own is not allowed in a set.
                    (Some(_), _) => return None,
                    (None, Some(true)) => RpcAud::Inherit,
                    (None, _) => return None,
                };
            under_set(&lxm).then_some(Entry::Rpc { lxm, aud })
        }
        // `blob`, `account`, `identity` and unknown resources are not allowed in sets.
        _ => None,
    }
}

/// Whether `name` sits under the NSID group of `set` (`app.bsky.authX` covers
/// `app.bsky.feed.post`, not `app.other.x` nor `*`).
fn is_under(set: &str, name: &str) -> bool {
    let Some((group, _)) = set.rsplit_once('.') else { return false };
    is_nsid(name)
        && name.len() > group.len() + 1
        && name.starts_with(group)
        && name.as_bytes()[group.len()] == b'.'
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn set(permissions: Value) -> Value {
        json!({
            "lexicon": 1,
            "id": "app.bsky.authPosting",
            "defs": {"main": {
                "type": "permission-set",
                "title": "Write posts",
                "title:lang": {"de": "Beiträge schreiben"},
                "detail": "Create posts.",
                "permissions": permissions
            }}
        })
    }

    #[test]
    fn grants_repo_and_rpc_under_its_group_only() {
        let doc = set(json!([
            {"type": "permission", "resource": "repo", "collection": ["app.bsky.feed.post"], "action": ["create"]},
            {"type": "permission", "resource": "repo", "collection": ["app.bsky.feed.like"]},
            {"type": "permission", "resource": "rpc", "lxm": ["app.bsky.actor.getProfile"], "inheritAud": true},
            {"type": "permission", "resource": "rpc", "lxm": ["app.bsky.feed.getFeed"], "aud": "*"},
            // Each of these grants nothing:
            {"type": "permission", "resource": "repo", "collection": ["com.example.thing"]},
            {"type": "permission", "resource": "repo", "collection": ["*"]},
            {"type": "permission", "resource": "rpc", "lxm": ["app.bsky.feed.getTimeline"], "aud": "did:web:x#y"},
            {"type": "permission", "resource": "blob", "accept": ["*/*"]},
            {"type": "permission", "resource": "repo", "collection": ["app.bsky.feed.post"], "action": ["burn"]},
            {"type": "other", "resource": "repo", "collection": ["app.bsky.feed.post"]}
        ]));
        let s = PermissionSet::parse("app.bsky.authPosting", &doc).unwrap();
        let aud = "did:web:api.bsky.app#bsky_appview";
        assert_eq!(
            s.permissions(Some(aud)),
            vec![
                Permission::Repo {
                    collections: vec!["app.bsky.feed.post".into()],
                    actions: vec![RepoAction::Create]
                },
                Permission::Repo {
                    collections: vec!["app.bsky.feed.like".into()],
                    actions: vec![RepoAction::Create, RepoAction::Update, RepoAction::Delete]
                },
                Permission::Rpc { lxm: vec!["app.bsky.actor.getProfile".into()], aud: aud.into() },
                Permission::Rpc { lxm: vec!["app.bsky.feed.getFeed".into()], aud: "*".into() },
            ]
        );
        assert_eq!(s.permissions(None).len(), 3, "inheritAud without an aud grants nothing");
    }

    #[test]
    fn titles_follow_the_language() {
        let s = PermissionSet::parse("app.bsky.authPosting", &set(json!([]))).unwrap();
        assert_eq!(s.title(Some("de-AT")), Some("Beiträge schreiben"));
        assert_eq!(s.title(Some("fr")), Some("Write posts"));
        assert_eq!(s.title(None), Some("Write posts"));
        assert_eq!(s.detail(Some("de")), Some("Create posts."), "no German detail: the default");
    }

    #[test]
    fn other_lexicons_are_refused_by_cause() {
        let query = json!({"lexicon": 1, "id": "app.bsky.x", "defs": {"main": {"type": "query"}}});
        assert_eq!(
            PermissionSet::parse("app.bsky.x", &query),
            Err(PermissionSetError::NotASet { nsid: "app.bsky.x".into(), found: "query".into() })
        );
        let wrong_id = set(json!([]));
        assert!(matches!(
            PermissionSet::parse("app.bsky.authOther", &wrong_id),
            Err(PermissionSetError::Malformed { reason, .. }) if reason == "its id is app.bsky.authPosting"
        ));
        assert!(matches!(
            PermissionSet::parse("app.bsky.x", &json!("text")),
            Err(PermissionSetError::Malformed { .. })
        ));
    }

    #[test]
    fn the_group_is_a_whole_segment() {
        assert!(is_under("app.bsky.authX", "app.bsky.feed.post"));
        assert!(!is_under("app.bsky.authX", "app.bskyother.feed.post"));
        assert!(!is_under("app.bsky.authX", "app.bsky"));
        assert!(!is_under("app.bsky.authX", "*"));
    }
}
