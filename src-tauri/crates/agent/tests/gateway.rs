//! The agent against the real PDS of the local atproto network: keys as bearer tokens,
//! local sessions for app-password code, refusals that never reach the PDS, bodies of any
//! type and size, one refresh for many callers, and no secret where it does not belong.

mod support;

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use support::{Rig, test_limits};

async fn body(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap())
        .unwrap()
}

#[tokio::test]
async fn a_key_as_bearer_token_makes_queries_and_procedures_at_the_pds() {
    let (rig, who) = Rig::start(1).await;
    let alice = &who[0];
    let key = rig.allow("curl", alice, false, &[], None);
    let http = rig.client();

    let res = http
        .get(rig.xrpc("com.atproto.repo.describeRepo"))
        .query(&[("repo", alice.did.as_str())])
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/json; charset=utf-8");
    assert!(res.headers().get("set-cookie").is_none() && res.headers().get("dpop-nonce").is_none());
    assert!(res.headers().get("access-control-allow-origin").is_none(), "no CORS headers");
    let (status, repo) = body(res).await;
    assert_eq!((status, repo["did"].as_str()), (200, Some(alice.did.as_str())), "{repo}");

    let record = json!({"$type": "app.bsky.feed.post", "text": "through the agent", "createdAt": "2026-12-02T00:00:00Z"});
    let res = http
        .post(rig.xrpc("com.atproto.repo.createRecord"))
        .bearer_auth(&key)
        .json(&json!({"repo": alice.did, "collection": "app.bsky.feed.post", "record": record}))
        .send()
        .await
        .unwrap();
    let (status, created) = body(res).await;
    assert_eq!(status, 200, "{created}");
    let rkey = created["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let res = http
        .get(rig.xrpc("com.atproto.repo.getRecord"))
        .query(&[("repo", alice.did.as_str()), ("collection", "app.bsky.feed.post"), ("rkey", &rkey)])
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let (status, got) = body(res).await;
    assert_eq!((status, got["value"]["text"].as_str()), (200, Some("through the agent")));
    // The PDS's own errors come back unchanged.
    let res = http
        .get(rig.xrpc("com.atproto.repo.getRecord"))
        .query(&[("repo", alice.did.as_str()), ("collection", "app.bsky.feed.post"), ("rkey", "nope")])
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let (status, err) = body(res).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("RecordNotFound")), "{err}");

    // atproto-proxy passes through: a service the AppView's DID document does not have makes
    // the PDS refuse (without the header it would proxy to its default AppView and answer).
    let appview = skyport_tests::localnet::Network::shared()
        .info()
        .app_view
        .clone()
        .expect("the network has an AppView");
    let profile = |proxy: Option<String>| {
        let mut r = http
            .get(rig.xrpc("app.bsky.actor.getProfile"))
            .query(&[("actor", alice.did.as_str())])
            .bearer_auth(&key);
        if let Some(p) = proxy {
            r = r.header("atproto-proxy", p);
        }
        support::answer(r)
    };
    let (status, me) = profile(Some(format!("{}#bsky_appview", appview.did))).await;
    assert_eq!((status, me["did"].as_str()), (200, Some(alice.did.as_str())), "{me}");
    let (status, err) = profile(Some(format!("{}#no_such_service", appview.did))).await;
    assert!(status >= 400, "the PDS saw the header: {status} {err}");

    let apps = rig.accounts.apps(None).unwrap();
    assert_eq!(apps.len(), 1);
    // The audit writer batches; give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let apps = rig.accounts.apps(None).unwrap();
    assert_eq!(apps[0].calls, 6, "{apps:?}");
    let activity = rig.accounts.activity(Some(&alice.did), 10).unwrap();
    let methods: Vec<_> = activity.iter().map(|a| (a.nsid.as_str(), a.status)).collect();
    assert_eq!(
        methods,
        [
            ("app.bsky.actor.getProfile", status),
            ("app.bsky.actor.getProfile", 200),
            ("com.atproto.repo.getRecord", 400),
            ("com.atproto.repo.getRecord", 200),
            ("com.atproto.repo.createRecord", 200),
            ("com.atproto.repo.describeRepo", 200)
        ]
    );
    assert!(activity.iter().all(|a| a.key_name.as_deref() == Some("curl")));
}

