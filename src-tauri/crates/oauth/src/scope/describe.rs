//! Scopes in plain words, grouped like the PDS consent screen (atproto permission spec).
//! Precise rather than inflated; unknown scopes are shown raw. Words only, no I/O: the
//! account manager shows them for a session, and the fuzz targets check them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    AccountAction, AccountAttr, Granted, Permission, PermissionSet, RepoAction, ScopeToken, Transition,
};

/// How much a permission gives away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Ordinary.
    Info,
    /// Broad access.
    Warning,
    /// Full control of the identity or account.
    Danger,
}

/// One scope token, described.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScopeItem {
    /// The token as granted.
    pub raw: String,
    /// A short headline.
    pub title: String,
    /// More detail.
    pub detail: String,
    /// The group it is shown in.
    pub group: &'static str,
    /// How much it gives away.
    pub level: Level,
    /// Whether this version understands the token.
    pub known: bool,
}

/// Items of one group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PermissionGroup {
    /// The group's title.
    pub title: &'static str,
    /// Its items.
    pub items: Vec<ScopeItem>,
}

/// Requested and granted scopes of an account, side by side.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScopeView {
    /// The account.
    pub did: String,
    /// The granted tokens, grouped and described.
    pub groups: Vec<PermissionGroup>,
    /// The raw granted tokens.
    pub granted: Vec<String>,
    /// The raw requested tokens.
    pub requested: Vec<String>,
    /// Requested but not granted (the user unticked them, or the server narrowed them).
    pub missing: Vec<String>,
    /// Scopes the app could ask for that this session lacks ("Request more access"), raw.
    pub available: Vec<String>,
    /// The same, in plain words (what "Request more access" offers a person).
    pub available_items: Vec<ScopeItem>,
    /// Requested permission sets whose grant could not be checked, because the set could
    /// not be read (they are neither listed as granted nor as missing).
    pub unchecked: Vec<String>,
    /// Granted tokens that a requested permission set grants (the server puts a set's
    /// expansion in the token): not extra, though not requested by name.
    pub from_sets: Vec<String>,
    /// Warnings to show prominently (full identity control, broad access).
    pub warnings: Vec<String>,
}

impl ScopeView {
    /// The scope to ask for to add `more` to this session ("Request more access"): what was
    /// requested and is granted (or could not be checked), then `more`. The requested
    /// tokens, not the granted ones: a server may grant a permission set's expansion, which
    /// the client does not declare.
    pub fn with_more(&self, more: &[&str]) -> String {
        let mut out: Vec<&str> = vec!["atproto"];
        let kept = self.requested.iter().map(String::as_str).filter(|t| !self.missing.iter().any(|m| m == t));
        for t in kept.chain(more.iter().copied()) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out.join(" ")
    }
}

/// What is known about the permission sets (`include:`) a view names, and the language to
/// describe them in.
#[derive(Debug, Clone, Default)]
pub struct Sets {
    found: BTreeMap<String, PermissionSet>,
    failed: BTreeMap<String, String>,
    lang: Option<String>,
}

impl Sets {
    /// Adds a set that was read.
    pub fn found(&mut self, set: PermissionSet) {
        self.failed.remove(set.nsid());
        self.found.insert(set.nsid().to_owned(), set);
    }

    /// Records that `nsid` could not be read, and why, in words.
    pub fn failed(&mut self, nsid: &str, why: impl Into<String>) {
        self.failed.insert(nsid.to_owned(), why.into());
    }

    /// Titles and details in this language (a tag such as `de` or `pt-BR`) where the set has
    /// them.
    pub fn lang(&mut self, lang: Option<String>) {
        self.lang = lang;
    }

    /// The set `nsid`, if read.
    pub fn get(&self, nsid: &str) -> Option<&PermissionSet> {
        self.found.get(nsid)
    }

    /// What `include:<nsid>?aud=…` grants, if the set was read.
    fn expansion(&self, raw: &str) -> Option<Vec<Permission>> {
        match ScopeToken::parse(raw).ok()?.permission() {
            Permission::Include { nsid, aud } => Some(self.found.get(nsid)?.permissions(aud.as_deref())),
            _ => None,
        }
    }
}

/// The NSID of an `include:` token.
pub fn include_nsid(raw: &str) -> Option<String> {
    match ScopeToken::parse(raw).ok()?.permission() {
        Permission::Include { nsid, .. } => Some(nsid.clone()),
        _ => None,
    }
}

const GROUP_ORDER: &[&str] =
    &["Identity", "Account", "Full app access", "Permission sets", "Records", "Media", "Services", "Other"];

