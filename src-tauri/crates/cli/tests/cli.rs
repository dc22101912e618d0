//! The `skyport` command line end to end: the real binary, the real PLC + PDS on loopback,
//! and the real Secret Service (run through `.ci/with-keyring`).

mod support;

use std::time::Duration;

use serde_json::Value;
use skyport_oauth::{ClientConfig, DpopKey, NetworkProfile, OAuthClient, RefreshToken, SessionInfo};
use skyport_tests::approve;
use skyport_tests::keyring::{LockedCollection, require_secret_service};
use skyport_tests::localnet::{Network, unique_suffix};
use support::{Home, entry, last_json};

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn two_accounts_switch_refresh_scopes_logout_and_restart() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let home = Home::new(net);
    let alice = net.create_unique_account("alice").await.unwrap();
    let bob = net.create_unique_account("bob").await.unwrap();

    let a = home.login(&alice).await;
    assert_eq!(a["account"]["did"], alice.did.as_str());
    assert_eq!(a["account"]["active"], true);
    assert_eq!(a["updated"], false);
    let b = home.login(&bob).await;
    assert_eq!(b["account"]["did"], bob.did.as_str());

    let status = home.status().await;
    assert_eq!(status["keychain"], "available");
    assert_eq!(entry(&status, &bob.did)["active"], true, "the new account becomes active");
    assert_eq!(entry(&status, &alice.did)["active"], false);
    assert_eq!(entry(&status, &alice.did)["status"], "ready");
    assert!(entry(&status, &alice.did)["granted_scope"].as_str().unwrap().contains("atproto"));

    let switched = home.json(&["switch", &format!("@{}", alice.handle)]).await;
    assert_eq!(switched["active"], true);
    let status = home.status().await;
    assert_eq!(entry(&status, &alice.did)["active"], true);
    assert_eq!(entry(&status, &bob.did)["active"], false);

    let me = home.json(&["api", "com.atproto.server.getSession"]).await;
    assert_eq!(me["did"], alice.did.as_str(), "api calls go to the active account");
    let me = home.json(&["api", "com.atproto.server.getSession", "--account", &bob.handle]).await;
    assert_eq!(me["did"], bob.did.as_str());

    let (old_access, _, _) = home.keychain_secrets(&alice.did).unwrap();
    let refreshed = home.json(&["refresh", &alice.did]).await;
    assert_eq!(refreshed["status"], "ready");
    assert_eq!(refreshed["last_refresh_result"], "ok");
    let (new_access, _, _) = home.keychain_secrets(&alice.did).unwrap();
    assert_ne!(old_access, new_access, "the rotated tokens are stored");

    let scopes = home.json(&["scopes", &alice.handle]).await;
    assert!(scopes["granted"].as_array().unwrap().iter().any(|s| s == "atproto"));
    assert!(!scopes["groups"].as_array().unwrap().is_empty());
    // In words, with the exact command for each addition; the chat permission set is read
    // from its publisher on the local network and named by its title.
    let text = home.run(&["scopes", &alice.handle]).await;
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Can be added:"), "{text}");
    assert!(
        text.contains(&format!(
            "skyport login @{} --scope \"atproto transition:generic transition:email\"",
            alice.handle
        )),
        "{text}"
    );
    assert!(text.contains("+ Bluesky direct messages (local stand-in) — "), "{text}");

    // Sign bob out; his refresh token then fails at the server.
    let (_, bob_refresh, bob_key) = home.keychain_secrets(&bob.did).unwrap();
    let out = home.json(&["logout", &bob.handle]).await;
    assert_eq!(out["signed_out"][0]["revoked"], true);
    assert!(home.keychain_secrets(&bob.did).is_none(), "the keychain item is gone");
    let status = home.status().await;
    assert!(entry(&status, &bob.did).is_null(), "the rows are gone");
    let err = refresh_directly(net, &home, &bob.did, &bob_refresh, &bob_key).await;
    assert!(err.is_invalid_grant(), "a revoked refresh token fails at the server: {err}");

    // A cold restart (new processes) keeps alice.
    let status = home.status().await;
    assert_eq!(entry(&status, &alice.did)["status"], "ready");
    let me = home.json(&["api", "com.atproto.server.getSession"]).await;
    assert_eq!(me["handle"], alice.handle.as_str());

    // The profile record is read at sign-in: write one, sign in again, see the name.
    let record = serde_json::json!({
        "repo": alice.did, "collection": "app.bsky.actor.profile", "rkey": "self",
        "record": {"$type": "app.bsky.actor.profile", "displayName": "Alice Test"},
    });
    let put = home.json(&["api", "com.atproto.repo.putRecord", "--input", &record.to_string()]).await;
    assert!(put["uri"].as_str().unwrap().starts_with("at://"), "{put}");
    let again = home.login(&alice).await;
    assert_eq!(again["updated"], true, "a known account is updated in place");
    assert_eq!(again["account"]["display_name"], "Alice Test");

    // Nothing secret reached the database, its WAL, the logs, or anything the CLI printed.
    let mut secrets = home.all_secrets(&alice.did);
    secrets.extend([bob_refresh, bob_key, old_access]);
    skyport_tests::secrets::assert_absent_in_dir(home.path(), &secrets);
    skyport_tests::secrets::assert_absent("the CLI's output", &home.printed(), &secrets);
}

