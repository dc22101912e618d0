//! Granular scopes and permission sets against the real PDS of the local network: a session
//! signed in with one published permission set only, shown by its title; the PDS enforces
//! exactly that set; "Request more access" adds one granular permission; a set that is not
//! one is refused before anything is stored; and a set that cannot be read says why.

mod support;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use skyport_accounts::{ErrorCode, LoginRequest, XrpcRequest};
use skyport_oauth::identity::{DnsUnavailable, TxtLookup};
use skyport_tests::localnet::{Account, Network, unique_suffix};
use support::{Rig, config, rig_with_dns};

struct Setup {
    net: &'static Network,
    who: Account,
    client_id: String,
    posting: String,
    not_a_set: String,
}

impl Setup {
    /// A fresh account, and client metadata declaring the network's two sets and two
    /// granular permissions besides the transitional scopes.
    async fn new() -> Self {
        let net = Network::shared();
        let lexicons = net.info().lexicons.clone().expect("the network publishes permission sets");
        let app_view = net.info().app_view.clone().expect("the network has an AppView");
        let aud = format!("{}#bsky_appview", app_view.did);
        let posting = format!(
            "include:{}?aud={}",
            lexicons.sets["posting"],
            aud.replace('%', "%25").replace('#', "%23")
        );
        let not_a_set = format!("include:{}", lexicons.sets["notASet"]);
        let who = net.create_unique_account("sets").await.unwrap();
        let path = format!("/sets-{}.json", unique_suffix());
        let client_id = format!("{}{path}", net.client_host().unwrap().origin);
        let doc =
            skyport_oauth::ClientConfig::discoverable(&client_id, &declared(&posting, &not_a_set), true)
                .unwrap()
                .metadata_document(&Default::default())
                .unwrap();
        net.publish_client_metadata(&path, &doc).await.unwrap();
        Setup { net, who, client_id, posting, not_a_set }
    }

    fn rig(&self, authority: Option<String>, dns: Option<Arc<dyn TxtLookup>>) -> Rig {
        rig_with_dns(
            |home| {
                let mut c = config(
                    home,
                    self.net.plc_url(),
                    self.net.handle_resolver(),
                    Some(self.client_id.clone()),
                );
                c.declared_scope = declared(&self.posting, &self.not_a_set);
                c.lexicon_authority = authority;
                c
            },
            dns,
        )
    }

    fn authority(&self) -> String {
        self.net.info().lexicons.as_ref().unwrap().authority.clone()
    }

    async fn login(&self, rig: &Rig, scope: &str) -> Result<(), skyport_accounts::Error> {
        let started = rig
            .accounts
            .start_login(&LoginRequest {
                identifier: self.who.handle.clone(),
                scope: Some(scope.to_owned()),
                loopback_port: None,
            })
            .await?;
        let callback =
            skyport_tests::approve::approve(&started.authorization_url, &self.who.handle, &self.who.password)
                .await
                .unwrap();
        rig.accounts.complete_login(&callback).await.map(|_| ())
    }
}

fn declared(posting: &str, not_a_set: &str) -> String {
    format!(
        "atproto transition:generic transition:email {posting} {not_a_set} repo:app.bsky.feed.repost blob:image/*"
    )
}

async fn create(
    rig: &Rig,
    collection: &str,
    record: serde_json::Value,
) -> Result<(), skyport_accounts::Error> {
    let did = rig.accounts.account(None).unwrap().did;
    let body = serde_json::json!({"repo": did, "collection": collection, "record": record});
    rig.accounts.api(None, &XrpcRequest::procedure("com.atproto.repo.createRecord", body)).await.map(|_| ())
}

fn post() -> serde_json::Value {
    serde_json::json!({"$type": "app.bsky.feed.post", "text": "through a permission set", "createdAt": "2026-12-02T00:00:00Z"})
}

