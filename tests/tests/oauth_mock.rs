//! The OAuth core against a fake atproto stack on 127.0.0.1:0: the whole flow with every
//! DPoP proof verified, and the hostile responses the real server will not produce.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use skyport_oauth::error::{Error, IdentityError};
use skyport_oauth::{
    CallbackParams, ClientConfig, LoginInput, LoginOptions, NetworkProfile, OAuthClient, RevokeOutcome,
    Session, XrpcRequest,
};
use skyport_tests::mock::{FakeAtproto, MockResponse};

fn client(fake: &FakeAtproto) -> OAuthClient {
    let profile = NetworkProfile::development()
        .with_plc_directory(&fake.url())
        .unwrap()
        .with_handle_resolver(&fake.url())
        .unwrap();
    let config = ClientConfig::discoverable(
        "https://app.skyport-test.dev/client-metadata.json",
        "atproto transition:generic",
        false,
    )
    .unwrap();
    OAuthClient::builder(config, profile).build().unwrap()
}

async fn login(client: &OAuthClient, fake: &FakeAtproto, who: &str) -> Result<Session, Error> {
    let started = client.start_login(&LoginInput::parse(who).unwrap(), &LoginOptions::default()).await?;
    let callback = fake.approve(started.authorization_url.as_str());
    let params = CallbackParams::parse(&callback)?;
    let authorized = started.pending.accept(params, now())?;
    client.complete_login(started.pending, started.secrets, authorized).await
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn full_flow_with_verified_proofs_and_minimal_requests() {
    let fake = FakeAtproto::start().await;
    let client = client(&fake);
    let session = login(&client, &fake, "@alice.test").await.unwrap();
    assert_eq!(session.info.did.as_str(), "did:plc:aliceaaaaaaaaaaaaaaaaaaa");
    assert_eq!(session.info.handle.as_ref().unwrap().as_str(), "alice.test");
    assert_eq!(session.info.granted_scope, "atproto transition:generic");
    // resolveHandle, DID doc, PRM, AS metadata, PAR (nonce challenge + retry), token.
    assert_eq!(
        fake.server().requests().len(),
        7,
        "{:#?}",
        fake.server().requests().iter().map(|r| &r.target).collect::<Vec<_>>()
    );
    assert_eq!(fake.server().count("/oauth/par"), 2);

    let me = client
        .xrpc(
            &session.info,
            &session.dpop_key,
            &session.tokens.access_token,
            &XrpcRequest::query("com.atproto.server.getSession"),
        )
        .await
        .unwrap();
    assert_eq!(me.body["did"], "did:plc:aliceaaaaaaaaaaaaaaaaaaa");
    assert_eq!(
        fake.server().count("/xrpc/com.atproto.server.getSession"),
        1,
        "the AS nonce is reused for the same origin"
    );

    let fresh =
        client.refresh(&session.info, &session.dpop_key, &session.tokens.refresh_token).await.unwrap();
    assert_eq!(fake.token_requests("refresh_token"), 1, "one request per refresh");
    assert_ne!(fresh.access_token.expose(), session.tokens.access_token.expose());
    let me = client
        .xrpc(
            &session.info,
            &session.dpop_key,
            &fresh.access_token,
            &XrpcRequest::query("com.atproto.server.getSession"),
        )
        .await
        .unwrap();
    assert_eq!(me.status, 200);

    // The old refresh token is spent.
    let again =
        client.refresh(&session.info, &session.dpop_key, &session.tokens.refresh_token).await.unwrap_err();
    assert!(again.is_invalid_grant(), "{again}");

    let outcome = client
        .revoke(&session.info, &session.dpop_key, &fresh.refresh_token, Some(&fresh.access_token))
        .await;
    assert_eq!(outcome, RevokeOutcome::Revoked);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

/// The fake refuses a proof it has seen, so every flow test here would catch a client that
/// resends a proof (the nonce retry must mint a new one, RFC 9449 §4.3 and §11.1).
#[tokio::test]
async fn the_fake_refuses_a_replayed_proof() {
    let fake = FakeAtproto::start().await;
    let client = client(&fake);
    let session = login(&client, &fake, "@alice.test").await.unwrap();
    let call = XrpcRequest::query("com.atproto.server.getSession");
    client.xrpc(&session.info, &session.dpop_key, &session.tokens.access_token, &call).await.unwrap();
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    let sent = fake
        .server()
        .requests()
        .into_iter()
        .rfind(|r| r.path() == "/xrpc/com.atproto.server.getSession")
        .unwrap();
    let replay = reqwest::Client::new()
        .get(format!("{}{}", fake.url(), sent.target))
        .header("authorization", sent.header("authorization").unwrap())
        .header("dpop", sent.header("dpop").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert!(
        replay.headers()["www-authenticate"].to_str().unwrap().contains("invalid_dpop_proof"),
        "{:?}",
        replay.headers()
    );
    assert!(fake.violations().iter().any(|v| v.contains("replayed")), "{:?}", fake.violations());
}

/// A second login reuses the server metadata, but not the first session's DPoP nonce:
/// nonces are kept per session (DPoP key) so that a server cannot link the two accounts
/// (profile C), and the new key's PAR is challenged like the first.
#[tokio::test]
async fn second_login_in_the_same_process_reuses_metadata_not_the_nonce() {
    let fake = FakeAtproto::start().await;
    let client = client(&fake);
    login(&client, &fake, "alice.test").await.unwrap();
    let before = fake.server().requests().len();
    let par_before = fake.server().count("/oauth/par");
    let bob = login(&client, &fake, "bob.test").await.unwrap();
    assert_eq!(bob.info.did.as_str(), "did:plc:bobbbbbbbbbbbbbbbbbbbbbb");
    // resolveHandle, DID doc, PAR (nonce challenge + retry), token.
    assert_eq!(fake.server().requests().len() - before, 5);
    assert_eq!(fake.server().count("/oauth/par") - par_before, 2, "alice's nonce is not bob's");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn resource_nonce_challenge_is_retried_once() {
    let fake = FakeAtproto::start().await;
    let client = client(&fake);
    let s = login(&client, &fake, "alice.test").await.unwrap();
    fake.rotate_nonce();
    let me = client
        .xrpc(
            &s.info,
            &s.dpop_key,
            &s.tokens.access_token,
            &XrpcRequest::query("com.atproto.server.getSession"),
        )
        .await
        .unwrap();
    assert_eq!(me.status, 200);
    assert_eq!(fake.server().count("/xrpc/com.atproto.server.getSession"), 2);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn use_dpop_nonce_twice_in_a_row_is_not_looped() {
    let fake = FakeAtproto::start().await;
    let n = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = n.clone();
    fake.hook("/oauth/par", move |_, _| {
        let i = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        MockResponse::json(400, &json!({"error": "use_dpop_nonce"}))
            .header("dpop-nonce", &format!("always-new-{i}"))
    });
    let err = client(&fake)
        .start_login(&LoginInput::parse("alice.test").unwrap(), &LoginOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_use_dpop_nonce(), "{err}");
    assert_eq!(fake.server().count("/oauth/par"), 2, "one retry, no loop");
}

#[tokio::test]
async fn bearer_token_type_is_rejected() {
    let fake = FakeAtproto::start().await;
    fake.hook("/oauth/token", |_, res| res.patch_json(json!({"token_type": "Bearer"})));
    let err = login(&client(&fake), &fake, "alice.test").await.unwrap_err();
    assert!(matches!(&err, Error::InvalidResponse { reason, .. } if reason.contains("DPoP")), "{err}");
}

#[tokio::test]
async fn sub_of_another_account_is_rejected_and_revoked() {
    let fake = FakeAtproto::start().await;
    let client = client(&fake);
    let started = client
        .start_login(&LoginInput::parse("alice.test").unwrap(), &LoginOptions::default())
        .await
        .unwrap();
    let callback = fake.approve_as(started.authorization_url.as_str(), "did:plc:bobbbbbbbbbbbbbbbbbbbbbb");
    let authorized = started.pending.accept(CallbackParams::parse(&callback).unwrap(), now()).unwrap();
    let err = client.complete_login(started.pending, started.secrets, authorized).await.unwrap_err();
    assert!(matches!(err, Error::Identity(IdentityError::SubjectMismatch { .. })), "{err}");
    assert_eq!(fake.server().count("/oauth/revoke"), 1, "the received tokens are revoked");
}

#[tokio::test]
async fn metadata_issuer_mismatch_is_rejected() {
    let fake = FakeAtproto::start().await;
    fake.hook("/.well-known/oauth-authorization-server", |_, res| {
        res.patch_json(json!({"issuer": "https://evil.example.com"}))
    });
    let err = client(&fake)
        .start_login(&LoginInput::parse("alice.test").unwrap(), &LoginOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Identity(IdentityError::MetadataIssuerMismatch { .. })), "{err}");
}

#[tokio::test]
async fn oversized_non_json_and_redirected_metadata_are_rejected() {
    for (name, response) in [
        ("oversized", MockResponse::json(200, &json!({"pad": "x".repeat(2 * 1024 * 1024)}))),
        ("not json", MockResponse::status(200).header("content-type", "text/html").body(b"<html>".to_vec())),
        (
            "wrong content type",
            MockResponse::status(200).header("content-type", "text/plain").body(b"{}".to_vec()),
        ),
        ("redirect", MockResponse::status(302).header("location", "https://elsewhere.example.com/")),
    ] {
        let fake = FakeAtproto::start().await;
        fake.hook("/.well-known/oauth-protected-resource", move |_, _| response.clone());
        let err = client(&fake)
            .start_login(&LoginInput::parse("alice.test").unwrap(), &LoginOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidResponse { .. }), "{name}: {err}");
        assert_eq!(fake.server().count("/oauth/par"), 0, "{name}: nothing was pushed");
    }
}

#[tokio::test]
async fn slow_metadata_times_out() {
    let fake = FakeAtproto::start().await;
    fake.hook("/.well-known/oauth-authorization-server", |_, res| res.delayed(Duration::from_secs(5)));
    let mut profile = NetworkProfile::development()
        .with_plc_directory(&fake.url())
        .unwrap()
        .with_handle_resolver(&fake.url())
        .unwrap();
    profile.http.timeout = Duration::from_millis(300);
    let config = ClientConfig::loopback("atproto").unwrap();
    let client = OAuthClient::builder(config, profile).build().unwrap();
    let options = LoginOptions { loopback_port: Some(1234), ..Default::default() };
    let err = client.start_login(&LoginInput::parse("alice.test").unwrap(), &options).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn production_profile_refuses_loopback() {
    let fake = FakeAtproto::start().await;
    let config = ClientConfig::loopback("atproto").unwrap();
    let err =
        OAuthClient::builder(config, NetworkProfile::production().with_plc_directory(&fake.url()).unwrap())
            .build()
            .err()
            .expect("a loopback PLC needs the development profile");
    assert!(matches!(err, Error::Config(_)), "{err}");
    let config = ClientConfig::loopback("atproto").unwrap();
    let client = OAuthClient::builder(config, NetworkProfile::production()).build().unwrap();
    let err = client
        .start_login(
            &LoginInput::parse(&fake.url()).unwrap(),
            &LoginOptions { loopback_port: Some(1), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    assert!(fake.server().requests().is_empty());
}