#[tokio::test]
async fn create_session_with_a_key_answers_local_tokens_that_refresh_and_end() {
    let (rig, who) = Rig::start(1).await;
    let alice = &who[0];
    let key = rig.allow("py-bot", alice, false, &[], None);
    let (status, session) = rig
        .post("com.atproto.server.createSession", None, &json!({"identifier": alice.handle, "password": key}))
        .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["did"], alice.did.as_str());
    assert_eq!(session["handle"], alice.handle.as_str());
    assert!(session.get("didDoc").is_none(), "no didDoc: SDKs would switch to the PDS");
    let access = session["accessJwt"].as_str().unwrap().to_owned();
    let refresh = session["refreshJwt"].as_str().unwrap().to_owned();
    let c = claims(&access);
    assert_eq!(
        (c["sub"].as_str(), c["iss"].as_str(), c["scope"].as_str()),
        (Some(alice.did.as_str()), Some("skyport-agent"), Some("com.atproto.access"))
    );
    assert!(c["exp"].as_i64().unwrap() > c["iat"].as_i64().unwrap());
    for secret in rig.oauth_secrets() {
        assert!(!session.to_string().contains(&secret), "no OAuth secret in the local session");
    }

    // getSession is the PDS's answer without didDoc.
    let calls = rig.pds_calls("/xrpc/com.atproto.server.getSession");
    let (status, me) = rig.get("com.atproto.server.getSession", &access).await;
    assert_eq!((status, me["did"].as_str()), (200, Some(alice.did.as_str())), "{me}");
    assert!(me.get("didDoc").is_none(), "{me}");
    assert_eq!(
        rig.pds_calls("/xrpc/com.atproto.server.getSession"),
        calls + 1,
        "answered with the PDS's data"
    );

    // The identifier may be the DID too; another account's handle is refused.
    let (status, _) = rig
        .post("com.atproto.server.createSession", None, &json!({"identifier": alice.did, "password": key}))
        .await;
    assert_eq!(status, 200);

    // Refresh rotates: the old refresh token works once.
    let (status, fresh) = rig.post("com.atproto.server.refreshSession", Some(&refresh), &Value::Null).await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["refreshJwt"], refresh.as_str());
    let (status, again) = rig.post("com.atproto.server.refreshSession", Some(&refresh), &Value::Null).await;
    assert_eq!((status, again["error"].as_str()), (401, Some("InvalidToken")), "{again}");
    // A refresh token is not an access token.
    let (status, _) = rig.get("com.atproto.server.getSession", fresh["refreshJwt"].as_str().unwrap()).await;
    assert_eq!(status, 401);

    // deleteSession ends the local session only.
    let new_access = fresh["accessJwt"].as_str().unwrap();
    let (status, _) = rig
        .post("com.atproto.server.deleteSession", Some(fresh["refreshJwt"].as_str().unwrap()), &Value::Null)
        .await;
    assert_eq!(status, 200);
    let (status, gone) = rig.get("com.atproto.server.getSession", new_access).await;
    assert_eq!((status, gone["error"].as_str()), (401, Some("InvalidToken")), "{gone}");
    assert_eq!(rig.pds_calls("/oauth/revoke"), 0, "the OAuth session is untouched");
    let (status, _) = rig.get("com.atproto.server.getSession", &key).await;
    assert_eq!(status, 200, "the key itself still works");
}

#[tokio::test]
async fn an_expired_local_access_token_says_expired_token() {
    let (rig, who) = Rig::start(1).await;
    let key = rig.allow("expiring", &who[0], false, &[], None);
    let (_, session) = rig
        .post(
            "com.atproto.server.createSession",
            None,
            &json!({"identifier": who[0].handle, "password": key}),
        )
        .await;
    rig.clock.advance(Duration::from_secs(skyport_accounts::apps::ACCESS_SECS as u64 + 1));
    let (status, err) =
        rig.get("com.atproto.server.getSession", session["accessJwt"].as_str().unwrap()).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("ExpiredToken")), "{err}");
    let (status, _) = rig
        .post(
            "com.atproto.server.refreshSession",
            Some(session["refreshJwt"].as_str().unwrap()),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 200, "the refresh token still works");
}