/// Describes a scope string, with no permission set read.
pub fn describe(did: &str, granted: &str, requested: &str, declared: &str) -> ScopeView {
    describe_with(did, granted, requested, declared, &Sets::default())
}

/// Describes a scope string, with what is known about its permission sets.
///
/// A token counts as granted when the granted scope covers it by meaning (`repo:*` covers
/// `repo:app.bsky.feed.post`; `transition:generic` covers granular `repo`, `blob` and
/// non-chat `rpc`), and a requested `include:` when every permission its set grants is
/// covered: the authorization server puts the set's expansion in the token, not the
/// `include:` itself. What is already covered is not offered again; a declared set that was
/// not read is offered.
pub fn describe_with(did: &str, granted: &str, requested: &str, declared: &str, sets: &Sets) -> ScopeView {
    let tokens =
        |s: &str| -> Vec<String> { s.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect() };
    let granted_tokens = tokens(granted);
    let requested_tokens = tokens(requested);
    let grant = Granted::new(&granted_tokens);
    // Some(true): covered; Some(false): not covered; None: an include: whose set is unknown.
    let covered = |t: &str| -> Option<bool> {
        if grant.covers_token(t) {
            return Some(true);
        }
        if include_nsid(t).is_none() {
            return Some(false);
        }
        let perms = sets.expansion(t)?;
        Some(!perms.is_empty() && perms.iter().all(|p| grant.covers(p)))
    };
    let mut items: Vec<ScopeItem> = granted_tokens.iter().map(|t| item_with(t, sets)).collect();
    items.extend(
        requested_tokens
            .iter()
            .filter(|t| include_nsid(t).is_some() && !granted_tokens.contains(t) && covered(t) == Some(true))
            .map(|t| item_with(t, sets)),
    );
    let mut groups: Vec<PermissionGroup> = Vec::new();
    for title in GROUP_ORDER {
        let members: Vec<ScopeItem> = items.iter().filter(|i| i.group == *title).cloned().collect();
        if !members.is_empty() {
            groups.push(PermissionGroup { title, items: members });
        }
    }
    let warnings = items
        .iter()
        .filter(|i| i.level == Level::Danger)
        .map(|i| format!("{}: {}", i.title, i.detail))
        .collect();
    // A set that could not be read is still offered (with why it could not be read): the
    // authorization server decides.
    let available: Vec<String> = tokens(declared)
        .into_iter()
        .filter(|t| match covered(t) {
            Some(granted) => !granted,
            None => !requested_tokens.contains(t),
        })
        .collect();
    let set_permissions: Vec<Permission> =
        requested_tokens.iter().filter_map(|t| sets.expansion(t)).flatten().collect();
    let from_sets = granted_tokens
        .iter()
        .filter(|g| !requested_tokens.contains(g))
        .filter(|g| {
            let one = Granted::new(&[g.as_str()]);
            set_permissions.iter().any(|p| one.covers(p))
        })
        .cloned()
        .collect();
    ScopeView {
        did: did.to_owned(),
        from_sets,
        missing: requested_tokens.iter().filter(|t| covered(t) == Some(false)).cloned().collect(),
        unchecked: requested_tokens.iter().filter(|t| covered(t).is_none()).cloned().collect(),
        available_items: available.iter().map(|t| item_with(t, sets)).collect(),
        available,
        granted: granted_tokens,
        requested: requested_tokens,
        groups,
        warnings,
    }
}

/// Describes one token, with no permission set read.
pub fn item(raw: &str) -> ScopeItem {
    item_with(raw, &Sets::default())
}

