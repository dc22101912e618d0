//! The account's profile record (display name, avatar), read after sign-in. Failing to read
//! it is not an error.

use std::time::Duration;

use serde_json::Value;
use skyport_oauth::XrpcRequest;
use skyport_store::table::accounts;

use crate::Accounts;

/// The largest avatar kept.
const MAX_AVATAR: usize = 1024 * 1024;

impl Accounts {
    /// Reads `app.bsky.actor.profile/self` and the avatar blob; stores what it finds.
    pub(crate) async fn fetch_profile(&self, did: &str) {
        let work = async {
            let record = XrpcRequest::query("com.atproto.repo.getRecord")
                .param("repo", did)
                .param("collection", "app.bsky.actor.profile")
                .param("rkey", "self");
            let value = self.api(Some(did), &record).await.ok()?.body;
            let value = value.get("value")?;
            let name = value
                .get("displayName")
                .and_then(Value::as_str)
                .map(|s| s.chars().take(128).collect::<String>());
            let avatar = match value.pointer("/avatar/ref/$link").and_then(Value::as_str) {
                Some(cid) => {
                    let blob =
                        XrpcRequest::query("com.atproto.sync.getBlob").param("did", did).param("cid", cid);
                    self.api(Some(did), &blob).await.ok().and_then(|r| {
                        let mime = r.content_type.filter(|m| m.starts_with("image/"))?;
                        (r.bytes.len() <= MAX_AVATAR).then_some((r.bytes, mime))
                    })
                }
                None => None,
            };
            Some((name, avatar))
        };
        let Ok(Some((name, avatar))) = tokio::time::timeout(Duration::from_secs(5), work).await else {
            return;
        };
        let did = did.to_owned();
        let _ = self
            .off_thread(move |s| {
                s.db.write(|c| {
                    accounts::set_profile(
                        c,
                        &did,
                        name.as_deref(),
                        avatar.as_ref().map(|(b, m)| (b.as_slice(), m.as_str())),
                    )
                })
            })
            .await;
        self.emit(crate::AccountEvent::AccountsChanged);
    }
}