#[tokio::test]
async fn client_metadata_print_and_check() {
    let net = Network::shared();
    let mut home = Home::new(net);
    // The loopback client has no document to host.
    assert_eq!(home.error(&["client-metadata", "print"]).await, "config");
    home.set_env("SKYPORT_CLIENT_ID", "https://app.skyport.dev/oauth-client-metadata.json");
    home.set_env("SKYPORT_DEV", "0");
    let doc = home.json(&["client-metadata", "print"]).await;
    assert_eq!(doc["redirect_uris"][0], "dev.skyport.app:/callback");
    assert_eq!(doc["application_type"], "native");
    let file = home.path().join("doc.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let ok = home.json(&["client-metadata", "check", file.to_str().unwrap()]).await;
    assert_eq!(ok["ok"], true);

    let mut bad = doc.clone();
    bad["redirect_uris"] = serde_json::json!(["com.example.app://callback"]);
    bad["dpop_bound_access_tokens"] = serde_json::json!(false);
    std::fs::write(&file, bad.to_string()).unwrap();
    let out = home.run(&["client-metadata", "check", file.to_str().unwrap(), "--json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let problems = last_json(&out.stdout)["error"]["problems"].clone();
    let text = problems.to_string();
    assert!(
        text.contains("dpop_bound_access_tokens") && text.contains("reversed"),
        "every rule broken is named: {text}"
    );

    // A URL is fetched as an authorization server would (no redirects, 200, JSON) and then
    // checked: here a plain-http server in the development profile, so the https rule fails.
    let served = doc.clone();
    let server = skyport_tests::mock::MockServer::start(move |req| match req.path() {
        "/doc.json" => skyport_tests::mock::MockResponse::json(200, &served),
        _ => skyport_tests::mock::MockResponse::status(302).header("location", "/doc.json"),
    })
    .await;
    home.set_env("SKYPORT_DEV", "1");
    let out = home.run(&["client-metadata", "check", &format!("{}/doc.json", server.url()), "--json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let text = last_json(&out.stdout)["error"]["problems"].to_string();
    assert!(text.contains("must use https") && text.contains("is not the URL it is served at"), "{text}");
    let out =
        home.run(&["client-metadata", "check", &format!("{}/moved.json", server.url()), "--json"]).await;
    assert_eq!(last_json(&out.stdout)["error"]["code"], "invalid_response", "a redirect is refused");
}

/// `client-metadata check FILE` needs no network. A file does not know where it will be
/// served: with `--url` every rule is checked against that URL; without it, the rule
/// "client_id is the URL it is served at" (atproto OAuth spec, "Client ID Metadata Document") is reported as not checked
/// instead of passing trivially.
#[tokio::test]
async fn client_metadata_check_of_a_file_says_what_it_could_not_check() {
    const ID: &str = "https://app.skyport.dev/oauth-client-metadata.json";
    const NOTE: &str = "client_id equals the URL it is served at: no --url given";
    let home = Home::offline();
    let doc = ClientConfig::discoverable(ID, "atproto transition:generic", false)
        .unwrap()
        .metadata_document(&Default::default())
        .unwrap();
    let file = home.path().join("doc.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let path = file.to_str().unwrap();

    let ok = home.json(&["client-metadata", "check", path]).await;
    assert_eq!((&ok["ok"], &ok["client_id"]), (&Value::Bool(true), &Value::from(ID)));
    assert_eq!(ok["unchecked"], serde_json::json!([NOTE]), "{ok}");
    let out = home.run(&["client-metadata", "check", path]).await;
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("every rule that could be checked") && text.contains(&format!("not checked: {NOTE}")),
        "{text}"
    );

    let ok = home.json(&["client-metadata", "check", path, "--url", ID]).await;
    assert_eq!((&ok["ok"], &ok["unchecked"]), (&Value::Bool(true), &serde_json::json!([])), "{ok}");

    // Served somewhere else: rule 4 fails, and so does the redirect scheme derived from it.
    let elsewhere = "https://elsewhere.example.com/client.json";
    let out = home.run(&["client-metadata", "check", path, "--url", elsewhere, "--json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let error = last_json(&out.stdout)["error"].clone();
    let problems = error["problems"].to_string();
    assert!(
        problems.contains("is not the URL it is served at") && problems.contains("reversed"),
        "{problems}"
    );
    assert_eq!(error["unchecked"], serde_json::json!([]));

    // A broken file without --url: its problems, and the rule that was not checked.
    let mut bad = doc.clone();
    bad["dpop_bound_access_tokens"] = serde_json::json!(false);
    std::fs::write(&file, bad.to_string()).unwrap();
    let out = home.run(&["client-metadata", "check", path, "--json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let error = last_json(&out.stdout)["error"].clone();
    assert!(error["problems"].to_string().contains("dpop_bound_access_tokens"), "{error}");
    assert_eq!(error["unchecked"], serde_json::json!([NOTE]));
    let out = home.run(&["client-metadata", "check", path]).await;
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("not checked: {NOTE}")));

    // --url belongs to files: a fetched document is checked against where it was fetched.
    let code = home.error(&["client-metadata", "check", "https://app.skyport.dev/c.json", "--url", ID]).await;
    assert_eq!(code, "invalid_input");
}

/// Refreshes with a token and key taken from the keychain, outside Skyport.
async fn refresh_directly(
    net: &Network,
    home: &Home,
    did: &str,
    refresh: &str,
    key_b64: &str,
) -> skyport_oauth::Error {
    use base64::Engine as _;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(key_b64).unwrap();
    let key = DpopKey::from_secret_bytes(&key).unwrap();
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    let _ = conn;
    let profile = NetworkProfile::development().with_plc_directory(net.plc_url()).unwrap();
    let config = ClientConfig::loopback(skyport_accounts::DECLARED_SCOPE).unwrap();
    let client = OAuthClient::builder(config.clone(), profile).build().unwrap();
    let info = SessionInfo {
        did: skyport_oauth::Did::parse(did).unwrap(),
        handle: None,
        pds: url::Url::parse(net.pds_url()).unwrap(),
        issuer: skyport_oauth::Issuer::parse(net.issuer()).unwrap(),
        token_endpoint: url::Url::parse(&format!("{}/oauth/token", net.issuer())).unwrap(),
        revocation_endpoint: None,
        client_id: config.client_id().clone(),
        requested_scope: skyport_oauth::ScopeText::parse("atproto").unwrap(),
        granted_scope: skyport_oauth::ScopeText::parse("atproto").unwrap(),
        expires_at: 0,
        created_at: 0,
        dpop_thumbprint: key.thumbprint(),
    };
    client.refresh(&info, &key, &RefreshToken::new(refresh)).await.unwrap_err()
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn login_completed_by_a_second_process() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let who = net.create_unique_account("carol").await.unwrap();
    let host = net.client_host().unwrap();
    let path = format!("/cli-{}.json", unique_suffix());
    let client_id = format!("{}{path}", host.origin);
    let config = ClientConfig::discoverable(&client_id, skyport_accounts::DECLARED_SCOPE, true).unwrap();
    net.publish_client_metadata(&path, &config.metadata_document(&Default::default()).unwrap())
        .await
        .unwrap();
    let home = Home::with_client_id(net, &client_id);

    let printed = home.json(&["client-metadata", "print"]).await;
    assert_eq!(printed["client_id"], client_id.as_str());
    assert_eq!(printed["redirect_uris"][0], "dev.skyport-test.app:/callback");

    let (mut waiting, mut lines, url) = home.start_login(&who.handle, &["--timeout", "60"]).await;
    // The PKCE verifier and DPoP key of the waiting login are only in the keychain.
    let mut secrets = skyport_tests::secrets::pending(&home.db());
    assert_eq!(secrets.len(), 3, "one pending login: verifier, key, raw key");
    let callback = approve::approve(&url, &who.handle, &who.password).await.unwrap();
    secrets.extend(skyport_tests::secrets::callback_code(&callback));
    assert!(callback.starts_with("dev.skyport-test.app:/callback?"));

    // The OS hands the deep link to another process.
    let completed = home.json(&["complete", &callback]).await;
    assert_eq!(completed["account"]["did"], who.did.as_str());
    // The first process learns the outcome and exits successfully.
    let done_line = lines.next_line().await.unwrap().unwrap();
    let done: Value = serde_json::from_str(&done_line).unwrap();
    assert_eq!(done["account"]["did"], who.did.as_str());
    assert!(waiting.wait().await.unwrap().success());

    // No secret in any JSON output, the database, its WAL or the logs.
    secrets.extend(home.all_secrets(&who.did));
    let refreshed = home.json(&["refresh"]).await;
    secrets.extend(home.all_secrets(&who.did));
    let outputs = [completed.to_string(), done_line, refreshed.to_string(), home.status().await.to_string()];
    for out in &outputs {
        skyport_tests::secrets::assert_absent("a --json output", out.as_bytes(), &secrets);
    }
    skyport_tests::secrets::assert_absent_in_dir(home.path(), &secrets);

    // Replaying the deep link changes nothing.
    assert_eq!(home.error(&["complete", &callback]).await, "unknown_login");
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn two_processes_refreshing_together_make_one_rotation() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let home = Home::new(net);
    let who = net.create_unique_account("dave").await.unwrap();
    home.login(&who).await;
    let generation = || {
        let conn = rusqlite::Connection::open(home.db()).unwrap();
        conn.query_row("SELECT session_generation FROM accounts", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    for round in 0..3 {
        let before = generation();
        let (a, b) = tokio::join!(home.run(&["refresh", "--json"]), home.run(&["refresh", "--json"]));
        assert!(a.status.success() && b.status.success(), "round {round}: {a:?} {b:?}");
        assert_eq!(generation(), before + 1, "round {round}: exactly one rotation for two processes");
        let me = home.json(&["api", "com.atproto.server.getSession"]).await;
        assert_eq!(me["did"], who.did.as_str());
    }
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn sigkill_during_refresh_never_loses_a_session_silently() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let home = Home::new(net);
    let who = net.create_unique_account("erin").await.unwrap();
    home.login(&who).await;
    let mut needs_sign_in = 0;
    for i in 0..12u64 {
        let mut child =
            home.command(&["refresh", "--json"]).stdout(std::process::Stdio::null()).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(5 + (i * 17) % 90)).await;
        let _ = child.start_kill();
        let _ = child.wait().await;
        let status = home.status().await;
        let account = entry(&status, &who.did);
        match account["status"].as_str().unwrap() {
            "needs_sign_in" => {
                assert_eq!(account["status_reason"], "refresh_interrupted", "explicitly marked: {account}");
                needs_sign_in += 1;
                home.login(&who).await;
            }
            _ => {
                // Either the kill came too early or too late, or the next refresh recovers.
                let out = home.run(&["api", "com.atproto.server.getSession", "--json"]).await;
                if !out.status.success() {
                    let status = home.status().await;
                    assert_eq!(entry(&status, &who.did)["status"], "needs_sign_in", "never silently broken");
                    assert_eq!(entry(&status, &who.did)["status_reason"], "refresh_interrupted");
                    needs_sign_in += 1;
                    home.login(&who).await;
                }
            }
        }
        let conn = rusqlite::Connection::open(home.db()).unwrap();
        let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    }
    eprintln!("sigkill: {needs_sign_in} of 12 kills ended in an explicit needs_sign_in");
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn keychain_locked_and_unavailable_delete_nothing() {
    require_secret_service();
    let _keyring = support::keyring_exclusive().await;
    let net = Network::shared();
    let mut home = Home::new(net);
    let who = net.create_unique_account("frank").await.unwrap();
    home.login(&who).await;
    {
        let _locked = LockedCollection::lock();
        let status = home.status().await;
        assert_eq!(status["keychain"], "locked");
        assert_eq!(entry(&status, &who.did)["status"], "keychain_locked");
        assert_eq!(home.error(&["refresh"]).await, "keychain_locked");
        assert_eq!(home.error(&["api", "com.atproto.server.getSession"]).await, "keychain_locked");
        assert_eq!(home.error(&["logout"]).await, "keychain_locked");
        // Switching needs no keychain.
        home.json(&["switch", &who.did]).await;
    }
    let status = home.status().await;
    assert_eq!(entry(&status, &who.did)["status"], "ready", "nothing was deleted while locked");
    assert!(home.keychain_secrets(&who.did).is_some());

    home.set_env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/skyport-test-bus");
    let status = home.status().await;
    assert_eq!(status["keychain"], "unavailable");
    assert_eq!(entry(&status, &who.did)["status"], "keychain_locked");
    assert_eq!(home.error(&["refresh"]).await, "keychain_unavailable");
    home.env_remove("DBUS_SESSION_BUS_ADDRESS");
    let me = home.json(&["api", "com.atproto.server.getSession"]).await;
    assert_eq!(me["did"], who.did.as_str(), "the session survived");
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let home = Home::new(net);
    let who = net.create_unique_account("gina").await.unwrap();
    home.login(&who).await;
    let before = home.status().await;

    assert_eq!(
        home.error(&["complete", "http://127.0.0.1:1/callback?state=nope&code=x&iss=y"]).await,
        "unknown_login"
    );
    assert_eq!(home.error(&["complete", "not a url"]).await, "invalid_callback");
    assert_eq!(home.error(&["complete", "http://127.0.0.1:1/callback?code=x"]).await, "invalid_callback");
    assert_eq!(home.error(&["login", "not a handle!", "--no-browser"]).await, "invalid_input");
    assert_eq!(home.error(&["switch", "nobody.test"]).await, "unknown_account");

    // A login whose time ran out.
    let (mut child, _lines, url) = home.start_login(&who.handle, &[]).await;
    let callback = approve::approve(&url, &who.handle, &who.password).await.unwrap();
    let _ = child.start_kill();
    let _ = child.wait().await;
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    conn.execute("UPDATE pending_logins SET expires_at = 0", []).unwrap();
    drop(conn);
    assert_eq!(home.error(&["complete", &callback]).await, "login_expired");
    assert_eq!(home.status().await["accounts"], before["accounts"], "no account changed");

    // A database from a newer Skyport is refused and left as it is.
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let bytes = std::fs::read(home.db()).unwrap();
    assert_eq!(home.error(&["status"]).await, "newer_database");
    assert_eq!(std::fs::read(home.db()).unwrap(), bytes);
    let _ = last_json;
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[tokio::test]
async fn for_scripts_pipes_exit_codes_exact_hints_and_raw_api_calls() {
    require_secret_service();
    let _keyring = support::keyring_shared().await;
    let net = Network::shared();
    let home = Home::new(net);
    // Nothing to sign out of says so.
    let out = home.run(&["logout", "--all"]).await;
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "No accounts to sign out of.");

    let alice = net.create_unique_account("scr").await.unwrap();
    let bob = net.create_unique_account("scrb").await.unwrap();
    home.login(&bob).await;
    home.login(&alice).await;

    // A closed pipe ends the command quietly (status 141, no panic), as `| head -1` does.
    let mut child = home
        .command(&["status"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(141), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "no panic message: {}", String::from_utf8_lossy(&out.stderr));

    // Raw API calls: a binary upload with its content type, a header, --method, --paginate.
    let png = home.path().join("dot.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\nnot really an image but bytes all the same").unwrap();
    let uploaded =
        home.json(&["api", "com.atproto.repo.uploadBlob", "--input", &format!("@{}", png.display())]).await;
    assert_eq!(uploaded["blob"]["mimeType"], "image/png", "{uploaded}");
    assert_eq!(uploaded["blob"]["size"], std::fs::metadata(&png).unwrap().len(), "the bytes as they are");
    for i in 0..3 {
        let record = format!(
            r#"{{"repo":"{}","collection":"app.bsky.feed.post","record":{{"text":"page {i}","createdAt":"2026-12-02T00:00:0{i}Z"}}}}"#,
            alice.did
        );
        home.json(&["api", "com.atproto.repo.createRecord", "--input", &record]).await;
    }
    let out = home
        .run(&[
            "api",
            "com.atproto.repo.listRecords",
            "-p",
            &format!("repo={}", alice.did),
            "-p",
            "collection=app.bsky.feed.post",
            "-p",
            "limit=1",
            "--paginate",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pages: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let texts: Vec<_> = pages
        .iter()
        .flat_map(|p| {
            p["records"].as_array().unwrap().iter().map(|r| r["value"]["text"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(texts, ["page 2", "page 1", "page 0"], "one record per page, every page");
    let appview = net.info().app_view.clone().unwrap();
    let proxied = home
        .json(&[
            "api",
            "app.bsky.actor.getProfile",
            "-X",
            "GET",
            "-p",
            &format!("actor={}", alice.did),
            "-H",
            &format!("atproto-proxy: {}#bsky_appview", appview.did),
        ])
        .await;
    assert_eq!(proxied["did"], alice.did.as_str(), "{proxied}");
    assert_eq!(home.error(&["api", "com.atproto.repo.createRecord", "-X", "PUT"]).await, "invalid_input");
    assert_eq!(
        home.error(&["api", "com.atproto.server.getSession", "-H", "authorization: Bearer x"]).await,
        "invalid_input"
    );
    assert_eq!(
        home.error(&[
            "api",
            "com.atproto.repo.getRecord",
            "-p",
            "repo=x",
            "-p",
            "collection=y",
            "-p",
            "rkey=z"
        ])
        .await,
        "api_error"
    );

    // An account that needs sign-in: status exits 1, switch refuses with the exact command.
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    conn.execute(
        "UPDATE accounts SET status = 'needs_sign_in', status_reason = 'invalid_grant' WHERE did = ?1",
        [&bob.did],
    )
    .unwrap();
    drop(conn);
    let status = home.status().await;
    assert_eq!(support::entry(&status, &bob.did)["status"], "needs_sign_in");
    let out = home.run(&["switch", &bob.did]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("skyport login @{}", bob.handle)) && err.contains("[needs_sign_in]"),
        "{err}"
    );
    assert_eq!(support::entry(&home.status().await, &alice.did)["active"], true, "not switched");
    let out = home.run(&["refresh", &bob.did]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("`skyport login @{}`", bob.handle)), "every hint names the command: {err}");
}