/// Describes one token.
pub fn item_with(raw: &str, sets: &Sets) -> ScopeItem {
    let make = |title: String, detail: String, group, level| ScopeItem {
        raw: raw.to_owned(),
        title,
        detail,
        group,
        level,
        known: true,
    };
    let Ok(token) = ScopeToken::parse(raw) else {
        return unknown(raw, "This scope is malformed.");
    };
    match token.permission() {
        Permission::Atproto => make(
            "Identify you".into(),
            "Know which account you are (your DID and handle). Every atproto app gets this.".into(),
            "Identity",
            Level::Info,
        ),
        Permission::Transition(Transition::Generic) => make(
            "Broad access to your account".into(),
            "Read and write all your public data (posts, likes, follows, profile), upload media, manage \
             preferences, and act on other services for you. Not your account settings, not your direct messages."
                .into(),
            "Full app access",
            Level::Warning,
        ),
        Permission::Transition(Transition::ChatBsky) => make(
            "Direct messages".into(),
            "Read and send your Bluesky direct messages (chat.bsky).".into(),
            "Full app access",
            Level::Warning,
        ),
        Permission::Transition(Transition::Email) => make(
            "Your email address".into(),
            "See your account's email address and whether it is confirmed.".into(),
            "Account",
            Level::Info,
        ),
        Permission::Repo { collections, actions } => {
            let (what, all) = if collections.iter().any(|c| c == "*") {
                ("records of any type".to_owned(), "records of any type".to_owned())
            } else if collections.len() > 3 {
                (format!("{} types of records", collections.len()), format!("records of type {}", collections.join(", ")))
            } else {
                let list = format!("records of type {}", collections.join(", "));
                (list.clone(), list)
            };
            let verbs: Vec<&str> = actions
                .iter()
                .map(|a| match a {
                    RepoAction::Create => "create",
                    RepoAction::Update => "update",
                    RepoAction::Delete => "delete",
                })
                .collect();
            let level = if collections.iter().any(|c| c == "*") { Level::Warning } else { Level::Info };
            make(format!("{} {what}", capitalise(&verbs.join(", "))), format!("In your repository: {all}."), "Records", level)
        }
        Permission::Rpc { lxm, aud } => {
            let methods = if lxm.iter().any(|m| m == "*") { "any method".to_owned() } else { lxm.join(", ") };
            let short = if lxm.len() > 3 { format!("{} methods", lxm.len()) } else { methods.clone() };
            let service = if aud == "*" { "any service".to_owned() } else { format!("the service {aud}") };
            make(format!("Use {short}"), format!("Call {methods} on {service} as you."), "Services", Level::Info)
        }
        Permission::Blob { accept } => make(
            "Upload media".into(),
            format!("Upload files of type {}.", accept.join(", ")),
            "Media",
            Level::Info,
        ),
        Permission::Account { attr, action } => {
            let (title, detail, level) = match (attr, action) {
                (AccountAttr::Email, AccountAction::Read) => {
                    ("See your email address", "Read the account's email address.", Level::Info)
                }
                (AccountAttr::Email, AccountAction::Manage) => {
                    ("Change your email address", "Read and change the account's email address.", Level::Warning)
                }
                (AccountAttr::Repo, AccountAction::Read) => {
                    ("Read your repository", "Export your whole repository.", Level::Info)
                }
                (AccountAttr::Repo, AccountAction::Manage) => (
                    "Replace your repository",
                    "Import a repository into your account, replacing its data.",
                    Level::Danger,
                ),
            };
            make(title.into(), detail.into(), "Account", level)
        }
        Permission::Identity { attr } if attr == "*" => make(
            "Full control of your identity".into(),
            "Change your handle and DID document, including moving your account to another server. Grant this only \
             to an app you trust completely."
                .into(),
            "Identity",
            Level::Danger,
        ),
        Permission::Identity { .. } => {
            make("Change your handle".into(), "Update the handle of your account.".into(), "Identity", Level::Warning)
        }
        Permission::Include { nsid, aud } => {
            let source = match aud {
                Some(a) => format!("Permission set {nsid}, for the service {a}."),
                None => format!("Permission set {nsid}."),
            };
            let lang = sets.lang.as_deref();
            match (sets.found.get(nsid), sets.failed.get(nsid)) {
                (Some(set), _) => make(
                    set.title(lang).map(str::to_owned).unwrap_or_else(|| format!("Permission set {nsid}")),
                    match set.detail(lang) {
                        Some(d) => format!("{d} ({source})"),
                        None => source,
                    },
                    "Permission sets",
                    Level::Info,
                ),
                (None, Some(why)) => make(
                    format!("Permission set {nsid}"),
                    format!("Skyport could not read what it grants: {why}. {source}"),
                    "Permission sets",
                    Level::Info,
                ),
                (None, None) => make(
                    format!("Permission set {nsid}"),
                    format!("The permissions published as {nsid}. {source}"),
                    "Permission sets",
                    Level::Info,
                ),
            }
        }
        _ => unknown(raw, "Skyport does not know this scope; it is shown as granted."),
    }
}

