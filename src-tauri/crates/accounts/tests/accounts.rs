//! The account manager in one process: against the fake stack (hostile and failing servers,
//! a fake clock, a memory keychain with switchable failures) and against the real PDS.

mod support;

use std::time::Duration;

use skyport_accounts::{
    AccountEvent, AccountStatus, Error, ErrorCode, KeychainState, LoginRequest, RefreshOutcome, SignInReason,
    XrpcRequest,
};
use skyport_keychain::KeychainError;
use skyport_tests::mock::{FakeAtproto, MockResponse};
use support::{config, fake_login, fake_rig, rig_for};

const ALICE: &str = "did:plc:aliceaaaaaaaaaaaaaaaaaaa";
const BOB: &str = "did:plc:bobbbbbbbbbbbbbbbbbbbbbb";

#[tokio::test]
async fn login_switch_and_in_place_update() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    let a = fake_login(&rig, &fake, "alice.test").await;
    assert!(!a.updated);
    assert_eq!(a.account.status, AccountStatus::Ready);
    let b = fake_login(&rig, &fake, "bob.test").await;
    assert!(b.account.active, "the new account becomes active");
    rig.accounts.switch("alice.test").unwrap();
    let list = rig.accounts.list().unwrap();
    assert_eq!(
        list.iter().map(|a| (a.did.as_str(), a.active)).collect::<Vec<_>>(),
        [(ALICE, true), (BOB, false)]
    );

    // Signing in again to a known DID replaces its session in place, then revokes the old one.
    let again = fake_login(&rig, &fake, "bob.test").await;
    assert!(again.updated);
    assert_eq!(again.old_session_revoked, Some(true));
    assert_eq!(fake.server().count("/oauth/revoke"), 1);
    let list = rig.accounts.list().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].did, BOB, "position kept");
    assert!(list[1].active, "re-signed-in account becomes active");
    let me = rig.accounts.api(Some(BOB), &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap();
    assert_eq!(me.body["did"], BOB, "the new session works");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

/// Session secrets kept in memory are used only for the exact session the database row
/// describes: after another process rotates or replaces the session, the next call reads the
/// keychain again (seen here by making that read fail).
#[tokio::test]
async fn secrets_in_memory_follow_what_other_processes_did() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    let other = rig.another_process();

    // Held in memory since the login: a call needs no keychain.
    rig.keychain.set_failure(Some(no_bus()));
    rig.accounts.api(None, &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap();
    rig.keychain.set_failure(None);

    // Another process rotates the tokens: the copy in memory is stale and is not used.
    other.refresh(Some(ALICE)).await.unwrap();
    assert_next_call_reads_the_keychain(&rig, &fake).await;

    // Another process signs out and in again (a new key; the row starts over at the same
    // generation): the copy in memory is stale again.
    other.sign_out(Some(ALICE)).await.unwrap();
    let request = LoginRequest { identifier: "alice.test".into(), scope: None, loopback_port: Some(4567) };
    let started = other.start_login(&request).await.unwrap();
    other.complete_login(&fake.approve(&started.authorization_url)).await.unwrap();
    assert_next_call_reads_the_keychain(&rig, &fake).await;
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

fn no_bus() -> KeychainError {
    KeychainError::Unavailable { reason: "no D-Bus session bus".into() }
}

/// With the keychain failing, the next API call fails before sending anything (so it did not
/// use secrets from memory); with the keychain back, it works.
async fn assert_next_call_reads_the_keychain(rig: &support::Rig, fake: &FakeAtproto) {
    let get_session = XrpcRequest::query("com.atproto.server.getSession");
    let sent = || fake.server().count("/xrpc/com.atproto.server.getSession");
    let before = sent();
    rig.keychain.set_failure(Some(no_bus()));
    let err = rig.accounts.api(None, &get_session).await.unwrap_err();
    rig.keychain.set_failure(None);
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert_eq!(sent(), before, "nothing sent with stale secrets");
    assert_eq!(rig.accounts.api(None, &get_session).await.unwrap().body["did"], ALICE);
}

#[tokio::test]
async fn invalid_grant_marks_needs_sign_in_and_keeps_the_row() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake.hook("/oauth/token", |_, _| {
        MockResponse::json(
            400,
            &serde_json::json!({"error": "invalid_grant", "error_description": "revoked"}),
        )
    });
    let err = rig.accounts.refresh(None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NeedsSignIn, "{err}");
    let a = rig.accounts.account(Some(ALICE)).unwrap();
    assert_eq!(a.status, AccountStatus::NeedsSignIn);
    assert_eq!(a.status_reason, Some(SignInReason::InvalidGrant));
    assert!(rig.keychain.names().iter().all(|n| !n.contains(":session:")), "dead tokens are deleted");
    assert_eq!(rig.accounts.list().unwrap().len(), 1, "the account stays for 'Sign in again'");
    let err = rig.accounts.api(None, &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NeedsSignIn);
}

#[tokio::test]
async fn network_failure_keeps_the_session_and_shows_offline() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake.intercept("/oauth/token", |_| Some(MockResponse::status(503)));
    let err = rig.accounts.refresh(None).await.unwrap_err();
    assert!(err.is_network(), "{err}");
    let offline = rig.accounts.account(None).unwrap();
    assert_eq!(offline.status, AccountStatus::Offline);
    assert_eq!(offline.last_refresh_result, Some(RefreshOutcome::Failed(ErrorCode::Network)));
    fake.clear("/oauth/token");
    let a = rig.accounts.refresh(None).await.unwrap();
    assert_eq!(a.status, AccountStatus::Ready);
    assert_eq!(a.last_refresh_result, Some(RefreshOutcome::Ok));
}

