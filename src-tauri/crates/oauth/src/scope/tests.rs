use super::*;
use crate::testdata;

#[test]
fn v9_roundtrip_vector() {
    let v = testdata::vector("v9_scope_roundtrip.json");
    let scope = Scope::parse(v["input"].as_str().unwrap()).unwrap();
    let tokens: Vec<&str> = scope.tokens().iter().map(ScopeToken::as_str).collect();
    let expected: Vec<&str> =
        v["expected_tokens"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(tokens, expected);
    assert_eq!(scope.canonical(), v["expected_serialized_sorted"].as_str().unwrap());
    assert_eq!(scope.reduced(), v["expected_reduced"].as_str().unwrap());
    assert_eq!(scope.to_string(), v["input"].as_str().unwrap());
    // The parse hint: resource / positional / params, values percent-decoded after splitting.
    for (token, hint) in scope.tokens().iter().zip(v["parse_hint"].as_array().unwrap()) {
        match (token.permission(), hint["resource"].as_str().unwrap()) {
            (Permission::Atproto, "atproto") => {}
            (Permission::Transition(Transition::Generic), "transition") => {}
            (Permission::Repo { collections, actions }, "repo") => {
                assert_eq!(collections, &[hint["positional"].as_str().unwrap()]);
                assert_eq!(actions, &[RepoAction::Create, RepoAction::Update]);
            }
            (Permission::Rpc { lxm, aud }, "rpc") => {
                assert_eq!(lxm, &[hint["positional"].as_str().unwrap()]);
                assert_eq!(aud, &hint["params"][0][1].as_str().unwrap().replace("%23", "#"));
            }
            (Permission::Include { nsid, aud }, "include") => {
                assert_eq!(nsid, hint["positional"].as_str().unwrap());
                assert_eq!(
                    aud.as_deref(),
                    Some(hint["params"][0][1].as_str().unwrap().replace("%23", "#").as_str())
                );
            }
            (p, r) => panic!("{r}: parsed as {p:?}"),
        }
    }
}

#[test]
fn syntax_cases_vector() {
    let v = testdata::vector("extra_scope_syntax_cases.json");
    for s in v["valid_syntax_and_semantics"].as_array().unwrap() {
        let s = s.as_str().unwrap();
        let t = ScopeToken::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_ne!(t.permission(), &Permission::Unknown, "{s} should be understood");
    }
    for s in v["valid_syntax_invalid_semantics"].as_array().unwrap() {
        let s = s.as_str().unwrap();
        let t = ScopeToken::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(t.permission(), &Permission::Unknown, "{s} is kept as an opaque token");
    }
    for s in v["invalid_syntax"].as_array().unwrap() {
        assert!(ScopeToken::parse(s.as_str().unwrap()).is_err(), "{s}");
    }
    for case in v["invalid_semantics_examples_from_rules"].as_array().unwrap() {
        let s = case["scope"].as_str().unwrap();
        assert!(ScopeToken::parse(s).is_err(), "{s}: {}", case["why"]);
    }
}

#[test]
fn line_per_case_files() {
    for s in testdata::lines("scopes_valid.txt") {
        let t = ScopeToken::parse(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_ne!(t.permission(), &Permission::Unknown, "{s}");
    }
    for s in testdata::lines("scopes_invalid.txt") {
        assert!(ScopeToken::parse(&s).is_err(), "{s} must be rejected");
    }
}

#[test]
fn atproto_must_be_a_token_not_a_substring() {
    assert!(Scope::parse("atproto transition:generic").unwrap().has_atproto());
    assert!(!Scope::parse("transition:generic atprotox").unwrap().has_atproto());
    assert!(Scope::parse("atproto atproto").is_err(), "duplicates are rejected");
}

#[test]
fn subsets_and_wildcards() {
    let declared = Scope::parse("atproto transition:generic repo:*").unwrap();
    assert!(Scope::parse("atproto repo:*").unwrap().is_subset_of(&declared));
    assert!(!Scope::parse("atproto transition:email").unwrap().is_subset_of(&declared));
    let s = Scope::parse("repo:* repo:app.bsky.feed.post atproto").unwrap();
    assert_eq!(s.reduced(), "atproto repo:*");
    let narrow = Scope::parse("repo:*?action=create repo:app.bsky.feed.post?action=delete").unwrap();
    assert_eq!(narrow.reduced(), narrow.canonical(), "create does not cover delete");
    assert_eq!(
        Scope::parse("atproto").unwrap().missing_from(&declared),
        vec!["transition:generic", "repo:*"]
    );
}
