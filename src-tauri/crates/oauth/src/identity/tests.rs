use super::*;

#[test]
fn handles_are_normalised_and_checked() {
    assert_eq!(Handle::parse("@Alice.Bsky.Social").unwrap().as_str(), "alice.bsky.social");
    assert_eq!(Handle::parse("alice.test").unwrap().as_str(), "alice.test");
    for bad in [
        "",
        "alice",
        "-a.com",
        "a-.com",
        "a..com",
        "a.com.",
        "al ice.com",
        "a.local",
        "a.onion",
        "a.123",
        "ä.com",
        &format!("{}.com", "a".repeat(64)),
    ] {
        assert!(Handle::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn dids_are_checked() {
    assert!(Did::parse("did:plc:ewvi7nxzyoun6zhxrhs64oiz").is_ok());
    assert!(Did::parse("did:web:example.com").is_ok());
    assert_eq!(Did::parse("did:web:localhost%3A2583").unwrap().web_host().unwrap(), "localhost:2583");
    for bad in [
        "did:plc:short",
        "did:plc:EWVI7NXZYOUN6ZHXRHS64OIZ",
        "did:key:zQ3sh",
        "did:web:",
        "did:web:a:b",
        "did:plc:ewvi7nxzyoun6zhxrhs64oiz:",
        "plc:abc",
        "did:",
        "",
    ] {
        assert!(Did::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn login_input_kinds() {
    assert!(
        matches!(LoginInput::parse(" @alice.test ").unwrap(), LoginInput::Handle(h) if h.as_str() == "alice.test")
    );
    assert!(matches!(LoginInput::parse("did:plc:ewvi7nxzyoun6zhxrhs64oiz").unwrap(), LoginInput::Did(_)));
    assert!(matches!(LoginInput::parse("https://bsky.social").unwrap(), LoginInput::Server(_)));
    assert!(LoginInput::parse("https://u:p@bsky.social").is_err());
    assert!(LoginInput::parse("ftp://x.com").is_err());
    assert!(LoginInput::parse("").is_err());
    assert!(LoginInput::parse("not a handle").is_err());
    assert_eq!(LoginInput::parse("@Alice.test").unwrap().login_hint().as_deref(), Some("alice.test"));
    assert_eq!(LoginInput::parse("https://bsky.social").unwrap().login_hint(), None);
}

fn doc(json: &str) -> Result<DidDocument, crate::Error> {
    DidDocument::parse(&Did::parse("did:plc:ewvi7nxzyoun6zhxrhs64oiz").unwrap(), json.as_bytes())
}

#[test]
fn did_document_pds_and_first_valid_handle() {
    let d = doc(r##"{"id":"did:plc:ewvi7nxzyoun6zhxrhs64oiz",
        "alsoKnownAs":["https://not-a-handle","at://not_valid","at://Alice.Example.com","at://second.example.com"],
        "service":[{"id":"#other","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://wrong.example"},
                   {"id":"did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://pds.example.com"}]}"##).unwrap();
    assert_eq!(d.handle.unwrap().as_str(), "alice.example.com");
    assert_eq!(d.pds.unwrap().as_str(), "https://pds.example.com/");
}

#[test]
fn did_document_rejections() {
    assert!(matches!(
        doc(r#"{"id":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}"#),
        Err(crate::Error::Identity(crate::IdentityError::DocumentIdMismatch { .. }))
    ));
    assert!(doc("[]").is_err());
    assert!(doc("not json").is_err());
    let no_pds = doc(r##"{"id":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","service":[{"id":"#atproto_pds","type":"Other","serviceEndpoint":"https://x.com"}]}"##).unwrap();
    assert!(no_pds.require_pds().is_err());
    let path = doc(r##"{"id":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://x.com/path"}]}"##).unwrap();
    assert!(path.pds.is_none(), "an endpoint with a path is not a PDS origin");
    let obj = doc(r##"{"id":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":{"uri":"https://x.com"}}]}"##).unwrap();
    assert!(obj.pds.is_none());
}
