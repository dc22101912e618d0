//! Desktop notifications the front-end should show: an account needs a new sign-in, or its
//! session reaches the public client's two-week end within two days. Each is handed out
//! once per account, per event and per session, across restarts (the `notices` table), so
//! the user is told once, not on every check.

use serde::Serialize;
use skyport_store::table::notices;

use crate::view::AccountStatus;
use crate::{Accounts, Error};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The session is over; the account needs a new sign-in.
    NeedsSignIn,
    /// The session ends within two days (the two-week limit).
    SessionEnding,
}

impl NoticeKind {
    fn as_str(self) -> &'static str {
        match self {
            NoticeKind::NeedsSignIn => "needs_sign_in",
            NoticeKind::SessionEnding => "session_ending",
        }
    }
}

/// One notification to show, with its action: sign in again to this account.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Notice {
    /// The account.
    pub did: String,
    /// Its handle.
    pub handle: Option<String>,
    /// What happened.
    pub kind: NoticeKind,
    /// The title, for a person.
    pub title: String,
    /// The text.
    pub body: String,
}

impl Accounts {
    /// The notifications due now that were not handed out before; each is marked as sent.
    pub fn take_due_notices(&self) -> Result<Vec<Notice>, Error> {
        let now = self.now();
        let mut due = Vec::new();
        for a in self.list()? {
            let who = a.handle.as_deref().map(|h| format!("@{h}")).unwrap_or_else(|| a.did.clone());
            let (kind, title, body) = if a.status == AccountStatus::NeedsSignIn {
                let why = a.status_reason.map(|r| r.describe()).unwrap_or("the session ended");
                (
                    NoticeKind::NeedsSignIn,
                    format!("Sign in again to {who}"),
                    format!(
                        "Skyport can no longer use this account ({why}). Programs using it through Skyport stop working until you sign in again."
                    ),
                )
            } else if a.session_ending_soon {
                let hours = ((a.session_ends_at - now) / 3600).max(1);
                let when = if hours >= 36 {
                    format!("in {} days", (hours + 12) / 24)
                } else {
                    format!("in {hours} hours")
                };
                (
                    NoticeKind::SessionEnding,
                    format!("{who}: sign in again soon"),
                    format!(
                        "This account's session ends {when} (servers end app sessions after two weeks). Sign in again to keep it working."
                    ),
                )
            } else {
                continue;
            };
            let claimed =
                self.db.write(|c| notices::claim(c, &a.did, kind.as_str(), a.session_started_at, now))?;
            if claimed {
                due.push(Notice { did: a.did, handle: a.handle, kind, title, body });
            }
        }
        Ok(due)
    }
}