fn unknown(raw: &str, detail: &str) -> ScopeItem {
    ScopeItem {
        raw: raw.to_owned(),
        title: raw.to_owned(),
        detail: detail.to_owned(),
        group: "Other",
        level: Level::Info,
        known: false,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_missing_and_warnings() {
        let v = describe(
            "did:plc:x",
            "atproto transition:generic identity:* future:thing",
            "atproto transition:generic transition:email identity:* future:thing",
            "atproto transition:generic transition:email transition:chat.bsky",
        );
        let titles: Vec<&str> = v.groups.iter().map(|g| g.title).collect();
        assert_eq!(titles, ["Identity", "Full app access", "Other"]);
        assert_eq!(v.missing, ["transition:email"]);
        assert_eq!(v.available, ["transition:email", "transition:chat.bsky"]);
        let offered: Vec<_> = v.available_items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(offered, ["Your email address", "Direct messages"], "offered in plain words");
        assert_eq!(v.warnings.len(), 1);
        assert!(v.warnings[0].starts_with("Full control of your identity"));
        let other = &v.groups[2].items[0];
        assert_eq!((other.raw.as_str(), other.known), ("future:thing", false));
    }

    #[test]
    fn a_granted_set_is_shown_by_its_title_and_not_offered_again() {
        let doc = serde_json::json!({"lexicon": 1, "id": "app.bsky.authPosting", "defs": {"main": {
        "type": "permission-set", "title": "Write posts", "title:lang": {"de": "Beiträge schreiben"},
        "detail": "Create posts.",
        "permissions": [
            {"type": "permission", "resource": "repo", "collection": ["app.bsky.feed.post"], "action": ["create"]},
            {"type": "permission", "resource": "rpc", "lxm": ["app.bsky.actor.getProfile"], "inheritAud": true}
        ]}}});
        let include = "include:app.bsky.authPosting?aud=did:web:a%23b";
        // What the authorization server puts in the token: the expansion, not the include.
        let granted =
            "atproto repo:app.bsky.feed.post?action=create rpc:app.bsky.actor.getProfile?aud=did:web:a%23b";
        let declared = format!(
            "atproto transition:generic transition:email {include} repo:app.bsky.feed.like blob:image/*"
        );
        let requested = format!("atproto {include}");

        let unknown = describe("d", granted, &requested, &declared);
        assert_eq!(unknown.unchecked, [include], "an unread set is neither granted nor missing");
        assert!(unknown.missing.is_empty());
        assert!(!unknown.available.contains(&include.to_owned()), "it was asked for: not offered again");
        let fresh = describe("d", "atproto", "atproto", &declared);
        assert!(fresh.available.contains(&include.to_owned()), "an unread declared set is offered");

        let mut sets = Sets::default();
        sets.found(PermissionSet::parse("app.bsky.authPosting", &doc).unwrap());
        sets.lang(Some("de-DE".into()));
        let v = describe_with("d", granted, &requested, &declared, &sets);
        assert!(v.missing.is_empty() && v.unchecked.is_empty(), "{v:?}");
        assert_eq!(v.from_sets.len(), 2, "both granted tokens come from the set: {v:?}");
        let set_group = v.groups.iter().find(|g| g.title == "Permission sets").expect("a group for the set");
        assert_eq!(set_group.items[0].title, "Beiträge schreiben");
        assert!(set_group.items[0].detail.starts_with("Create posts. (Permission set app.bsky.authPosting"));
        assert_eq!(
            v.available,
            ["transition:generic", "transition:email", "repo:app.bsky.feed.like", "blob:image/*"]
        );
        let offered: Vec<_> = v.available_items.iter().map(|i| (i.group, i.title.as_str())).collect();
        assert_eq!(
            offered,
            [
                ("Full app access", "Broad access to your account"),
                ("Account", "Your email address"),
                ("Records", "Create, update, delete records of type app.bsky.feed.like"),
                ("Media", "Upload media"),
            ]
        );

        assert_eq!(
            v.with_more(&["repo:app.bsky.feed.like"]),
            format!("atproto {include} repo:app.bsky.feed.like"),
            "the request, not the expansion, plus the addition"
        );
        // The server granted less than the set: it is missing.
        let less =
            describe_with("d", "atproto repo:app.bsky.feed.post?action=create", &requested, &declared, &sets);
        assert_eq!(less.missing, [include]);
        // transition:generic covers the granular offers, but not the email address.
        let broad =
            describe_with("d", "atproto transition:generic", "atproto transition:generic", &declared, &sets);
        assert_eq!(broad.available, ["transition:email"]);
    }

    #[test]
    fn an_unreadable_set_says_why() {
        let mut sets = Sets::default();
        sets.failed("app.bsky.authGone", "offline");
        let i = item_with("include:app.bsky.authGone", &sets);
        assert_eq!(i.title, "Permission set app.bsky.authGone");
        assert_eq!(
            i.detail,
            "Skyport could not read what it grants: offline. Permission set app.bsky.authGone."
        );
    }

    #[test]
    fn repo_wording() {
        let i = item("repo:app.bsky.feed.post?action=create");
        assert_eq!(i.title, "Create records of type app.bsky.feed.post");
        assert_eq!(item("repo:*").level, Level::Warning);
        assert!(!item("repo:app.bsky.*").known, "invalid tokens are shown raw");
    }
}
