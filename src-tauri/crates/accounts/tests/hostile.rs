//! Hostile and broken servers: each scenario makes the fake atproto stack misbehave at one
//! step, and asserts the typed error and that no account (or secret) changed.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use skyport_accounts::{AccountStatus, Error, ErrorCode, LoginRequest, XrpcRequest};
use skyport_oauth::error::{CallbackError, Error as O, IdentityError, Step};
use skyport_tests::mock::{FakeAtproto, MockResponse};
use support::{Rig, fake_login, fake_rig, try_login};

const PRM: &str = "/.well-known/oauth-protected-resource";
const ASM: &str = "/.well-known/oauth-authorization-server";
const ALICE_DOC: &str = "/did:plc:aliceaaaaaaaaaaaaaaaaaaa";
const ALICE: &str = "did:plc:aliceaaaaaaaaaaaaaaaaaaa";

/// A login that must fail: returns the error, and checks nothing was stored.
async fn login_fails(fake: &FakeAtproto, who: &str) -> O {
    let rig = fake_rig(fake);
    let err = try_login(&rig, fake, who).await.expect_err("the login must fail");
    rig.assert_untouched();
    match err {
        Error::OAuth(e) => e,
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

fn invalid(e: &O, step: Step) -> bool {
    matches!(e, O::InvalidResponse { step: s, .. } if *s == step)
}

fn as_patch(fake: &FakeAtproto, patch: serde_json::Value) {
    fake.hook(ASM, move |_, res| res.patch_json(patch.clone()));
}

// --- Authorization-server metadata (RFC 8414; atproto OAuth spec, "Server Metadata") -------

#[tokio::test]
async fn s01_issuer_differs_from_the_fetch_url() {
    let fake = FakeAtproto::start().await;
    as_patch(&fake, json!({"issuer": "https://evil.example.com"}));
    let e = login_fails(&fake, "alice.test").await;
    assert!(matches!(e, O::Identity(IdentityError::MetadataIssuerMismatch { .. })), "{e}");
}

#[tokio::test]
async fn s02_issuer_differs_from_the_protected_resource() {
    let fake = FakeAtproto::start().await;
    let port = fake.url().rsplit(':').next().unwrap().to_owned();
    // The resource names localhost:PORT; the server there says 127.0.0.1:PORT.
    fake.hook(PRM, move |_, res| {
        res.patch_json(json!({"authorization_servers": [format!("http://localhost:{port}")]}))
    });
    let e = login_fails(&fake, "alice.test").await;
    assert!(matches!(e, O::Identity(IdentityError::MetadataIssuerMismatch { .. })), "{e}");
}

#[tokio::test]
async fn s03_two_authorization_servers() {
    let fake = FakeAtproto::start().await;
    let url = fake.url();
    fake.hook(PRM, move |_, res| {
        res.patch_json(json!({"authorization_servers": [url, "https://other.example.com"]}))
    });
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::ProtectedResource));
}

#[tokio::test]
async fn s04_no_authorization_server() {
    let fake = FakeAtproto::start().await;
    fake.hook(PRM, |_, res| res.patch_json(json!({"authorization_servers": []})));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::ProtectedResource));
}