/// The server rotated the tokens but the answer was lost: the next refresh gets
/// `invalid_grant`, and the account says a refresh was interrupted.
#[tokio::test]
async fn lost_refresh_response_is_reported_as_interrupted() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake.hook("/oauth/token", |_, _| MockResponse::status(502));
    assert!(rig.accounts.refresh(None).await.unwrap_err().is_network());
    fake.clear("/oauth/token");
    let err = rig.accounts.refresh(None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NeedsSignIn);
    let a = rig.accounts.account(None).unwrap();
    assert_eq!(
        (a.status, a.status_reason),
        (AccountStatus::NeedsSignIn, Some(SignInReason::RefreshInterrupted))
    );
}

#[tokio::test]
async fn locked_keychain_lists_switches_and_deletes_nothing() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake_login(&rig, &fake, "bob.test").await;
    rig.keychain.set_failure(Some(KeychainError::Locked));
    assert_eq!(rig.accounts.keychain_state(), KeychainState::Locked);
    let list = rig.accounts.list().unwrap();
    assert!(list.iter().all(|a| a.status == AccountStatus::KeychainLocked));
    rig.accounts.switch(ALICE).unwrap();
    assert_eq!(rig.accounts.refresh(None).await.unwrap_err().code(), ErrorCode::KeychainLocked);
    assert_eq!(rig.accounts.sign_out(None).await.unwrap_err().code(), ErrorCode::KeychainLocked);
    rig.keychain.set_failure(Some(KeychainError::Unavailable { reason: "no D-Bus session bus".into() }));
    assert_eq!(rig.accounts.keychain_state(), KeychainState::Unavailable);
    // A process that holds the session in memory keeps calling the PDS; another process,
    // which would have to read the keychain, gets the typed error.
    let me = rig.accounts.api(None, &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap();
    assert_eq!(me.body["did"], ALICE);
    let other = rig.another_process();
    assert_eq!(
        other.api(None, &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap_err().code(),
        ErrorCode::KeychainUnavailable
    );
    // A refresh always reads the keychain under its lock first, so it never spends the
    // refresh token while the rotated one could not be stored.
    let token_requests = fake.server().count("/oauth/token");
    assert_eq!(rig.accounts.refresh(None).await.unwrap_err().code(), ErrorCode::KeychainUnavailable);
    assert_eq!(fake.server().count("/oauth/token"), token_requests, "no refresh was sent");
    rig.keychain.set_failure(None);
    assert_eq!(rig.accounts.list().unwrap().len(), 2);
    assert!(
        rig.accounts.list().unwrap().iter().all(|a| a.status == AccountStatus::Ready),
        "nothing was lost"
    );
    rig.accounts.api(None, &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap();
}

#[tokio::test]
async fn expiry_and_the_two_week_limit() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    rig.clock.advance(Duration::from_secs(56 * 60));
    assert_eq!(rig.accounts.account(None).unwrap().status, AccountStatus::Expiring);
    let due = rig.accounts.refresh_due(300, 4).await;
    assert_eq!(due.len(), 1);
    assert!(due[0].1.is_ok());
    assert_eq!(rig.accounts.account(None).unwrap().status, AccountStatus::Ready);
    rig.clock.advance(Duration::from_secs(12 * 24 * 3600 + 3600));
    assert!(rig.accounts.account(None).unwrap().session_ending_soon);
    rig.clock.advance(Duration::from_secs(2 * 24 * 3600));
    let a = rig.accounts.account(None).unwrap();
    assert_eq!((a.status, a.status_reason), (AccountStatus::NeedsSignIn, Some(SignInReason::SessionLimit)));
}

#[tokio::test]
async fn expired_unknown_and_replayed_callbacks_change_nothing() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    let started = support::start(&rig, "alice.test").await;
    let callback = fake.approve(&started.authorization_url);
    let err =
        rig.accounts.complete_login(&callback.replace(&started.state, "unknown-state")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnknownLogin);
    rig.accounts.complete_login(&callback).await.unwrap();
    let err = rig.accounts.complete_login(&callback).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnknownLogin, "replay");
    assert_eq!(fake.token_requests("authorization_code"), 1, "the replay never reached the server");

    let started = support::start(&rig, "bob.test").await;
    let callback = fake.approve(&started.authorization_url);
    rig.clock.advance(Duration::from_secs(11 * 60));
    let err = rig.accounts.complete_login(&callback).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::LoginExpired);
    assert_eq!(rig.accounts.list().unwrap().len(), 1, "no account changed");
    assert!(rig.keychain.names().iter().all(|n| !n.contains(":pending:")), "pending secrets are gone");
}

