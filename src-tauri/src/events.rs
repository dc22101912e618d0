//! Forwards core events to the UI as Tauri events (`accounts://…`).

use skyport_accounts::AccountEvent;
use tauri::{AppHandle, Emitter as _};

use crate::Shared;

/// Spawns the forwarder.
pub fn forward(app: AppHandle, accounts: Shared) {
    let mut rx = accounts.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(event) => emit(&app, &event),
                // Missed events: the UI reloads the list.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let _ = app.emit("accounts://changed", ());
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn emit(app: &AppHandle, event: &AccountEvent) {
    let name = match event {
        AccountEvent::AccountsChanged => "accounts://changed",
        AccountEvent::StatusChanged { .. } => "accounts://status",
        AccountEvent::RefreshFinished { .. } => "accounts://refresh",
        AccountEvent::LoginProgress { .. } => "accounts://login-progress",
        AccountEvent::LoginFinished { .. } => "accounts://login",
        AccountEvent::Keychain { .. } => "accounts://keychain",
        _ => return,
    };
    let _ = app.emit(name, event);
}
