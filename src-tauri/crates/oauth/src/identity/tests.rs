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

mod resolution {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;

    use super::super::*;
    use crate::clock::FixedClock;
    use crate::error::{Error, IdentityError, InputError, TransportError};
    use crate::http::{HttpClient, HttpRequest, HttpResponse, SendError};

    /// Canned answers by URL; unknown hosts fail like a DNS miss (or with `unknown`).
    #[derive(Default)]
    struct FakeHttp {
        answers: HashMap<String, (u16, &'static str, String)>,
        log: Mutex<Vec<String>>,
        unknown: Option<TransportError>,
    }

    impl FakeHttp {
        fn with(mut self, url: &str, status: u16, content_type: &'static str, body: &str) -> Self {
            self.answers.insert(url.to_owned(), (status, content_type, body.to_owned()));
            self
        }
    }

    #[async_trait]
    impl HttpClient for FakeHttp {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError> {
            let url = request.url.to_string();
            self.log.lock().unwrap().push(url.clone());
            match self.answers.get(&url) {
                Some((status, ct, body)) => Ok(HttpResponse {
                    status: *status,
                    headers: vec![("content-type".into(), (*ct).into())],
                    body: body.clone().into_bytes(),
                }),
                None => Err(SendError::Transport(self.unknown.clone().unwrap_or(TransportError::NoSuchHost))),
            }
        }
    }

    /// TXT answers, or `None` for a DNS that cannot be asked.
    struct FakeDns(Option<Vec<String>>);

    #[async_trait]
    impl TxtLookup for FakeDns {
        async fn txt(&self, _name: &str) -> Result<Vec<String>, crate::identity::DnsUnavailable> {
            self.0.clone().ok_or(crate::identity::DnsUnavailable)
        }
    }

    const A: &str = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";
    const WELL_KNOWN: &str = "https://alice.example.com/.well-known/atproto-did";

    async fn resolve(http: FakeHttp, txt: &[&str]) -> Result<Option<Did>, Error> {
        let dns = Arc::new(FakeDns(Some(txt.iter().map(|s| (*s).to_owned()).collect())));
        DnsHttpsHandleResolver::with_dns(Arc::new(http), dns)
            .resolve(&Handle::parse("alice.example.com").unwrap())
            .await
    }

    async fn resolve_offline(http: FakeHttp) -> Result<Option<Did>, Error> {
        DnsHttpsHandleResolver::with_dns(Arc::new(http), Arc::new(FakeDns(None)))
            .resolve(&Handle::parse("alice.example.com").unwrap())
            .await
    }

    #[tokio::test]
    async fn offline_is_never_called_not_found() {
        let transport = |r: Result<Option<Did>, Error>| match r {
            Err(Error::Transport { source, .. }) => source,
            other => panic!("expected a network error, got {other:?}"),
        };
        // No network: DNS cannot be asked and the HTTPS host cannot be looked up.
        let offline = FakeHttp { unknown: Some(TransportError::DnsUnavailable), ..Default::default() };
        assert!(matches!(transport(resolve_offline(offline).await), TransportError::DnsUnavailable));
        // DNS down, the HTTPS host answered 404: still not known to be missing.
        let https_404 = FakeHttp::default().with(WELL_KNOWN, 404, "text/plain", "");
        assert!(matches!(transport(resolve_offline(https_404).await), TransportError::DnsUnavailable));
        // DNS answered "no record", the HTTPS host exists but refuses: unreachable, not missing.
        let refused = FakeHttp {
            unknown: Some(TransportError::Connect {
                kind: crate::ConnectFailure::Refused,
                detail: "os error 111".into(),
            }),
            ..Default::default()
        };
        let e = transport(resolve(refused, &[]).await);
        assert!(matches!(e, TransportError::Connect { kind: crate::ConnectFailure::Refused, .. }));
        assert!(!e.to_string().contains("os error"), "no OS words for a person: {e}");
        assert_eq!(e.detail(), Some("os error 111"));
        // Both answered that nothing is there: not found.
        assert_eq!(resolve(FakeHttp::default(), &[]).await.unwrap(), None);
        // DNS down but HTTPS found it: found.
        let found = FakeHttp::default().with(WELL_KNOWN, 200, "text/plain", A);
        assert_eq!(resolve_offline(found).await.unwrap().unwrap().as_str(), A);
    }