#[tokio::test]
async fn cancelled_and_denied_logins() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    let mut events = rig.accounts.subscribe();
    let started = support::start(&rig, "alice.test").await;
    let callback = fake.approve(&started.authorization_url);
    let denied = format!(
        "{}?state={}&iss={}&error=access_denied&error_description=%3Cimg+src%3Dx%3E",
        callback.split('?').next().unwrap(),
        started.state,
        url_encode(&fake.url())
    );
    let err = rig.accounts.complete_login(&denied).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
    let event = events.recv().await.unwrap();
    assert!(
        matches!(event, AccountEvent::LoginFinished { error_code: Some(ErrorCode::Cancelled), .. }),
        "{event:?}"
    );
    assert!(rig.accounts.list().unwrap().is_empty());

    let started = support::start(&rig, "alice.test").await;
    rig.accounts.cancel_login(&started.state).unwrap();
    let err = rig.accounts.wait_for_login(&started.state, Duration::from_secs(1)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Fifty refreshes of one account at once, in one process, against the real PDS: exactly
/// one token request, and every caller ends with a working session.
#[tokio::test]
async fn fifty_concurrent_refreshes_make_one_token_request() {
    use skyport_tests::localnet::{Network, unique_suffix};
    let net = Network::shared();
    let who = net.create_unique_account("conc").await.unwrap();
    let host = net.client_host().unwrap();
    let path = format!("/acct-{}.json", unique_suffix());
    let client_id = format!("{}{path}", host.origin);
    let config_doc =
        skyport_oauth::ClientConfig::discoverable(&client_id, skyport_accounts::DECLARED_SCOPE, true)
            .unwrap()
            .metadata_document(&Default::default())
            .unwrap();
    net.publish_client_metadata(&path, &config_doc).await.unwrap();
    let rig = rig_for(|home| config(home, net.plc_url(), net.handle_resolver(), Some(client_id.clone())));
    let started = rig
        .accounts
        .start_login(&LoginRequest { identifier: who.handle.clone(), scope: None, loopback_port: None })
        .await
        .unwrap();
    let callback = skyport_tests::approve::approve(&started.authorization_url, &who.handle, &who.password)
        .await
        .unwrap();
    rig.accounts.complete_login(&callback).await.unwrap();
    rig.http.reset();

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let accounts = rig.accounts.clone();
            tokio::spawn(async move { accounts.refresh(None).await })
        })
        .collect();
    let mut expiries = Vec::new();
    for t in tasks {
        let a = t.await.unwrap().unwrap();
        expiries.push(a.expires_at);
    }
    assert_eq!(rig.http.count("/oauth/token"), 1, "{:#?}", rig.http.log());
    expiries.dedup();
    assert_eq!(expiries.len(), 1, "every caller sees the same rotation");
    let me = rig.accounts.api(None, &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap();
    assert_eq!(me.body["did"], who.did.as_str());
    let _: Option<Error> = None;
}