#[tokio::test]
async fn refused_calls_never_reach_the_pds() {
    let (rig, who) = Rig::start(2).await;
    let (alice, bob) = (&who[0], &who[1]);
    let read_only = rig.allow("reader", alice, true, &[], None);
    let feed_only = rig.allow("feed", alice, false, &["app.bsky.feed.*"], None);
    let everything = rig.allow("all", alice, false, &["*"], None);
    let short = rig.allow("short", alice, false, &[], Some("1h"));
    let revoked = rig.allow("gone", alice, false, &[], None);
    rig.accounts.revoke_app("gone").unwrap();
    let http = rig.client();
    let create = json!({"repo": alice.did, "collection": "app.bsky.feed.post",
        "record": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2026-12-02T00:00:00Z"}});
    rig.http.reset();

    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "read-only procedure",
            http.post(rig.xrpc("com.atproto.repo.createRecord")).bearer_auth(&read_only).json(&create),
            403,
            "ReadOnlyKey",
        ),
        (
            "outside the allow list",
            http.post(rig.xrpc("com.atproto.repo.createRecord")).bearer_auth(&feed_only).json(&create),
            403,
            "MethodNotAllowed",
        ),
        (
            "account management",
            http.post(rig.xrpc("com.atproto.server.deleteAccount")).bearer_auth(&everything).json(&json!({})),
            403,
            "AccountManagementNotAllowed",
        ),
        (
            "app password creation",
            http.post(rig.xrpc("com.atproto.server.createAppPassword"))
                .bearer_auth(&everything)
                .json(&json!({"name": "x"})),
            403,
            "AccountManagementNotAllowed",
        ),
        (
            "service auth",
            http.get(rig.xrpc("com.atproto.server.getServiceAuth"))
                .query(&[("aud", "did:web:x")])
                .bearer_auth(&everything),
            403,
            "AccountManagementNotAllowed",
        ),
        (
            "revoked key",
            http.get(rig.xrpc("com.atproto.server.getSession")).bearer_auth(&revoked),
            401,
            "AuthenticationRequired",
        ),
        ("no key", http.get(rig.xrpc("com.atproto.server.getSession")), 401, "AuthenticationRequired"),
        (
            "made-up key",
            http.get(rig.xrpc("com.atproto.server.getSession"))
                .bearer_auth(format!("skp_{}", "A".repeat(43))),
            401,
            "AuthenticationRequired",
        ),
        (
            "another account's handle",
            http.post(rig.xrpc("com.atproto.server.createSession"))
                .json(&json!({"identifier": bob.handle, "password": everything})),
            401,
            "AuthenticationRequired",
        ),
        (
            "an app password shape",
            http.post(rig.xrpc("com.atproto.server.createSession"))
                .json(&json!({"identifier": alice.handle, "password": alice.password})),
            401,
            "AuthenticationRequired",
        ),
        (
            "a web page",
            http.get(rig.xrpc("com.atproto.server.getSession"))
                .bearer_auth(&everything)
                .header("origin", "https://evil.example"),
            403,
            "BrowserRequest",
        ),
        (
            "a no-cors fetch",
            http.post(rig.xrpc("com.atproto.repo.createRecord"))
                .bearer_auth(&everything)
                .header("sec-fetch-mode", "no-cors")
                .header("sec-fetch-site", "cross-site")
                .json(&create),
            403,
            "BrowserRequest",
        ),
        (
            "an image tag",
            http.get(rig.xrpc("com.atproto.sync.getRepo"))
                .query(&[("did", alice.did.as_str())])
                .bearer_auth(&everything)
                .header("sec-fetch-dest", "image"),
            403,
            "BrowserRequest",
        ),
        (
            "DNS rebinding",
            http.get(rig.xrpc("com.atproto.server.getSession"))
                .bearer_auth(&everything)
                .header("host", format!("evil.example:{}", rig.agent.addr().port())),
            403,
            "WrongHost",
        ),
        (
            "a DPoP header of the program's",
            http.get(rig.xrpc("com.atproto.server.getSession")).header("authorization", "DPoP abc"),
            401,
            "InvalidToken",
        ),
        (
            "a body over the cap",
            http.post(rig.xrpc("com.atproto.repo.uploadBlob"))
                .bearer_auth(&everything)
                .header("content-type", "image/png")
                .body(vec![0u8; 3 * 1024 * 1024]),
            413,
            "PayloadTooLarge",
        ),
        (
            "PUT",
            http.put(rig.xrpc("com.atproto.repo.createRecord")).bearer_auth(&everything),
            405,
            "MethodNotAllowed",
        ),
        (
            "not XRPC",
            http.get(format!("{}/.well-known/oauth-protected-resource", rig.url)).bearer_auth(&everything),
            404,
            "MethodNotImplemented",
        ),
    ];
    for (what, request, want_status, want_error) in cases {
        let res = request.send().await.unwrap();
        assert!(res.headers().get("access-control-allow-origin").is_none(), "{what}: no CORS");
        let (status, err) = body(res).await;
        assert_eq!((status, err["error"].as_str()), (want_status, Some(want_error)), "{what}: {err}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: a message");
    }
    assert!(rig.http.log().is_empty(), "nothing reached the PDS: {:#?}", rig.http.log());
    // The PDS's own log agrees for the methods only this test calls.
    let log = skyport_tests::localnet::Network::shared().pds_requests().await.unwrap();
    for nsid in [
        "com.atproto.server.deleteAccount",
        "com.atproto.server.createAppPassword",
        "com.atproto.server.getServiceAuth",
    ] {
        assert!(!log.iter().any(|r| r.nsid.as_deref() == Some(nsid)), "{nsid} reached the PDS");
    }

    // An expired key: its hour has passed.
    use skyport_oauth::Clock as _;
    rig.sql("UPDATE agent_keys SET expires_at = ?1 WHERE name = 'short'", [rig.clock.now() - 1]);
    let (status, err) = rig.get("com.atproto.server.getSession", &short).await;
    assert_eq!((status, err["error"].as_str()), (401, Some("AuthenticationRequired")), "{err}");
    assert!(rig.http.log().is_empty(), "{:#?}", rig.http.log());

    // Revocation takes effect on the next request, also when made by another process.
    let (status, _) = rig.get("com.atproto.server.getSession", &read_only).await;
    assert_eq!(status, 200);
    let other = Accounts2::open(&rig);
    other.revoke_app("reader").unwrap();
    let (status, _) = rig.get("com.atproto.server.getSession", &read_only).await;
    assert_eq!(status, 401);
}