#[tokio::test]
async fn s05_missing_par_endpoint() {
    let fake = FakeAtproto::start().await;
    as_patch(&fake, json!({"pushed_authorization_request_endpoint": null}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s06_par_not_required() {
    let fake = FakeAtproto::start().await;
    as_patch(&fake, json!({"require_pushed_authorization_requests": false}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s07_no_s256() {
    let fake = FakeAtproto::start().await;
    as_patch(&fake, json!({"code_challenge_methods_supported": ["plain"]}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s08_no_es256_for_dpop() {
    let fake = FakeAtproto::start().await;
    as_patch(&fake, json!({"dpop_signing_alg_values_supported": ["RS256"]}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s09_none_among_signing_algorithms() {
    let fake = FakeAtproto::start().await;
    as_patch(&fake, json!({"token_endpoint_auth_signing_alg_values_supported": ["ES256", "none"]}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s10_protected_resources_exclude_the_pds() {
    let fake = FakeAtproto::start().await;
    as_patch(&fake, json!({"protected_resources": ["https://someone-else.example.com"]}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

// --- Token response (RFC 6749 §5.1) and identity (atproto OAuth spec, "Identity Authentication")

fn token_patch(fake: &FakeAtproto, patch: serde_json::Value) {
    fake.hook(
        "/oauth/token",
        move |_, res| if res.status == 200 { res.patch_json(patch.clone()) } else { res },
    );
}

#[tokio::test]
async fn s11_bearer_token_type() {
    let fake = FakeAtproto::start().await;
    token_patch(&fake, json!({"token_type": "Bearer"}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::Token));
}

#[tokio::test]
async fn s12_missing_sub() {
    let fake = FakeAtproto::start().await;
    token_patch(&fake, json!({"sub": null}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::Token));
}

#[tokio::test]
async fn s13_sub_is_not_a_did() {
    let fake = FakeAtproto::start().await;
    token_patch(&fake, json!({"sub": "alice.test"}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::Token));
}

#[tokio::test]
async fn s14_sub_of_another_account_is_revoked() {
    let fake = FakeAtproto::start().await;
    token_patch(&fake, json!({"sub": "did:plc:bobbbbbbbbbbbbbbbbbbbbbb"}));
    let e = login_fails(&fake, "alice.test").await;
    assert!(matches!(e, O::Identity(IdentityError::SubjectMismatch { .. })), "{e}");
    assert_eq!(fake.server().count("/oauth/revoke"), 1, "the received tokens are revoked");
}

#[tokio::test]
async fn s15_scope_without_atproto() {
    let fake = FakeAtproto::start().await;
    token_patch(&fake, json!({"scope": "transition:generic"}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::Token));
}

#[tokio::test]
async fn s16_id_token_in_the_response() {
    let fake = FakeAtproto::start().await;
    token_patch(&fake, json!({"id_token": "eyJ..."}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::Token));
}

#[tokio::test]
async fn s17_no_refresh_token() {
    let fake = FakeAtproto::start().await;
    token_patch(&fake, json!({"refresh_token": null}));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::Token));
}

/// The account's DID document points at another PDS, whose authorization server is not the
/// one the login went to (server-first login: `sub` is resolved anew).
#[tokio::test]
async fn s18_sub_resolves_to_another_issuer() {
    let fake = FakeAtproto::start().await;
    let other = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    let started = support::start(&rig, &fake.url()).await;
    let other_url = other.url();
    fake.hook(ALICE_DOC, move |_, res| {
        res.patch_json(json!({"service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": other_url}]}))
    });
    let err = rig.accounts.complete_login(&fake.approve(&started.authorization_url)).await.unwrap_err();
    assert!(matches!(err, Error::OAuth(O::Identity(IdentityError::IssuerMismatch { .. }))), "{err}");
    assert_eq!(fake.server().count("/oauth/revoke"), 1);
    rig.assert_untouched();
}

/// A resolution older than the identity cache is done again after the token, and then the
/// account turns out to live elsewhere.
#[tokio::test]
async fn s19_stale_resolution_is_redone_and_catches_a_move() {
    let fake = FakeAtproto::start().await;
    let other = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    let started = support::start(&rig, "alice.test").await;
    rig.clock.advance(Duration::from_secs(6 * 60));
    let other_url = other.url();
    fake.hook(ALICE_DOC, move |_, res| {
        res.patch_json(json!({"service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": other_url}]}))
    });
    let err = rig.accounts.complete_login(&fake.approve(&started.authorization_url)).await.unwrap_err();
    assert!(matches!(err, Error::OAuth(O::Identity(IdentityError::IssuerMismatch { .. }))), "{err}");
    rig.assert_untouched();
}

#[tokio::test]
async fn s20_did_document_without_a_pds() {
    let fake = FakeAtproto::start().await;
    fake.hook(ALICE_DOC, |_, res| res.patch_json(json!({"service": []})));
    let e = login_fails(&fake, "alice.test").await;
    assert!(matches!(e, O::Identity(IdentityError::NoPds { .. })), "{e}");
}

#[tokio::test]
async fn s21_did_document_claims_another_handle() {
    let fake = FakeAtproto::start().await;
    fake.hook(ALICE_DOC, |_, res| res.patch_json(json!({"alsoKnownAs": ["at://mallory.test"]})));
    let e = login_fails(&fake, "alice.test").await;
    assert!(matches!(e, O::Identity(IdentityError::HandleMismatch { .. })), "{e}");
}

#[tokio::test]
async fn s22_did_document_for_another_did() {
    let fake = FakeAtproto::start().await;
    fake.hook(ALICE_DOC, |_, res| res.patch_json(json!({"id": "did:plc:bobbbbbbbbbbbbbbbbbbbbbb"})));
    let e = login_fails(&fake, "alice.test").await;
    assert!(matches!(e, O::Identity(IdentityError::DocumentIdMismatch { .. })), "{e}");
}

#[tokio::test]
async fn s23_handle_resolver_returns_garbage() {
    let fake = FakeAtproto::start().await;
    fake.intercept("/xrpc/com.atproto.identity.resolveHandle", |_| {
        Some(MockResponse::json(200, &json!({"did": "not-a-did"})))
    });
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::ResolveHandle));
}

// --- Transport-level hostility ----------------------------------------------------------------

#[tokio::test]
async fn s24_redirect_on_protected_resource_metadata() {
    let fake = FakeAtproto::start().await;
    fake.intercept(PRM, |_| Some(MockResponse::status(302).header("location", "http://127.0.0.1:1/x")));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::ProtectedResource));
}

#[tokio::test]
async fn s25_redirect_on_authorization_server_metadata() {
    let fake = FakeAtproto::start().await;
    fake.intercept(ASM, |_| Some(MockResponse::status(307).header("location", "https://evil.example.com/")));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s26_html_instead_of_json() {
    let fake = FakeAtproto::start().await;
    fake.intercept(ASM, |_| {
        Some(MockResponse::status(200).header("content-type", "text/html").body(b"<h1>hi</h1>".to_vec()))
    });
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s27_json_with_the_wrong_content_type() {
    let fake = FakeAtproto::start().await;
    fake.hook(PRM, |_, res| MockResponse {
        headers: vec![("content-type".into(), "text/plain".into())],
        ..res
    });
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::ProtectedResource));
}

#[tokio::test]
async fn s28_body_over_the_size_cap() {
    let fake = FakeAtproto::start().await;
    fake.hook(ASM, |_, res| res.patch_json(json!({"padding": "x".repeat(3 * 1024 * 1024)})));
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::AuthorizationServer));
}

#[tokio::test]
async fn s29_slow_response_past_the_timeout() {
    let fake = FakeAtproto::start().await;
    fake.hook(PRM, |_, res| res.delayed(Duration::from_secs(15)));
    let started = std::time::Instant::now();
    let e = login_fails(&fake, "alice.test").await;
    assert!(e.is_timeout(), "{e}");
    assert!(started.elapsed() < Duration::from_secs(14), "gave up on time");
}

#[tokio::test]
async fn s30_use_dpop_nonce_forever_at_par() {
    let fake = FakeAtproto::start().await;
    let n = Arc::new(AtomicUsize::new(0));
    fake.intercept("/oauth/par", move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst);
        Some(
            MockResponse::json(400, &json!({"error": "use_dpop_nonce"}))
                .header("dpop-nonce", &format!("n{i}")),
        )
    });
    let e = login_fails(&fake, "alice.test").await;
    assert!(e.is_use_dpop_nonce(), "{e}");
    assert_eq!(fake.server().count("/oauth/par"), 2, "one retry, no loop");
}

#[tokio::test]
async fn s31_use_dpop_nonce_forever_at_the_token_endpoint() {
    let fake = FakeAtproto::start().await;
    let n = Arc::new(AtomicUsize::new(0));
    fake.intercept("/oauth/token", move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst);
        Some(
            MockResponse::json(400, &json!({"error": "use_dpop_nonce"}))
                .header("dpop-nonce", &format!("t{i}")),
        )
    });
    let e = login_fails(&fake, "alice.test").await;
    assert!(e.is_use_dpop_nonce(), "{e}");
    assert_eq!(fake.server().count("/oauth/token"), 2);
}

#[tokio::test]
async fn s32_invalid_dpop_proof() {
    let fake = FakeAtproto::start().await;
    fake.intercept("/oauth/token", |_| {
        Some(MockResponse::json(
            400,
            &json!({"error": "invalid_dpop_proof", "error_description": "<b>bad</b>"}),
        ))
    });
    let e = login_fails(&fake, "alice.test").await;
    assert_eq!(e.oauth_code(), Some("invalid_dpop_proof"));
    assert!(e.to_string().contains("<b>bad</b>"), "the server's text is kept as text");
}

#[tokio::test]
async fn s33_dpop_nonce_with_control_characters_is_not_stored() {
    let fake = FakeAtproto::start().await;
    // Every response carries a poisoned nonce; it must never be echoed back.
    fake.hook("/oauth/par", |_, res| {
        MockResponse { headers: res.headers.into_iter().filter(|(k, _)| k != "dpop-nonce").collect(), ..res }
            .header("dpop-nonce", "evil\u{7}nonce")
    });
    let rig = fake_rig(&fake);
    let _ = try_login(&rig, &fake, "alice.test").await;
    for r in fake.server().requests().iter().filter(|r| r.path() == "/oauth/par") {
        let proof = r.header("dpop").unwrap();
        let claims = proof.split('.').nth(1).unwrap();
        let claims = String::from_utf8(base64_decode(claims)).unwrap();
        assert!(!claims.contains("evil"), "a poisoned nonce was echoed: {claims}");
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

#[tokio::test]
async fn s34_huge_headers() {
    let fake = FakeAtproto::start().await;
    fake.hook(PRM, |_, res| res.header("x-junk", &"a".repeat(512 * 1024)));
    let e = login_fails(&fake, "alice.test").await;
    assert!(e.is_network() || matches!(e, O::InvalidResponse { .. }), "{e}");
}

#[tokio::test]
async fn s35_server_errors_are_retried_with_a_limit() {
    let fake = FakeAtproto::start().await;
    fake.intercept(PRM, |_| Some(MockResponse::status(503)));
    let e = login_fails(&fake, "alice.test").await;
    assert!(e.is_server_error(), "{e}");
    assert_eq!(fake.server().count(PRM), 3, "three attempts, then give up");
}

#[tokio::test]
async fn s36_par_answers_200_instead_of_201() {
    let fake = FakeAtproto::start().await;
    fake.hook(
        "/oauth/par",
        |_, res| if res.status == 201 { MockResponse { status: 200, ..res } } else { res },
    );
    assert!(invalid(&login_fails(&fake, "alice.test").await, Step::Par));
}

// --- After sign-in: refresh, calls, sign-out ------------------------------------------------

async fn signed_in() -> (FakeAtproto, Rig) {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    (fake, rig)
}

#[tokio::test]
async fn s37_invalid_grant_on_refresh() {
    let (fake, rig) = signed_in().await;
    fake.intercept("/oauth/token", |_| Some(MockResponse::json(400, &json!({"error": "invalid_grant"}))));
    let err = rig.accounts.refresh(None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NeedsSignIn);
    assert_eq!(rig.accounts.account(None).unwrap().status, AccountStatus::NeedsSignIn);
}

#[tokio::test]
async fn s38_refresh_for_another_subject() {
    let (fake, rig) = signed_in().await;
    token_patch(&fake, json!({"sub": "did:plc:bobbbbbbbbbbbbbbbbbbbbbb"}));
    let err = rig.accounts.refresh(None).await.unwrap_err();
    assert!(matches!(err, Error::OAuth(O::Identity(IdentityError::SubjectMismatch { .. }))), "{err}");
    assert_eq!(rig.accounts.list().unwrap()[0].did, ALICE, "the account is kept");
}

#[tokio::test]
async fn s39_revocation_endpoint_down() {
    let (fake, rig) = signed_in().await;
    fake.intercept("/oauth/revoke", |_| Some(MockResponse::status(503)));
    let out = rig.accounts.sign_out(None).await.unwrap();
    assert!(!out.revoked);
    assert!(out.revoke_error.is_some());
    assert!(rig.accounts.list().unwrap().is_empty(), "deleted locally anyway");
    assert!(rig.keychain.names().iter().all(|n| !n.contains(":session:")));
}

#[tokio::test]
async fn s40_invalid_token_twice_needs_sign_in() {
    let (fake, rig) = signed_in().await;
    fake.intercept("/xrpc/com.atproto.server.getSession", |_| {
        Some(
            MockResponse::json(401, &json!({"error": "InvalidToken"}))
                .header("www-authenticate", "DPoP error=\"invalid_token\""),
        )
    });
    let err = rig.accounts.api(None, &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NeedsSignIn);
    assert_eq!(fake.token_requests("refresh_token"), 1, "one refresh, then give up");
    assert_eq!(fake.server().count("/xrpc/com.atproto.server.getSession"), 2);
}

#[tokio::test]
async fn s41_production_profile_refuses_the_loopback_server() {
    let fake = FakeAtproto::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = skyport_accounts::Config {
        home: home.path().to_path_buf(),
        client_id: None,
        declared_scope: skyport_accounts::DECLARED_SCOPE.into(),
        plc_url: None,
        handle_resolver: None,
        development: false,
        extra_ca: None,
        strict_dpop_nonce: false,
        agent_port: None,
        lexicon_authority: None,
    };
    let accounts = skyport_accounts::Accounts::builder(config)
        .keychain(Arc::new(skyport_keychain::MemoryKeychain::new()))
        .open()
        .unwrap();
    let err = accounts
        .start_login(&LoginRequest { identifier: fake.url(), scope: None, loopback_port: Some(1) })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ForbiddenDestination, "{err}");
    assert!(fake.server().requests().is_empty(), "nothing was sent");
}

// --- Hostile links (the deep link / `skyport complete` path) ---------------------------------

#[tokio::test]
async fn s42_hostile_callback_links_change_nothing() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "bob.test").await;
    let before = rig.accounts.list().unwrap();
    let started = support::start(&rig, "alice.test").await;
    let good = fake.approve(&started.authorization_url);
    let base = good.split('?').next().unwrap().to_owned();
    let iss = url::form_urlencoded::byte_serialize(fake.url().as_bytes()).collect::<String>();
    let st = &started.state;
    let links = [
        ("unknown state", format!("{base}?state=nope&code=x&iss={iss}"), ErrorCode::UnknownLogin),
        ("no state", format!("{base}?code=x&iss={iss}"), ErrorCode::InvalidCallback),
        (
            "duplicated state",
            format!("{base}?state={st}&state={st}&code=x&iss={iss}"),
            ErrorCode::InvalidCallback,
        ),
        ("JARM response", format!("{base}?state={st}&response=eyJ&iss={iss}"), ErrorCode::InvalidCallback),
        ("non-UTF-8 escape", format!("{base}?state={st}&code=%C3%28&iss={iss}"), ErrorCode::InvalidCallback),
        ("very long", format!("{base}?state={st}&pad={}", "x".repeat(20_000)), ErrorCode::InvalidCallback),
        ("other scheme", "javascript:alert(1)//?state=x".to_owned(), ErrorCode::InvalidCallback),
        // This login's state at a place that is not a redirect URI of this (loopback) client.
        (
            "other scheme, this state",
            format!("dev.evil.app:/callback?state={st}&code=x&iss={iss}"),
            ErrorCode::InvalidCallback,
        ),
        (
            "other path, this state",
            format!("http://127.0.0.1:4567/other?state={st}&code=x&iss={iss}"),
            ErrorCode::InvalidCallback,
        ),
        (
            "https, this state",
            format!("https://127.0.0.1:4567/callback?state={st}&code=x&iss={iss}"),
            ErrorCode::InvalidCallback,
        ),
        (
            "other host, this state",
            format!("http://localhost:4567/callback?state={st}&code=x&iss={iss}"),
            ErrorCode::InvalidCallback,
        ),
        ("not a URL", "%%%".to_owned(), ErrorCode::InvalidCallback),
    ];
    for (name, link, code) in links {
        let err = rig.accounts.complete_login(&link).await.unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
    }
    // Consumed by none of the above: the state is still waiting. Now a wrong iss…
    let wrong_iss = good.replace(&iss, "https%3A%2F%2Fevil.example.com");
    let err = rig.accounts.complete_login(&wrong_iss).await.unwrap_err();
    assert!(matches!(err, Error::OAuth(O::Callback(CallbackError::IssuerMismatch { .. }))), "{err}");
    // …which consumed the login (single use): the real callback is refused afterwards.
    assert_eq!(rig.accounts.complete_login(&good).await.unwrap_err().code(), ErrorCode::UnknownLogin);
    // Markup in an error description stays text.
    let started = support::start(&rig, "alice.test").await;
    let markup = format!(
        "{base}?state={}&iss={iss}&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        started.state
    );
    let err = rig.accounts.complete_login(&markup).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
    assert_eq!(fake.token_requests("authorization_code"), 1, "only bob's login reached the token endpoint");
    assert_eq!(rig.accounts.list().unwrap(), before, "no account changed");
}

/// The handle the login began with, resolved again after the token (the first resolution is
/// older than the identity cache), now names the account differently: the login succeeds,
/// the stored handle is the new one, and the change is reported, not dropped silently.
#[tokio::test]
async fn s43_a_handle_changed_during_the_login_is_stored_and_reported() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    let started = support::start(&rig, "alice.test").await;
    rig.clock.advance(Duration::from_secs(6 * 60));
    fake.hook(ALICE_DOC, |_, res| res.patch_json(json!({"alsoKnownAs": ["at://alice-new.test"]})));
    fake.intercept("/xrpc/com.atproto.identity.resolveHandle", |req| {
        (req.query("handle").as_deref() == Some("alice-new.test"))
            .then(|| MockResponse::json(200, &json!({"did": ALICE})))
    });
    let done = rig.accounts.complete_login(&fake.approve(&started.authorization_url)).await.unwrap();
    assert_eq!(done.account.handle.as_deref(), Some("alice-new.test"));
    let change = done.handle_changed.expect("the change is reported");
    assert_eq!((change.before.as_str(), change.after.as_deref()), ("alice.test", Some("alice-new.test")));
    assert_eq!(rig.accounts.account(Some(ALICE)).unwrap().handle.as_deref(), Some("alice-new.test"));
    // A handle that no longer verifies both ways is reported too, as "no handle".
    let started = support::start(&rig, "alice-new.test").await;
    rig.clock.advance(Duration::from_secs(6 * 60));
    fake.clear("/xrpc/com.atproto.identity.resolveHandle");
    let done = rig.accounts.complete_login(&fake.approve(&started.authorization_url)).await.unwrap();
    assert_eq!(done.account.handle, None);
    let change = done.handle_changed.expect("the change is reported");
    assert_eq!((change.before.as_str(), change.after), ("alice-new.test", None));
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}
