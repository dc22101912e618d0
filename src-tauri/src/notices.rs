//! Desktop notifications: "sign in again" and "session ends in two days", each handed out once
//! per account and event by the core (`Accounts::take_due_notices`). Checked every minute,
//! right after each background refresh pass and whenever the accounts change (this process or
//! another). Clicking a notification or its "Sign in" action opens the window and asks the UI
//! to start the sign-in for that account (`notice://sign-in` `{did}`).
//!
//! Sent with `notify-rust` over the freedesktop `org.freedesktop.Notifications` D-Bus
//! interface: the notification plugin shows notifications but reports no action or click on
//! Linux, which this needs.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use skyport_accounts::{AccountEvent, Notice};
use tauri::{AppHandle, Emitter as _, Manager as _};
use tokio::sync::Notify;

use crate::Shared;

/// How often due notices are looked for when nothing else happens.
const EVERY: Duration = Duration::from_secs(60);

/// Wakes the notice loop early (after a refresh pass).
#[derive(Default)]
pub struct Due(Arc<Notify>);

impl Due {
    /// Looks for due notices now.
    pub fn check(&self) {
        self.0.notify_one();
    }
}

/// What the UI gets when a notification is clicked.
#[derive(Clone, Serialize)]
struct SignIn {
    did: String,
}

/// Starts the loop that shows due notices.
pub fn start(app: AppHandle, accounts: Shared) {
    let wake = app.state::<Due>().0.clone();
    let mut events = accounts.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let shared = accounts.clone();
            let due = tauri::async_runtime::spawn_blocking(move || shared.take_due_notices()).await;
            match due {
                Ok(Ok(notices)) => notices.into_iter().for_each(|n| show(&app, n)),
                Ok(Err(e)) => tracing::warn!(code = e.code().as_str(), "could not read due notices"),
                Err(e) => tracing::warn!(error = %e, "the notice task failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                () = wake.notified() => {}
                event = events.recv() => {
                    // Only changes to accounts or statuses can make a notice due.
                    if matches!(event, Ok(AccountEvent::LoginProgress { .. } | AccountEvent::RefreshFinished { .. })) {
                        continue;
                    }
                }
            }
        }
    });
}

/// Shows one notice; its click or action (on a thread of its own, waiting for the server's
/// answer) opens the sign-in for the account.
fn show(app: &AppHandle, notice: Notice) {
    let app = app.clone();
    std::thread::spawn(move || {
        let shown = notify_rust::Notification::new()
            .appname("Skyport")
            .summary(&notice.title)
            .body(&notice.body)
            .icon("dev.skyport.desktop")
            .action("default", "Sign in")
            .action("sign-in", "Sign in")
            .timeout(notify_rust::Timeout::Never)
            .show();
        let handle = match shown {
            Ok(h) => h,
            Err(e) => return tracing::warn!(did = %notice.did, error = %e, "could not show a notification"),
        };
        tracing::info!(did = %notice.did, kind = ?notice.kind, "notification shown");
        let did = notice.did;
        handle.wait_for_action(|action| {
            if action == "default" || action == "sign-in" {
                crate::deep_link::focus(&app);
                let _ = app.emit("notice://sign-in", SignIn { did: did.clone() });
            }
        });
    });
}
