//! Callback URLs from the operating system (custom-scheme deep links), handled in Rust: the
//! URL is completed by the account core and never reaches the web UI.

use tauri::{AppHandle, Manager as _, Runtime};

/// Registers the custom scheme derived from the client_id with the desktop (Linux writes a
/// `.desktop` handler and sets it as the scheme's default; Windows writes the registry).
/// The loopback client has no scheme.
pub fn register<R: Runtime>(app: &AppHandle<R>, scheme: Option<&str>) {
    let Some(scheme) = scheme else { return };
    #[cfg(any(target_os = "linux", windows))]
    {
        use tauri_plugin_deep_link::DeepLinkExt as _;
        if let Err(e) = app.deep_link().register(scheme) {
            tracing::warn!(scheme, error = %e, "could not register the URL scheme");
        }
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    let _ = (app, scheme);
}

/// Completes a login if the arguments are exactly one callback URL of our scheme (how the
/// OS starts an app for a deep link). Anything else is ignored.
pub fn from_arguments<R: Runtime>(app: &AppHandle<R>, args: impl Iterator<Item = String>) {
    let args: Vec<String> = args.collect();
    let [url] = args.as_slice() else { return };
    let accounts = crate::accounts(app);
    let Some(scheme) = accounts.custom_scheme() else { return };
    if !url.starts_with(&format!("{scheme}:")) {
        return;
    }
    let url = url.clone();
    tauri::async_runtime::spawn(async move {
        // The outcome (success or a typed error) reaches the UI as an `accounts://login` event.
        if let Err(e) = accounts.complete_login(&url).await {
            tracing::warn!(code = e.code().as_str(), "deep-link callback refused");
        }
    });
}

/// Brings the main window to the front.
pub fn focus<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