/// A session item that exists but does not decode: the first use marks the account "needs
/// sign-in" with its own reason (not "keychain unavailable"), and sign-out still works: it
/// cannot revoke (and says so), and deletes the item and the row. `logout --all` too.
#[tokio::test]
async fn a_damaged_keychain_item_is_marked_and_can_be_signed_out() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake_login(&rig, &fake, "bob.test").await;
    let damage = |did: &str| {
        let name =
            rig.keychain.names().into_iter().find(|n| n.ends_with(&format!(":session:{did}"))).unwrap();
        skyport_keychain::SecretStore::put(rig.keychain.as_ref(), &name, b"{not a session").unwrap();
    };
    damage(ALICE);
    damage(BOB);
    // Another process holds no copy in memory, so it reads the damaged item.
    let other = rig.another_process();
    let err = other.api(Some(ALICE), &XrpcRequest::query("com.atproto.server.getSession")).await.unwrap_err();
    assert!(matches!(err, Error::NeedsSignIn { reason: SignInReason::KeyUnreadable, .. }), "{err}");
    let a = other.account(Some(ALICE)).unwrap();
    assert_eq!((a.status, a.status_reason), (AccountStatus::NeedsSignIn, Some(SignInReason::KeyUnreadable)));
    assert_eq!(other.keychain_state(), KeychainState::Available, "the keychain itself is fine");

    let out = other.sign_out(Some(ALICE)).await.unwrap();
    assert!(!out.revoked);
    assert!(out.revoke_error.as_deref().unwrap().contains("damaged"), "{:?}", out.revoke_error);
    let out = other.sign_out_all().await.unwrap();
    assert_eq!(out.iter().map(|r| r.did.as_str()).collect::<Vec<_>>(), [BOB]);
    assert!(other.list().unwrap().is_empty(), "both rows are gone");
    assert!(rig.keychain.names().iter().all(|n| !n.contains(":session:")), "{:?}", rig.keychain.names());
    assert_eq!(fake.server().count("/oauth/revoke"), 0, "nothing could be revoked");

    // A locked keychain still refuses sign-out and deletes nothing.
    fake_login(&rig, &fake, "alice.test").await;
    rig.keychain.set_failure(Some(KeychainError::Locked));
    assert_eq!(rig.accounts.sign_out(Some(ALICE)).await.unwrap_err().code(), ErrorCode::KeychainLocked);
    rig.keychain.set_failure(None);
    assert_eq!(rig.accounts.list().unwrap().len(), 1);
}

/// A resource call gets `invalid_token` after another process has already refreshed: the
/// refresh that follows names the generation the failed call used, sees the other process's
/// rotation and uses it: one token request in all, not two.
#[tokio::test]
async fn invalid_token_after_another_process_refreshed_uses_that_refresh() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    let other = rig.another_process();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = calls.clone();
    fake.intercept("/xrpc/com.atproto.server.getSession", move |_| {
        // The first call is answered late, with invalid_token, after the other process's
        // refresh; later calls go to the fake.
        (seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0).then(|| {
            MockResponse::json(401, &serde_json::json!({"error": "invalid_token", "message": "expired"}))
                .header("www-authenticate", r#"DPoP error="invalid_token""#)
                .delayed(Duration::from_millis(600))
        })
    });
    let get_session = XrpcRequest::query("com.atproto.server.getSession");
    let (call, refreshed) = tokio::join!(rig.accounts.api(None, &get_session), async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        other.refresh(Some(ALICE)).await
    });
    refreshed.unwrap();
    assert_eq!(call.unwrap().body["did"], ALICE, "the retry used the other process's tokens");
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(fake.token_requests("refresh_token"), 1, "no second rotation");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

