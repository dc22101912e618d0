//! Callback URL parsing (`CallbackParams::parse`) and the checks against a pending login
//! (`PendingLogin::accept`). Input: the URL the OS or the loopback listener would deliver.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skyport_oauth::{CallbackParams, ClientId, Issuer, PendingLogin, RedirectUri, ScopeText};
use url::Url;

const ISSUER: &str = "https://pds.example.com";
/// A loopback redirect and a private-use-scheme redirect, as the two client kinds use.
const REDIRECTS: [&str; 2] = ["http://127.0.0.1/callback", "com.example.app:/callback"];

fn pending(state: &str, redirect_uri: &str) -> PendingLogin {
    PendingLogin {
        state: state.to_owned(),
        client_id: ClientId::parse("https://app.example.com/oauth-client-metadata.json").unwrap(),
        redirect_uri: RedirectUri::parse(redirect_uri).unwrap(),
        issuer: Issuer::parse(ISSUER).unwrap(),
        token_endpoint: Url::parse("https://pds.example.com/oauth/token").unwrap(),
        revocation_endpoint: None,
        requested_scope: ScopeText::parse("atproto").unwrap(),
        login_hint: None,
        identity: None,
        created_at: 1_000,
        expires_at: 1_600,
    }
}

/// The query as a standard `application/x-www-form-urlencoded` parser reads it.
fn standard_pairs(url: &Url) -> Vec<(String, String)> {
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn without_query(s: &str) -> Option<String> {
    let mut u = Url::parse(s).ok()?;
    u.set_query(None);
    u.set_fragment(None);
    Some(u.to_string())
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let Ok(callback) = CallbackParams::parse(&raw) else { return };

    // A callback that parses: a short URL with one non-empty, visible-ASCII state.
    assert!(raw.len() <= 8 * 1024);
    let state = callback.state.clone();
    assert!(!state.is_empty() && state.len() <= 512, "state {state:?}");
    assert!(state.bytes().all(|b| (0x21..=0x7e).contains(&b)), "state {state:?}");
    let url = Url::parse(&raw).expect("a parsed callback is a URL");
    assert!(url.fragment().is_none_or(str::is_empty));
    // Its parameters agree with a standard parser: each name once, the same `state`.
    let pairs = standard_pairs(&url);
    for (i, (k, _)) in pairs.iter().enumerate() {
        assert!(!pairs[..i].iter().any(|(o, _)| o == k), "{k:?} twice in {raw:?}");
    }
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(param("state"), Some(state.as_str()), "{raw:?}");
    assert_eq!(param("response"), None);

    for redirect in REDIRECTS {
        // Expired: never accepted.
        let again = CallbackParams::parse(&raw).expect("parsing is deterministic");
        assert!(pending(&state, redirect).accept(again, 1_600).is_err());
        // Another state: never accepted.
        let again = CallbackParams::parse(&raw).expect("parsing is deterministic");
        assert!(pending("another-state", redirect).accept(again, 1_100).is_err());

        let again = CallbackParams::parse(&raw).expect("parsing is deterministic");
        if pending(&state, redirect).accept(again, 1_100).is_ok() {
            // Accepted: same redirect target, no error, a code, and the expected issuer.
            assert_eq!(without_query(&raw), without_query(redirect), "{raw:?}");
            assert_eq!(param("error"), None, "{raw:?}");
            assert!(param("code").is_some_and(|c| !c.is_empty()), "{raw:?}");
            assert_eq!(param("iss"), Some(ISSUER), "{raw:?}");
        }
    }
});
