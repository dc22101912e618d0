//! Scope strings: `Scope::parse`, `ScopeToken::parse`, canonical and reduced forms, and the
//! plain-words description (`scope::describe`). Input: up to three lines, the granted,
//! requested and declared scope strings (the whole input is also parsed as one string).
#![no_main]

use libfuzzer_sys::fuzz_target;
use skyport_oauth::Scope;
use skyport_oauth::scope::{Permission, ScopeToken};

fn tokens(s: &str) -> Vec<&str> {
    s.split(' ').filter(|t| !t.is_empty()).collect()
}

fn visible(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// The names and values a known permission carries are visible ASCII (they were checked).
fn check_permission(raw: &str, p: &Permission) {
    let all: Vec<&str> = match p {
        Permission::Repo { collections, .. } => collections.iter().map(String::as_str).collect(),
        Permission::Rpc { lxm, aud } => lxm.iter().map(String::as_str).chain([aud.as_str()]).collect(),
        Permission::Blob { accept } => accept.iter().map(String::as_str).collect(),
        Permission::Identity { attr } => vec![attr.as_str()],
        Permission::Include { nsid, aud } => [nsid.as_str()].into_iter().chain(aud.as_deref()).collect(),
        _ => Vec::new(),
    };
    for v in all {
        assert!(visible(v), "{raw:?} parsed to a value {v:?}");
    }
}

fn check_scope(s: &str) {
    let split = tokens(s);
    let has_duplicate = split.iter().enumerate().any(|(i, t)| split[..i].contains(t));
    let scope = match Scope::parse(s) {
        Ok(scope) => scope,
        Err(_) => {
            assert!(has_duplicate || split.iter().any(|t| ScopeToken::parse(t).is_err()), "{s:?}");
            return;
        }
    };
    assert!(!has_duplicate, "{s:?}");
    // Re-serialises to the same token list, and parses back to the same scope.
    let listed: Vec<&str> = scope.tokens().iter().map(ScopeToken::as_str).collect();
    assert_eq!(listed, split);
    let shown = scope.to_string();
    assert_eq!(shown, split.join(" "));
    assert_eq!(Scope::parse(&shown).expect("a shown scope parses"), scope);
    // Canonical: the same tokens, sorted; it parses to a scope with the same tokens.
    let mut sorted = split.clone();
    sorted.sort_unstable();
    assert_eq!(scope.canonical(), sorted.join(" "));
    let canonical = Scope::parse(&scope.canonical()).expect("the canonical form parses");
    assert!(canonical.is_subset_of(&scope) && scope.is_subset_of(&canonical));
    // Reduced: a subset of the tokens that still covers each of them.
    let reduced = scope.reduced();
    let kept = tokens(&reduced);
    for t in scope.tokens() {
        let covered = kept.iter().any(|k| {
            *k == t.as_str()
                || ScopeToken::parse(k).expect("kept tokens parse").permission().subsumes(t.permission())
        });
        assert!(covered, "{:?} lost from {s:?} (reduced {reduced:?})", t.as_str());
    }
    assert!(kept.iter().all(|k| scope.contains(k)));
    assert!(scope.is_subset_of(&scope) && scope.missing_from(&scope).is_empty());
    assert_eq!(scope.has_atproto(), split.contains(&"atproto"));
    for t in scope.tokens() {
        assert!(visible(t.as_str()));
        assert_eq!(ScopeToken::parse(t.as_str()).expect("a token parses alone").permission(), t.permission());
        check_permission(t.as_str(), t.permission());
    }
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    check_scope(&raw);
    let mut lines = raw.splitn(3, '\n');
    let granted = lines.next().unwrap_or_default();
    let requested = lines.next().unwrap_or_default();
    let declared = lines.next().unwrap_or_default();
    for s in [granted, requested, declared] {
        check_scope(s);
    }

    let view = skyport_oauth::scope::describe::describe("", granted, requested, declared);
    let g = tokens(granted);
    assert_eq!(view.granted, g);
    assert_eq!(view.requested, tokens(requested));
    // Every granted token is described exactly once, in some group.
    let items: Vec<_> = view.groups.iter().flat_map(|group| &group.items).collect();
    assert_eq!(items.len(), g.len());
    for (item, raw) in items.iter().map(|i| (i, i.raw.as_str())) {
        assert!(g.contains(&raw));
        assert!(!item.title.is_empty() && !item.detail.is_empty(), "{raw:?}");
        if item.known {
            assert!(ScopeToken::parse(raw).is_ok(), "{raw:?} described as known");
        }
    }
    assert!(view.groups.iter().all(|group| !group.items.is_empty()));
    assert!(view.missing.iter().all(|t| !g.contains(&t.as_str()) && view.requested.contains(t)));
    assert!(view.available.iter().all(|t| !g.contains(&t.as_str())));
    // By meaning: nothing missing or offered is covered by the grant, and nothing is both
    // missing and unchecked. With no permission set read, nothing comes from a set.
    let grant = skyport_oauth::scope::Granted::new(&g);
    assert!(view.missing.iter().chain(&view.available).all(|t| !grant.covers_token(t)), "{raw:?}");
    assert!(view.missing.iter().all(|t| !view.unchecked.contains(t)));
    assert!(view.from_sets.is_empty());
});