/// The pages the details screen opens come from the core, built from stored data.
#[tokio::test]
async fn links_to_the_profile_pds_and_did_document() {
    use skyport_accounts::LinkKind;
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    let link = |kind| rig.accounts.link(ALICE, kind).unwrap().to_string();
    assert_eq!(link(LinkKind::Profile), format!("https://bsky.app/profile/{ALICE}"));
    assert_eq!(link(LinkKind::DidDocument), format!("{}/{ALICE}", fake.url()));
    assert_eq!(link(LinkKind::Pds).trim_end_matches('/'), fake.url());
    assert_eq!(rig.accounts.link(BOB, LinkKind::Pds).unwrap_err().code(), ErrorCode::UnknownAccount);
}

/// A keychain call that hangs for one account (an unlock prompt, a stuck D-Bus call) does not
/// hold up the others: storage work runs off the async threads, so in a runtime with a single
/// thread bob's refresh finishes while alice's keychain read is still blocked.
#[tokio::test]
async fn a_slow_keychain_call_does_not_stall_the_other_refreshes() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake_login(&rig, &fake, "bob.test").await;
    rig.accounts.switch("alice.test").unwrap();
    // Both tokens expire within the minute; alice comes first in the list.
    let expires_at = rig.accounts.account(Some(ALICE)).unwrap().expires_at;
    rig.clock.advance(Duration::from_secs((expires_at - support::now() - 60).max(0) as u64));
    let mut events = rig.accounts.subscribe();
    rig.keychain.set_slow(Some((ALICE, Duration::from_millis(1500))));
    let results = rig.accounts.refresh_due(skyport_accounts::EXPIRING_SECS, 4).await;
    rig.keychain.set_slow(None);
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
    let mut finished = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let AccountEvent::RefreshFinished { did, .. } = event {
            finished.push(did);
        }
    }
    assert_eq!(finished, [BOB, ALICE], "bob finished while alice's keychain read was blocked");
    assert_eq!(fake.token_requests("refresh_token"), 2);
}

/// The app learns within a second what another process (the CLI) changed in the store, and
/// hears nothing while nothing changes.
#[tokio::test]
async fn changes_by_another_process_are_noticed_within_a_second() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake_login(&rig, &fake, "bob.test").await;
    let mut events = rig.accounts.subscribe();
    let watch = rig.accounts.watch_store(std::time::Duration::from_millis(200));
    // Idle: no event (and this process's own writes are announced by the writes themselves).
    let idle = tokio::time::timeout(std::time::Duration::from_millis(900), events.recv()).await;
    assert!(idle.is_err(), "no event while nothing changes: {idle:?}");
    let other = rig.another_process();
    let alice =
        rig.accounts.list().unwrap().into_iter().find(|a| a.handle.as_deref() == Some("alice.test")).unwrap();
    let started = std::time::Instant::now();
    other.switch(&alice.did).unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(1), events.recv()).await;
    assert_eq!(
        event.expect("noticed within a second").unwrap(),
        skyport_accounts::AccountEvent::AccountsChanged
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert!(rig.accounts.account(None).unwrap().did == alice.did, "and the store says so");
    watch.abort();
}

/// Notifications: two days before the two-week end, and when sign-in is needed; each once
/// per account, event and session.
#[tokio::test]
async fn notices_come_once_per_account_event_and_session() {
    use skyport_accounts::NoticeKind;
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    assert!(rig.accounts.take_due_notices().unwrap().is_empty(), "nothing due after a sign-in");
    let two_weeks = skyport_oauth::PUBLIC_CLIENT_SESSION_SECS as u64;
    rig.clock.advance(std::time::Duration::from_secs(two_weeks - 36 * 3600));
    let due = rig.accounts.take_due_notices().unwrap();
    assert_eq!(due.iter().map(|n| n.kind).collect::<Vec<_>>(), [NoticeKind::SessionEnding], "{due:?}");
    assert!(due[0].title.contains("@alice.test") && due[0].body.contains("in 2 days"), "{due:?}");
    assert!(rig.accounts.take_due_notices().unwrap().is_empty(), "once");
    // Restarting (another account manager on the same store) does not repeat it.
    assert!(rig.another_process().take_due_notices().unwrap().is_empty());
    rig.clock.advance(std::time::Duration::from_secs(37 * 3600));
    let due = rig.accounts.take_due_notices().unwrap();
    assert_eq!(due.iter().map(|n| n.kind).collect::<Vec<_>>(), [NoticeKind::NeedsSignIn], "{due:?}");
    assert!(rig.accounts.take_due_notices().unwrap().is_empty(), "once");
    // A new sign-in is a new session: the notices are armed again (none due now).
    fake_login(&rig, &fake, "alice.test").await;
    assert!(rig.accounts.take_due_notices().unwrap().is_empty());
    rig.clock.advance(std::time::Duration::from_secs(two_weeks - 36 * 3600));
    assert_eq!(rig.accounts.take_due_notices().unwrap().len(), 1);
}