/// Another account manager on the same store: what the CLI is next to the app.
struct Accounts2;
impl Accounts2 {
    fn open(rig: &Rig) -> skyport_accounts::Accounts {
        skyport_accounts::Accounts::builder(rig.config.clone()).keychain(rig.keychain.clone()).open().unwrap()
    }
}

#[tokio::test]
async fn blobs_and_repositories_stream_through_as_bytes() {
    let (rig, who) = Rig::start(1).await;
    let alice = &who[0];
    let key = rig.allow("uploader", alice, false, &[], None);
    let http = rig.client();
    // 1.5 MB: larger than the in-memory part, so it is spooled and replayed from a file.
    let mut blob = b"\x89PNG\r\n\x1a\n".to_vec();
    blob.extend((0..1_500_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let res = http
        .post(rig.xrpc("com.atproto.repo.uploadBlob"))
        .bearer_auth(&key)
        .header("content-type", "image/png")
        .body(blob.clone())
        .send()
        .await
        .unwrap();
    let (status, uploaded) = body(res).await;
    assert_eq!(status, 200, "{uploaded}");
    assert_eq!(uploaded["blob"]["size"], blob.len());
    assert_eq!(uploaded["blob"]["mimeType"], "image/png");
    let cid = uploaded["blob"]["ref"]["$link"].as_str().unwrap().to_owned();
    let spool = rig.home.path().join("agent-spool");
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 0, "the spooled body is deleted after the call");

    // Reference it so the PDS keeps it, then read it back byte for byte.
    let record = json!({"$type": "app.bsky.feed.post", "text": "with an image", "createdAt": "2026-12-02T00:00:00Z",
        "embed": {"$type": "app.bsky.embed.images", "images": [{"alt": "noise", "image": uploaded["blob"]}]}});
    let res = http
        .post(rig.xrpc("com.atproto.repo.createRecord"))
        .bearer_auth(&key)
        .json(&json!({"repo": alice.did, "collection": "app.bsky.feed.post", "record": record}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let res = http
        .get(rig.xrpc("com.atproto.sync.getBlob"))
        .query(&[("did", alice.did.as_str()), ("cid", cid.as_str())])
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(res.headers().get("content-security-policy").is_some(), "the PDS's blob sandbox header passes");
    assert_eq!(res.bytes().await.unwrap().as_ref(), blob.as_slice());

    let res = http
        .get(rig.xrpc("com.atproto.sync.getRepo"))
        .query(&[("did", alice.did.as_str())])
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/vnd.ipld.car");
    let car = res.bytes().await.unwrap();
    assert!(car.len() > 100, "a CAR file: {} bytes", car.len());
}

#[tokio::test]
async fn twenty_callers_while_the_token_rotates_make_one_token_request() {
    let (rig, who) = Rig::start(1).await;
    let alice = &who[0];
    let key = rig.allow("busy", alice, false, &[], None);
    // The access token is about to expire: the next calls must refresh it, once.
    rig.sql(
        "UPDATE accounts SET expires_at = ?1 WHERE did = ?2",
        rusqlite::params![support::now() + 30, alice.did],
    );
    rig.http.reset();
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let http = rig.client();
            let url = rig.xrpc("com.atproto.repo.describeRepo");
            let (key, did) = (key.clone(), alice.did.clone());
            tokio::spawn(async move {
                http.get(url).query(&[("repo", did)]).bearer_auth(key).send().await.unwrap().status()
            })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap(), 200);
    }
    assert_eq!(rig.pds_calls("/oauth/token"), 1, "{:#?}", rig.http.log());
    assert_eq!(rig.pds_calls("/xrpc/com.atproto.repo.describeRepo"), 20);
}

#[tokio::test]
async fn signing_out_revokes_the_accounts_keys_and_a_second_agent_is_refused() {
    let (rig, who) = Rig::start(1).await;
    let alice = &who[0];
    let key = rig.allow("doomed", alice, false, &[], None);
    let second = skyport_agent::Agent::start(rig.accounts.clone(), test_limits()).await.unwrap_err();
    let message = second.to_string();
    assert!(message.contains("already running") && message.contains(&rig.url), "{message}");
    let running = skyport_agent::status_of(rig.home.path()).await;
    match running {
        skyport_agent::Running::Running(s) => assert_eq!(s.address, rig.url),
        other => panic!("{other:?}"),
    }
    rig.accounts.sign_out(Some(&alice.did)).await.unwrap();
    assert!(rig.accounts.apps(None).unwrap().is_empty());
    let (status, _) = rig.get("com.atproto.server.getSession", &key).await;
    assert_eq!(status, 401);
    let home = rig.home.path().to_path_buf();
    rig.agent.stop().await;
    assert!(matches!(skyport_agent::status_of(&home).await, skyport_agent::Running::Stopped));
}

#[tokio::test]
async fn no_secret_reaches_a_response_the_audit_log_or_the_logs() {
    let (rig, who) = Rig::start(1).await;
    let alice = &who[0];
    let key = rig.allow("scanned", alice, false, &[], None);
    let http = rig.client();
    let mut seen = Vec::new();
    let session = http
        .post(rig.xrpc("com.atproto.server.createSession"))
        .json(&json!({"identifier": alice.handle, "password": key}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    seen.push(session);
    for nsid in ["com.atproto.server.getSession", "com.atproto.repo.describeRepo"] {
        let res = http
            .get(rig.xrpc(nsid))
            .query(&[("repo", alice.did.as_str())])
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        seen.push(format!("{:?}", res.headers()));
        seen.push(res.text().await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let oauth = rig.oauth_secrets();
    assert!(oauth.len() >= 3, "the test found the OAuth secrets to look for");
    let responses = seen.join("\n");
    skyport_tests::secrets::assert_absent("the agent's responses", responses.as_bytes(), &oauth);
    // The database (and its WAL) hold neither OAuth secrets nor the key.
    let mut all = oauth.clone();
    all.push(key.clone());
    all.push(key[4..].to_owned());
    skyport_tests::secrets::assert_absent_in_dir(rig.home.path(), &all);
    let activity = serde_json::to_string(&rig.accounts.activity(None, 100).unwrap()).unwrap();
    skyport_tests::secrets::assert_absent("the audit log", activity.as_bytes(), &all);
    assert!(activity.contains("com.atproto.repo.describeRepo"), "the audit log has the calls");
}

#[tokio::test]
async fn slow_and_oversized_request_heads_are_cut_off() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (rig, _who) = Rig::start(0).await;
    let addr = rig.agent.addr();
    // A head that never ends: closed after the head timeout (1 s here).
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /xrpc/com.atproto.server.getSession HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was closed");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    // A head larger than the cap: refused, not buffered.
    let mut big = tokio::net::TcpStream::connect(addr).await.unwrap();
    let huge =
        format!("GET /xrpc/a.b.c HTTP/1.1\r\nHost: {addr}\r\nX-Filler: {}\r\n\r\n", "a".repeat(64 * 1024));
    let _ = big.write_all(huge.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), big.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 431"), "{text}");
    // The agent still answers.
    let res = rig.client().get(rig.xrpc("com.atproto.server.getSession")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn repeated_bad_keys_are_slowed_down() {
    let (rig, _who) = Rig::start(0).await;
    let http = rig.client();
    let bad = format!("skp_{}", "B".repeat(43));
    let mut times = Vec::new();
    for _ in 0..8 {
        let started = std::time::Instant::now();
        let res = http.get(rig.xrpc("com.atproto.server.getSession")).bearer_auth(&bad).send().await.unwrap();
        assert_eq!(res.status(), 401);
        times.push(started.elapsed());
    }
    assert!(times[0] < Duration::from_millis(100), "{times:?}");
    assert!(times[7] >= Duration::from_millis(400), "later bad keys wait: {times:?}");
}
