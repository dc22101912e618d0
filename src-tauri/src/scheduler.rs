//! Proactive refresh: every 30 s, accounts whose access token expires within about five
//! minutes (plus up to a minute of jitter, so several apps do not refresh in step) are
//! refreshed, at most four at a time. After each pass the notice loop looks for due
//! notifications.

use std::time::Duration;

use tauri::{AppHandle, Manager as _};

use crate::Shared;

/// Starts the background refresher.
pub fn start(app: AppHandle, accounts: Shared) {
    tauri::async_runtime::spawn(async move {
        loop {
            let jitter: i64 = rand::random_range(0..60);
            for (did, result) in accounts.refresh_due(skyport_accounts::EXPIRING_SECS + jitter, 4).await {
                if let Err(e) = result {
                    tracing::warn!(%did, code = e.code().as_str(), "background refresh failed");
                }
            }
            app.state::<crate::notices::Due>().check();
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    });
}
