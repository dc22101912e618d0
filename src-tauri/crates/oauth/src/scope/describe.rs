//! Scopes in plain words, grouped like the PDS consent screen (atproto permission spec).
//! Precise rather than inflated; unknown scopes are shown raw. Words only, no I/O: the
//! account manager shows them for a session, and the fuzz targets check them.

use serde::Serialize;

use super::{AccountAction, AccountAttr, Permission, RepoAction, ScopeToken, Transition};

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
    /// Warnings to show prominently (full identity control, broad access).
    pub warnings: Vec<String>,
}

const GROUP_ORDER: &[&str] =
    &["Identity", "Account", "Full app access", "Records", "Media", "Services", "Other"];

/// Describes a scope string.
pub fn describe(did: &str, granted: &str, requested: &str, declared: &str) -> ScopeView {
    let tokens =
        |s: &str| -> Vec<String> { s.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect() };
    let granted_tokens = tokens(granted);
    let requested_tokens = tokens(requested);
    let items: Vec<ScopeItem> = granted_tokens.iter().map(|t| item(t)).collect();
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
    ScopeView {
        did: did.to_owned(),
        missing: requested_tokens.iter().filter(|t| !granted_tokens.contains(t)).cloned().collect(),
        available_items: tokens(declared)
            .iter()
            .filter(|t| !granted_tokens.contains(t))
            .map(|t| item(t))
            .collect(),
        available: tokens(declared).into_iter().filter(|t| !granted_tokens.contains(t)).collect(),
        granted: granted_tokens,
        requested: requested_tokens,
        groups,
        warnings,
    }
}

/// Describes one token.
pub fn item(raw: &str) -> ScopeItem {
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
            let what = if collections.iter().any(|c| c == "*") {
                "records of any type".to_owned()
            } else {
                format!("records of type {}", collections.join(", "))
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
            make(format!("{} {what}", capitalise(&verbs.join(", "))), format!("In your repository: {what}."), "Records", level)
        }
        Permission::Rpc { lxm, aud } => {
            let methods = if lxm.iter().any(|m| m == "*") { "any method".to_owned() } else { lxm.join(", ") };
            let service = if aud == "*" { "any service".to_owned() } else { aud.clone() };
            make(format!("Use {methods}"), format!("Call {methods} on {service} as you."), "Services", Level::Info)
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
        Permission::Include { nsid, aud } => make(
            format!("Permission set {nsid}"),
            match aud {
                Some(a) => format!("The permissions published by {nsid}, for {a}."),
                None => format!("The permissions published by {nsid}."),
            },
            "Services",
            Level::Info,
        ),
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
    fn repo_wording() {
        let i = item("repo:app.bsky.feed.post?action=create");
        assert_eq!(i.title, "Create records of type app.bsky.feed.post");
        assert_eq!(item("repo:*").level, Level::Warning);
        assert!(!item("repo:app.bsky.*").known, "invalid tokens are shown raw");
    }
}
