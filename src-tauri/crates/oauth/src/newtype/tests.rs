use crate::login::PendingLogin;
use crate::session::SessionInfo;
use crate::{ClientId, Did, Handle, Issuer, RedirectUri, ScopeText};

#[test]
fn issuers_are_origins_and_development_http_parses() {
    for ok in [
        "https://bsky.social",
        "https://pds.example.com:8443",
        "http://localhost:2583",
        "http://127.0.0.1:54321",
    ] {
        assert_eq!(Issuer::parse(ok).unwrap(), ok);
    }
    for bad in [
        "",
        "bsky.social",
        "https://bsky.social/",
        "https://bsky.social/oauth",
        "https://bsky.social?x=1",
        "https://user@bsky.social",
        "https://bsky.social:443",
        "ftp://bsky.social",
    ] {
        assert!(Issuer::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn client_ids_are_https_urls_or_the_localhost_client() {
    for ok in [
        "https://app.example.com/oauth-client-metadata.json",
        "https://localhost:8443/client.json",
        "http://localhost",
        "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=atproto",
    ] {
        assert_eq!(ClientId::parse(ok).unwrap(), ok);
    }
    for bad in ["", "app.example.com", "http://app.example.com/c.json", "http://127.0.0.1", "urn:x:y"] {
        assert!(ClientId::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn redirect_uris_are_absolute_without_a_fragment() {
    for ok in ["dev.skyport.app:/callback", "http://127.0.0.1:51234/callback", "https://app.example.com/cb"] {
        assert_eq!(RedirectUri::parse(ok).unwrap(), ok);
    }
    for bad in ["", "/callback", "http://127.0.0.1:1/callback#x"] {
        assert!(RedirectUri::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn scope_text_is_kept_byte_for_byte_and_needs_atproto() {
    for ok in
        ["atproto", "atproto transition:generic", "transition:generic atproto", "atproto  x:unknown?y=1"]
    {
        assert_eq!(ScopeText::parse(ok).unwrap().as_str(), ok);
    }
    for bad in ["", "transition:generic", "atprotox", "atproto:x"] {
        assert!(ScopeText::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_shared_impls_show_the_bare_string() {
    let issuer = Issuer::parse("https://bsky.social").unwrap();
    assert_eq!(issuer.to_string(), "https://bsky.social");
    assert_eq!(format!("{issuer:?}"), "Issuer(https://bsky.social)");
    assert_eq!(
        format!("{:?}", Did::parse("did:plc:aliceaaaaaaaaaaaaaaaaaaa").unwrap()),
        "Did(did:plc:aliceaaaaaaaaaaaaaaaaaaa)"
    );
    assert_eq!(format!("{:?}", Handle::parse("@Alice.Test").unwrap()), "Handle(alice.test)");
    assert_eq!(serde_json::to_string(&issuer).unwrap(), r#""https://bsky.social""#);
    assert_eq!(String::from(issuer), "https://bsky.social");
    // Deserialising runs the same checks as parsing.
    assert!(serde_json::from_str::<Issuer>(r#""https://bsky.social/path""#).is_err());
    assert!(serde_json::from_str::<ClientId>(r#""ftp://x""#).is_err());
    assert!(serde_json::from_str::<ScopeText>(r#""transition:generic""#).is_err());
}

/// A pending login as the string-typed record stored it; the typed record reads it and writes
/// it back byte for byte (pending logins are kept as JSON in SQLite).
#[test]
fn stored_pending_login_json_is_unchanged() {
    let stored = concat!(
        r#"{"state":"s-123","client_id":"http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=atproto+transition%3Ageneric","#,
        r#""redirect_uri":"http://127.0.0.1:51234/callback","issuer":"http://localhost:2583","#,
        r#""token_endpoint":"http://localhost:2583/oauth/token","revocation_endpoint":null,"#,
        r#""requested_scope":"atproto transition:generic","login_hint":"alice.test","identity":null,"#,
        r#""created_at":1000,"expires_at":1600}"#
    );
    let pending: PendingLogin = serde_json::from_str(stored).unwrap();
    assert_eq!(pending.issuer, "http://localhost:2583");
    assert_eq!(serde_json::to_string(&pending).unwrap(), stored);
}

#[test]
fn session_info_json_is_unchanged() {
    let stored = concat!(
        r#"{"did":"did:plc:aliceaaaaaaaaaaaaaaaaaaa","handle":"alice.test","pds":"https://pds.example.com/","#,
        r#""issuer":"https://auth.example.com","token_endpoint":"https://auth.example.com/oauth/token","#,
        r#""revocation_endpoint":"https://auth.example.com/oauth/revoke","#,
        r#""client_id":"https://app.example.com/oauth-client-metadata.json","#,
        r#""requested_scope":"atproto transition:generic","granted_scope":"atproto","#,
        r#""expires_at":5000,"created_at":1000,"dpop_thumbprint":"abc"}"#
    );
    let info: SessionInfo = serde_json::from_str(stored).unwrap();
    assert_eq!(info.granted_scope, "atproto");
    assert_eq!(serde_json::to_string(&info).unwrap(), stored);
}
