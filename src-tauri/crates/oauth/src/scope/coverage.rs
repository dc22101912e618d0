//! Whether a granted scope covers a permission, by meaning rather than by string: the
//! authorization server may grant `repo:*` for a requested `repo:app.bsky.feed.post`, or
//! spell a permission set's expansion in another token order (atproto permission spec).
//!
//! The transitional scopes are read as the spec describes them: `transition:generic` covers
//! every `repo`, `blob` and `rpc` permission except `chat.bsky.*` methods, which
//! `transition:chat.bsky` adds; `transition:email` covers reading the email address.

use super::{AccountAction, AccountAttr, Permission, ScopeToken, Transition};

/// The permissions of a granted scope.
#[derive(Debug, Clone, Default)]
pub struct Granted {
    raw: Vec<String>,
    permissions: Vec<Permission>,
}

impl Granted {
    /// The granted tokens (unparseable ones only match themselves).
    pub fn new<S: AsRef<str>>(tokens: &[S]) -> Self {
        let raw: Vec<String> = tokens.iter().map(|t| t.as_ref().to_owned()).collect();
        let permissions =
            raw.iter().filter_map(|t| ScopeToken::parse(t).ok()).map(|t| t.permission().clone()).collect();
        Self { raw, permissions }
    }

    fn has(&self, t: Transition) -> bool {
        self.permissions.contains(&Permission::Transition(t))
    }

    /// Whether the token `raw` is granted: the same token, or a permission that covers it.
    pub fn covers_token(&self, raw: &str) -> bool {
        if self.raw.iter().any(|r| r == raw) {
            return true;
        }
        match ScopeToken::parse(raw) {
            Ok(token) => self.covers(token.permission()),
            Err(_) => false,
        }
    }

    /// Whether `wanted` is covered. `include:` is never covered here: only its expansion
    /// can be checked (see [`PermissionSet::permissions`](super::PermissionSet::permissions)).
    pub fn covers(&self, wanted: &Permission) -> bool {
        match wanted {
            Permission::Atproto => self.permissions.contains(&Permission::Atproto),
            Permission::Transition(t) => self.has(*t),
            Permission::Repo { collections, actions } => {
                self.has(Transition::Generic)
                    || collections.iter().all(|c| {
                        actions.iter().all(|a| {
                            self.permissions.iter().any(|g| match g {
                                Permission::Repo { collections: gc, actions: ga } => {
                                    (gc.iter().any(|x| x == "*") || gc.contains(c)) && ga.contains(a)
                                }
                                _ => false,
                            })
                        })
                    })
            }
            Permission::Rpc { lxm, aud } => lxm.iter().all(|m| {
                let by_transition = m != "*"
                    && if m.starts_with("chat.bsky.") {
                        self.has(Transition::ChatBsky) && self.has(Transition::Generic)
                    } else {
                        self.has(Transition::Generic)
                    };
                by_transition
                    || self.permissions.iter().any(|g| match g {
                        Permission::Rpc { lxm: gl, aud: ga } => {
                            (gl.iter().any(|x| x == "*") || gl.contains(m))
                                && (ga == "*" || same_service(ga, aud))
                        }
                        _ => false,
                    })
            }),
            Permission::Blob { accept } => {
                self.has(Transition::Generic)
                    || accept.iter().all(|mime| {
                        self.permissions.iter().any(|g| match g {
                            Permission::Blob { accept: ga } => ga.iter().any(|p| mime_covers(p, mime)),
                            _ => false,
                        })
                    })
            }
            Permission::Account { attr, action } => {
                (*attr == AccountAttr::Email && *action == AccountAction::Read && self.has(Transition::Email))
                    || self.permissions.iter().any(|g| match g {
                        Permission::Account { attr: a, action: ga } => {
                            a == attr && (ga == action || *ga == AccountAction::Manage)
                        }
                        _ => false,
                    })
            }
            Permission::Identity { attr } => self.permissions.iter().any(|g| match g {
                Permission::Identity { attr: a } => a == "*" || a == attr,
                _ => false,
            }),
            Permission::Include { .. } | Permission::Unknown => false,
        }
    }
}

/// Whether two `aud` values name the same service. Besides equality, a did:web whose port
/// colon is still percent-encoded (`did:web:localhost%3A2583#x`) matches its decoded spelling:
/// the reference PDS writes an `include:`'s audience into the token's `rpc:` scopes with one
/// level of percent-encoding fewer than it was requested with. This only decides whether to
/// show a permission as granted; the server enforces its own reading.
fn same_service(a: &str, b: &str) -> bool {
    a == b || super::parse::decode(a).is_some_and(|a| super::parse::decode(b).is_some_and(|b| a == b))
}

/// `*/*` covers everything, `image/*` covers `image/png` and `image/*`.
fn mime_covers(pattern: &str, mime: &str) -> bool {
    if pattern == "*/*" || pattern == mime {
        return true;
    }
    match (pattern.strip_suffix("/*"), mime.split_once('/')) {
        (Some(kind), Some((mk, _))) => kind == mk && mime != "*/*",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> Granted {
        Granted::new(&s.split(' ').collect::<Vec<_>>())
    }

    #[test]
    fn wildcards_and_transitions_cover_what_they_grant() {
        let narrow =
            g("atproto repo:*?action=create rpc:app.bsky.actor.getProfile?aud=did:web:a%23b blob:image/*");
        assert!(narrow.covers_token("repo:app.bsky.feed.post?action=create"));
        assert!(!narrow.covers_token("repo:app.bsky.feed.post"), "delete was not granted");
        assert!(narrow.covers_token("rpc:app.bsky.actor.getProfile?aud=did:web:a%23b"));
        assert!(!narrow.covers_token("rpc:app.bsky.actor.getProfile?aud=did:web:c%23d"), "another service");
        assert!(narrow.covers_token("blob:image/png"));
        assert!(!narrow.covers_token("blob:video/mp4"));
        assert!(!narrow.covers_token("transition:generic"));

        let generic = g("atproto transition:generic transition:email");
        assert!(generic.covers_token("repo:app.bsky.feed.like"));
        assert!(generic.covers_token("blob:*/*"));
        assert!(generic.covers_token("rpc:app.bsky.feed.getTimeline?aud=did:web:a%23b"));
        assert!(
            !generic.covers_token("rpc:chat.bsky.convo.listConvos?aud=did:web:a%23b"),
            "chat needs its own"
        );
        assert!(
            g("atproto transition:generic transition:chat.bsky")
                .covers_token("rpc:chat.bsky.convo.listConvos?aud=did:web:a%23b")
        );
        assert!(generic.covers_token("account:email"));
        assert!(!generic.covers_token("account:email?action=manage"));
        assert!(!generic.covers_token("identity:handle"));
        assert!(!generic.covers_token("include:app.bsky.authFullApp"), "only an expansion can be checked");
        assert!(g("future:thing").covers_token("future:thing"), "unknown tokens match themselves");
        // The reference PDS's spelling of a requested `did:web:localhost%253A2583%23x`.
        assert!(
            g("rpc:a.b.c?aud=did:web:localhost%3A2583%23x")
                .covers_token("rpc:a.b.c?aud=did:web:localhost%253A2583%23x")
        );
    }
}