fn repost(did: &str) -> serde_json::Value {
    serde_json::json!({
        "$type": "app.bsky.feed.repost",
        "subject": {"uri": format!("at://{did}/app.bsky.feed.post/3kabcdefghij2"), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"},
        "createdAt": "2026-12-02T00:00:00Z"
    })
}

/// Signed in with one permission set: the token holds its expansion, the view names the
/// set by its published title (granted, nothing missing), the PDS allows a post and refuses
/// a repost, and "Request more access" offers what is left in words. Asking for the repost
/// permission adds it without losing the set.
#[tokio::test]
async fn a_session_with_one_permission_set_is_shown_by_title_and_can_be_given_one_more_permission() {
    let s = Setup::new().await;
    let rig = s.rig(Some(s.authority()), None);
    s.login(&rig, &format!("atproto {}", s.posting)).await.unwrap();

    let row = rig.accounts.account(None).unwrap();
    assert!(!row.granted_scope.contains("include:"), "the PDS grants the expansion: {}", row.granted_scope);
    assert!(row.granted_scope.contains("app.bsky.feed.like"), "{}", row.granted_scope);
    assert!(row.granted_scope.contains("rpc:app.bsky.actor.getProfile?aud="), "{}", row.granted_scope);

    // Before any read, the stored view cannot say whether the set was granted.
    let offline_view = rig.accounts.scopes(None).unwrap();
    assert_eq!(offline_view.unchecked, std::slice::from_ref(&s.posting));

    rig.http.reset();
    let v = rig.accounts.scopes_checked(None).await.unwrap();
    assert_eq!(rig.http.count("/xrpc/com.atproto.repo.getRecord"), 2, "both declared sets are read once");
    let sets = v.groups.iter().find(|g| g.title == "Permission sets").expect("a Permission sets group");
    assert_eq!(sets.items.len(), 1);
    assert_eq!(sets.items[0].title, "Write and like posts");
    assert_eq!(sets.items[0].raw, s.posting);
    assert!(
        sets.items[0].detail.starts_with("Create and delete your posts and likes."),
        "{}",
        sets.items[0].detail
    );
    assert!(v.missing.is_empty() && v.unchecked.is_empty(), "{v:#?}");
    let expansion: Vec<&String> = v.granted.iter().filter(|g| *g != "atproto").collect();
    assert_eq!(v.from_sets.iter().collect::<Vec<_>>(), expansion, "the expansion is not 'extra'");
    let offered: Vec<(&str, &str)> =
        v.available_items.iter().map(|i| (i.raw.as_str(), i.title.as_str())).collect();
    assert_eq!(
        offered,
        [
            ("transition:generic", "Broad access to your account"),
            ("transition:email", "Your email address"),
            (s.not_a_set.as_str(), format!("Permission set {}", &s.not_a_set["include:".len()..]).as_str()),
            ("repo:app.bsky.feed.repost", "Create, update, delete records of type app.bsky.feed.repost"),
            ("blob:image/*", "Upload media"),
        ]
    );
    let bad = &v.available_items[2];
    assert!(
        bad.detail.contains("it is published, but as a query, not as a permission set"),
        "{}",
        bad.detail
    );

    // Stored: a second look asks nobody, and the sync view has the title too.
    rig.http.reset();
    rig.accounts.scopes_checked(None).await.unwrap();
    assert_eq!(
        rig.http.count("/xrpc/com.atproto.repo.getRecord"),
        1,
        "only the unreadable one is asked again"
    );
    let stored = rig.accounts.scopes(None).unwrap();
    assert!(stored.unchecked.is_empty() && stored.missing.is_empty());
    assert!(stored.groups.iter().any(|g| g.items.iter().any(|i| i.title == "Write and like posts")));

    // The PDS enforces the set: a post is allowed, a repost is not, and the session lives on.
    create(&rig, "app.bsky.feed.post", post()).await.unwrap();
    let refused = create(&rig, "app.bsky.feed.repost", repost(&row.did)).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::ApiError, "{refused}");
    create(&rig, "app.bsky.feed.post", post()).await.expect("the refusal did not end the session");

    // Request more access: what was granted of the request, plus the one new permission.
    let more = format!("atproto {} repo:app.bsky.feed.repost", s.posting);
    s.login(&rig, &more).await.unwrap();
    let v = rig.accounts.scopes_checked(None).await.unwrap();
    assert!(v.missing.is_empty(), "{v:#?}");
    assert!(!v.available.contains(&"repo:app.bsky.feed.repost".to_owned()), "granted now: not offered again");
    assert!(
        v.groups.iter().any(|g| g.items.iter().any(|i| i.title == "Write and like posts")),
        "the set is kept"
    );
    create(&rig, "app.bsky.feed.repost", repost(&row.did)).await.unwrap();
    assert_eq!(rig.accounts.list().unwrap().len(), 1, "one session per DID");
}