    #[tokio::test]
    async fn dns_and_https_both_tried() {
        let txt_a = format!("did={A}");
        let both =
            resolve(FakeHttp::default().with(WELL_KNOWN, 200, "text/plain", &format!("{A}\n")), &[&txt_a])
                .await;
        assert_eq!(both.unwrap().unwrap().as_str(), A);
        let dns_only = resolve(FakeHttp::default(), &["v=spf1 -all", &txt_a]).await;
        assert_eq!(dns_only.unwrap().unwrap().as_str(), A, "other TXT values are ignored");
        let https_only = resolve(FakeHttp::default().with(WELL_KNOWN, 200, "text/plain", A), &[]).await;
        assert_eq!(https_only.unwrap().unwrap().as_str(), A);
        let neither = resolve(FakeHttp::default().with(WELL_KNOWN, 404, "text/html", "nope"), &[]).await;
        assert_eq!(neither.unwrap(), None);
    }

    #[tokio::test]
    async fn disagreement_is_an_error() {
        let err =
            resolve(FakeHttp::default().with(WELL_KNOWN, 200, "text/plain", B), &[&format!("did={A}")]).await;
        assert!(matches!(err, Err(Error::Identity(IdentityError::HandleAmbiguous { .. }))), "{err:?}");
        let err = resolve(FakeHttp::default(), &[&format!("did={A}"), &format!("did={B}")]).await;
        assert!(
            matches!(err, Err(Error::Identity(IdentityError::HandleAmbiguous { .. }))),
            "two DNS records"
        );
    }

