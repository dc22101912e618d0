//! Skyport's desktop shell: a thin Tauri v2 layer over `skyport-accounts`.
//!
//! Plugins, in order: single-instance (with deep-link support; a second launch hands its
//! arguments to the running app and exits), the account manager ([`open_accounts`]: config,
//! log and store, opened only by the instance that stays), deep-link, opener (the system browser for the
//! authorization page; never an embedded webview), clipboard. Callback URLs are handled in
//! Rust ([`deep_link`]); the web UI gets account summaries and events, never a token, a
//! verifier, a key or a callback code. The Skyport agent ([`agent`]) serves while the app
//! runs; a connected app's key reaches the UI once, in the answer that made it.
//!
//! The app lives in the tray ([`tray`]): closing the window hides it while background refresh,
//! notifications ([`notices`]) and the agent go on; Quit in the tray menu ends it. Without a
//! tray host (no StatusNotifier watcher on the session bus, e.g. a bare X server) closing the
//! window quits, since a hidden window could not be brought back. Changes other processes make
//! to the store (the CLI) are noticed within half a second (`Accounts::watch_store`).

mod agent;
mod appearance;
mod commands;
mod deep_link;
mod error;
mod events;
mod logins;
mod notices;
mod scheduler;
mod tray;

use std::sync::Arc;
use std::time::Duration;

use skyport_accounts::{Accounts, Config};
use tauri::Manager as _;

/// Starts the app.
pub fn run() {
    let mut builder = tauri::Builder::default();
    #[cfg(desktop)]
    {
        // Must be the first plugin: a second launch (the OS handing us a deep link) forwards
        // its arguments here and exits.
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            deep_link::from_arguments(app, argv.into_iter().skip(1));
            deep_link::focus(app);
        }));
    }
    let result = builder
        .plugin(open_accounts())
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                // Always shown at start, even if it was hidden in the tray when the app quit.
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .manage(logins::Logins::default())
        .manage(tray::Tray::default())
        .manage(notices::Due::default())
        .setup(|app| {
            let accounts = accounts(app.handle());
            deep_link::register(app.handle(), accounts.custom_scheme());
            // A cold start by a deep link: the URL is our only argument.
            deep_link::from_arguments(app.handle(), std::env::args().skip(1));
            events::forward(app.handle().clone(), accounts.clone());
            let watched = accounts.clone();
            tauri::async_runtime::spawn(async move {
                watched.watch_store(Duration::from_millis(500));
            });
            tray::start(app.handle());
            notices::start(app.handle().clone(), accounts.clone());
            scheduler::start(app.handle().clone(), accounts.clone());
            appearance::watch(app.handle().clone());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                handle.state::<agent::AgentSlot>().ensure().await;
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_accounts,
            commands::account_avatar,
            commands::preview_login,
            commands::start_login,
            commands::reopen_login,
            commands::open_link,
            commands::cancel_login,
            commands::switch_account,
            commands::refresh_account,
            commands::sign_out,
            commands::sign_out_all,
            commands::account_details,
            commands::account_scopes,
            commands::account_scopes_checked,
            commands::diagnostics,
            commands::app_info,
            commands::copy_text,
            commands::agent_status,
            commands::list_apps,
            commands::connect_app,
            commands::revoke_app,
            commands::app_activity,
            commands::reorder_accounts,
            commands::get_settings,
            commands::set_autostart,
            tray::debug_tray_menu,
            tray::debug_tray_click,
            tray::debug_close_window,
            tray::debug_window_visible,
        ])
        .on_window_event(tray::on_window_event)
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                tauri::async_runtime::block_on(app.state::<agent::AgentSlot>().stop());
            }
        }),
        Err(e) => fatal(&format!("Skyport could not start its window: {e}")),
    }
}

/// Opens the configuration, the log and the store, and manages the account manager, the log's
/// path and the agent's slot. A plugin registered right after single-instance, so a second
/// launch (the OS handing over a deep link) has already passed its arguments on and exited
/// before anything here runs: it never opens the store or the keychain.
fn open_accounts<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("skyport-accounts")
        .setup(|app, _api| {
            let config = match Config::from_env() {
                Ok(c) => c,
                Err(e) => fatal(&format!("Skyport cannot read its configuration: {e}")),
            };
            let log = skyport_accounts::init_logging(&config.home).ok();
            let accounts: Shared = match Accounts::open(config) {
                Ok(a) => Arc::new(a),
                Err(e) => fatal(&format!("Skyport cannot open its data: {e}")),
            };
            app.manage(commands::LogPath(log));
            app.manage(agent::AgentSlot::new(accounts.clone()));
            app.manage(accounts);
            Ok(())
        })
        .build()
}

fn fatal(message: &str) -> ! {
    eprintln!("skyport: {message}");
    std::process::exit(1);
}

/// The app's shared account manager.
pub(crate) type Shared = Arc<Accounts>;

/// Gets the account manager from Tauri state.
pub(crate) fn accounts<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Shared {
    app.state::<Shared>().inner().clone()
}