/// A lexicon that is not a permission set: the authorization server refuses the request
/// (`invalid_scope`) before the browser opens, and nothing is stored.
#[tokio::test]
async fn asking_for_a_lexicon_that_is_not_a_permission_set_is_refused_and_stores_nothing() {
    let s = Setup::new().await;
    let rig = s.rig(Some(s.authority()), None);
    let err = rig
        .accounts
        .start_login(&LoginRequest {
            identifier: s.who.handle.clone(),
            scope: Some(format!("atproto {}", s.not_a_set)),
            loopback_port: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ServerError, "{err}");
    assert!(err.to_string().contains("invalid_scope"), "{err}");
    assert!(rig.accounts.list().unwrap().is_empty());
    assert!(rig.keychain.names().is_empty(), "no key kept: {:?}", rig.keychain.names());
}

/// The production path, with only DNS swapped: `_lexicon.<authority>` names the DID, which
/// resolves through the real PLC to the real PDS. With DNS down the view says so, keeps the
/// session as it is, and calls the requested set unchecked, not missing.
#[tokio::test]
async fn sets_are_found_through_dns_and_an_offline_lookup_says_so() {
    let s = Setup::new().await;
    let answer = Arc::new(Dns { did: s.authority(), down: Default::default(), asked: Default::default() });
    let rig = s.rig(None, Some(answer.clone()));
    s.login(&rig, &format!("atproto {}", s.posting)).await.unwrap();

    answer.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let v = rig.accounts.scopes_checked(None).await.unwrap();
    assert_eq!(v.unchecked, std::slice::from_ref(&s.posting), "{v:#?}");
    assert!(v.missing.is_empty());
    let offered = v.available_items.iter().find(|i| i.raw == s.not_a_set).unwrap();
    assert!(offered.detail.contains("Skyport could not reach the network"), "{}", offered.detail);

    answer.down.store(false, std::sync::atomic::Ordering::SeqCst);
    let v = rig.accounts.scopes_checked(None).await.unwrap();
    assert!(v.unchecked.is_empty() && v.missing.is_empty(), "{v:#?}");
    let asked = answer.asked.lock().unwrap().clone();
    let name = format!("_lexicon.{}.", "bsky.app");
    assert!(asked.iter().all(|n| n == &name) && !asked.is_empty(), "{asked:?}");
    // A day later with DNS down again: the stored copy is kept and still used.
    rig.clock.advance(Duration::from_secs(25 * 3600));
    answer.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let v = rig.accounts.scopes_checked(None).await.unwrap();
    assert!(v.unchecked.is_empty(), "the stored set is used when it cannot be read again: {v:#?}");
}

struct Dns {
    did: String,
    down: std::sync::atomic::AtomicBool,
    asked: std::sync::Mutex<Vec<String>>,
}

#[async_trait]
impl TxtLookup for Dns {
    async fn txt(&self, name: &str) -> Result<Vec<String>, DnsUnavailable> {
        self.asked.lock().unwrap().push(name.to_owned());
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(DnsUnavailable);
        }
        Ok(vec![format!("did={}", self.did)])
    }
}