    #[tokio::test]
    async fn did_web_documents_come_from_the_host() {
        let doc = r##"{"id":"did:web:alice.example.com","alsoKnownAs":["at://alice.example.com"],
            "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://pds.example.com"}]}"##;
        let http = Arc::new(
            FakeHttp::default()
                .with("https://alice.example.com/.well-known/did.json", 200, "application/json", doc)
                .with(WELL_KNOWN, 200, "text/plain", "did:web:alice.example.com"),
        );
        let handles =
            Arc::new(DnsHttpsHandleResolver::with_dns(http.clone(), Arc::new(FakeDns(Some(vec![])))));
        let resolver = IdentityResolver::new(
            http.clone(),
            url::Url::parse("https://plc.directory").unwrap(),
            handles,
            Arc::new(FixedClock::new(1000)),
            false,
        );
        let did = Did::parse("did:web:alice.example.com").unwrap();
        let id = resolver.resolve_from_did(&did, false).await.unwrap();
        assert_eq!(id.pds.as_str(), "https://pds.example.com/");
        assert_eq!(id.handle.unwrap().as_str(), "alice.example.com", "the handle resolves back to the DID");
        // Cached: a second resolution sends nothing new (the handle check is cached too).
        let before = http.log.lock().unwrap().len();
        resolver.resolve_from_did(&did, false).await.unwrap();
        assert_eq!(http.log.lock().unwrap().len(), before);
        // Fresh (after a token): the document is fetched again.
        resolver.resolve_from_did(&did, true).await.unwrap();
        assert_eq!(http.log.lock().unwrap().len(), before + 1);
    }

    #[tokio::test]
    async fn a_handle_that_does_not_resolve_back_is_dropped() {
        let doc = r##"{"id":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa","alsoKnownAs":["at://alice.example.com"],
            "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://pds.example.com"}]}"##;
        let doc_b = r##"{"id":"did:plc:bbbbbbbbbbbbbbbbbbbbbbbb","alsoKnownAs":["at://bob.example.com"],
            "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://pds.example.com"}]}"##;
        let http = Arc::new(
            FakeHttp::default()
                .with(&format!("https://plc.directory/{A}"), 200, "application/did+ld+json", doc)
                .with(&format!("https://plc.directory/{B}"), 200, "application/did+ld+json", doc_b)
                .with(WELL_KNOWN, 200, "text/plain", B),
        );
        let handles =
            Arc::new(DnsHttpsHandleResolver::with_dns(http.clone(), Arc::new(FakeDns(Some(vec![])))));
        let resolver = IdentityResolver::new(
            http,
            url::Url::parse("https://plc.directory").unwrap(),
            handles,
            Arc::new(FixedClock::new(0)),
            false,
        );
        let id = resolver.resolve_from_did(&Did::parse(A).unwrap(), false).await.unwrap();
        assert_eq!(id.handle, None, "the claimed handle points at another DID");
        let err =
            resolver.resolve_from_handle(&Handle::parse("alice.example.com").unwrap()).await.unwrap_err();
        assert!(matches!(err, Error::Identity(IdentityError::HandleMismatch { .. })), "{err}");
    }

    /// did:web ports and plain http (atproto DID spec, did:web: "port numbers are not allowed
    /// except for localhost in development"): only the exact host `localhost`, only in the
    /// development profile. Look-alike hosts are ordinary public hosts (https, no port).
    #[tokio::test]
    async fn did_web_ports_and_http_only_for_localhost_in_development() {
        let doc = |did: &str| format!(r#"{{"id":"{did}"}}"#);
        let http = Arc::new(
            FakeHttp::default()
                .with(
                    "http://localhost:2583/.well-known/did.json",
                    200,
                    "application/json",
                    &doc("did:web:localhost%3A2583"),
                )
                .with(
                    "http://localhost/.well-known/did.json",
                    200,
                    "application/json",
                    &doc("did:web:localhost"),
                )
                .with(
                    "https://localhost/.well-known/did.json",
                    200,
                    "application/json",
                    &doc("did:web:localhost"),
                )
                .with(
                    "https://localhost.example.com/.well-known/did.json",
                    200,
                    "application/json",
                    &doc("did:web:localhost.example.com"),
                ),
        );
        let fetched = |did: &'static str, development: bool| {
            let http = http.clone();
            async move {
                let handles =
                    Arc::new(DnsHttpsHandleResolver::with_dns(http.clone(), Arc::new(FakeDns(Some(vec![])))));
                let resolver = IdentityResolver::new(
                    http.clone(),
                    url::Url::parse("https://plc.directory").unwrap(),
                    handles,
                    Arc::new(FixedClock::new(0)),
                    development,
                );
                let before = http.log.lock().unwrap().len();
                let result = resolver.did_document(&Did::parse(did).unwrap(), true).await.map(|_| ());
                let sent = http.log.lock().unwrap()[before..].to_vec();
                (result, sent)
            }
        };
        let port_refused = |r: &Result<(), Error>| matches!(r, Err(Error::Input(InputError::DidWebPort(_))));

        // Development: localhost with or without a port, over http.
        let (r, sent) = fetched("did:web:localhost%3A2583", true).await;
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(sent, ["http://localhost:2583/.well-known/did.json"]);
        let (r, sent) = fetched("did:web:localhost", true).await;
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(sent, ["http://localhost/.well-known/did.json"]);
        // A look-alike host is public: https, and no port even in development.
        let (r, sent) = fetched("did:web:localhost.example.com", true).await;
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(sent, ["https://localhost.example.com/.well-known/did.json"]);
        for did in ["did:web:localhost.example.com%3A2583", "did:web:example.com%3A8443"] {
            let (r, sent) = fetched(did, true).await;
            assert!(port_refused(&r), "{did}: {r:?}");
            assert!(sent.is_empty(), "{did}: nothing is fetched");
        }
        for did in ["did:web:localhost%3Ahttp", "did:web:localhost%3A99999", "did:web:local%41host"] {
            let (r, sent) = fetched(did, true).await;
            assert!(matches!(r, Err(Error::Input(InputError::Did(_)))), "{did}: {r:?}");
            assert!(sent.is_empty(), "{did}: nothing is fetched");
        }

        // Production: no port at all, and never plain http.
        for did in
            ["did:web:localhost%3A2583", "did:web:example.com%3A8443", "did:web:localhost.example.com%3A1"]
        {
            let (r, sent) = fetched(did, false).await;
            assert!(port_refused(&r), "{did}: {r:?}");
            assert!(sent.is_empty(), "{did}: nothing is fetched");
        }
        let (r, sent) = fetched("did:web:localhost", false).await;
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(sent, ["https://localhost/.well-known/did.json"], "https, left to the outbound policy");
        let err = fetched("did:web:localhost%3A2583", false).await.0.unwrap_err();
        assert!(err.to_string().contains("only for localhost, in the development profile"), "{err}");
    }
}