/// What the user is told when a handle cannot be resolved: "does not exist" only when the
/// resolver said so; "could not reach" when it could not be asked, in words for a person.
#[tokio::test]
async fn a_handle_that_does_not_exist_is_not_an_unreachable_server() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    let missing = rig.accounts.preview("nobody.test").await.unwrap_err();
    assert_eq!(missing.code(), skyport_accounts::ErrorCode::NotFound, "{missing}");
    // The resolver's port is closed: the server cannot be reached, which is not "not found".
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let unreachable = rig_for(|home| config(home, &fake.url(), &format!("http://127.0.0.1:{closed}"), None));
    let e = unreachable.accounts.preview("alice.test").await.unwrap_err();
    assert_eq!(e.code(), skyport_accounts::ErrorCode::Network, "{e}");
    assert!(e.is_network());
    let text = e.to_string();
    assert!(text.contains("refused the connection") && !text.contains("os error"), "for a person: {text}");
}

/// Reordering: every account once, or nothing changes.
#[tokio::test]
async fn accounts_can_be_reordered_and_a_bad_order_changes_nothing() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    fake_login(&rig, &fake, "alice.test").await;
    fake_login(&rig, &fake, "bob.test").await;
    let handles = |list: Vec<skyport_accounts::AccountSummary>| {
        list.into_iter().map(|a| a.handle.unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(handles(rig.accounts.list().unwrap()), ["alice.test", "bob.test"]);
    let moved = rig.accounts.reorder(&["@bob.test".into(), "alice.test".into()]).unwrap();
    assert_eq!(handles(moved), ["bob.test", "alice.test"]);
    assert_eq!(handles(rig.another_process().list().unwrap()), ["bob.test", "alice.test"], "stored");
    for bad in [
        vec!["bob.test".to_owned()],
        vec!["bob.test".into(), "bob.test".into()],
        vec!["bob.test".into(), "carol.test".into()],
    ] {
        assert!(rig.accounts.reorder(&bad).is_err(), "{bad:?}");
    }
    assert_eq!(handles(rig.accounts.list().unwrap()), ["bob.test", "alice.test"], "unchanged");
}

/// A login one process starts is listed by every process (the app shows a sign-in the CLI
/// is waiting for), with what was typed and the server, until it completes, is cancelled
/// or expires.
#[tokio::test]
async fn pending_logins_are_seen_by_other_processes_until_they_end() {
    let fake = FakeAtproto::start().await;
    let rig = fake_rig(&fake);
    assert!(rig.accounts.pending_logins().unwrap().is_empty());
    let started = support::start(&rig, "alice.test").await;
    let other = rig.another_process();
    let seen = other.pending_logins().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].state, started.state);
    assert_eq!(seen[0].login_hint.as_deref(), Some("alice.test"));
    assert_eq!(seen[0].server, started.server);
    assert_eq!(seen[0].expires_at, started.expires_at);
    assert!(seen[0].started_at <= seen[0].expires_at);

    other.cancel_login(&started.state).unwrap();
    assert!(rig.accounts.pending_logins().unwrap().is_empty(), "cancelled elsewhere: gone here");

    support::start(&rig, "alice.test").await;
    rig.clock.advance(Duration::from_secs(skyport_oauth::LOGIN_TTL_SECS as u64 + 1));
    assert!(rig.accounts.pending_logins().unwrap().is_empty(), "an expired login is not waiting");
}
