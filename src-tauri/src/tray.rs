//! The tray icon and its menu: the accounts (the active one checked; one click switches), Add
//! account, Open Skyport, Quit. Menus rather than icon clicks, since tray click events do not
//! fire on Linux. The menu is rebuilt when accounts or statuses change (in this process or
//! another).
//!
//! Closing the window hides it when a tray host shows our icon (a StatusNotifier watcher owns
//! its name on the session bus, asked at each close, since a panel may start after the app);
//! otherwise closing quits, because a hidden window could not be brought back.
//!
//! Test hooks: with `SKYPORT_TEST_HOOKS=1` in a debug build, [`debug_tray_menu`] reads the
//! real menu's items and [`debug_tray_click`] runs the same handler as a menu click (a tray
//! cannot be clicked under Xvfb); [`debug_close_window`] asks the window to close as a window
//! manager does, and [`debug_window_visible`] tells whether it is shown. Release builds refuse
//! them all.

use std::sync::Mutex;

use serde::Serialize;
use skyport_accounts::{AccountEvent, AccountSummary};
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter as _, Manager as _, State, Window, WindowEvent, Wry};

use crate::error::{IpcError, Result};

const ACCOUNT: &str = "account:";
const ADD_ACCOUNT: &str = "add-account";
const OPEN: &str = "open";
const QUIT: &str = "quit";

/// The tray icon (if one could be made) and its current menu.
#[derive(Default)]
pub struct Tray {
    icon: Mutex<Option<TrayIcon>>,
    menu: Mutex<Option<Menu<Wry>>>,
}

/// Makes the tray icon and keeps its menu up to date.
pub fn start(app: &AppHandle) {
    let menu = match build_menu(app) {
        Ok(m) => m,
        Err(e) => return tracing::warn!(error = %e, "could not build the tray menu"),
    };
    let icon = TrayIconBuilder::with_id("main")
        .tooltip("Skyport")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()));
    let icon = match app.default_window_icon() {
        Some(i) => icon.icon(i.clone()),
        None => icon,
    };
    let state = app.state::<Tray>();
    match icon.build(app) {
        Ok(icon) => *lock(&state.icon) = Some(icon),
        Err(e) => tracing::warn!(error = %e, "no tray icon; closing the window quits"),
    }
    *lock(&state.menu) = Some(menu);

    let app = app.clone();
    let mut events = crate::accounts(&app).subscribe();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(AccountEvent::AccountsChanged | AccountEvent::StatusChanged { .. })
                | Err(RecvError::Lagged(_)) => {}
                Ok(_) => continue,
                Err(RecvError::Closed) => break,
            }
            let app = app.clone();
            let _ = tauri::async_runtime::spawn_blocking(move || rebuild(&app)).await;
        }
    });
}

/// Replaces the menu with one built from the accounts as they are now.
fn rebuild(app: &AppHandle) {
    let menu = match build_menu(app) {
        Ok(m) => m,
        Err(e) => return tracing::warn!(error = %e, "could not rebuild the tray menu"),
    };
    let state = app.state::<Tray>();
    if let Some(icon) = lock(&state.icon).as_ref()
        && let Err(e) = icon.set_menu(Some(menu.clone()))
    {
        tracing::warn!(error = %e, "could not set the tray menu");
    }
    *lock(&state.menu) = Some(menu);
}

fn build_menu(app: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let accounts = crate::accounts(app).list().unwrap_or_else(|e| {
        tracing::warn!(code = e.code().as_str(), "the tray menu shows no accounts");
        Vec::new()
    });
    let mut items: Vec<Box<dyn IsMenuItem<Wry>>> = Vec::new();
    for a in &accounts {
        let id = format!("{ACCOUNT}{}", a.did);
        items.push(Box::new(CheckMenuItem::with_id(app, id, label(a), true, a.active, None::<&str>)?));
    }
    if !accounts.is_empty() {
        items.push(Box::new(PredefinedMenuItem::separator(app)?));
    }
    items.push(Box::new(MenuItem::with_id(app, ADD_ACCOUNT, "Add account…", true, None::<&str>)?));
    items.push(Box::new(MenuItem::with_id(app, OPEN, "Open Skyport", true, None::<&str>)?));
    items.push(Box::new(PredefinedMenuItem::separator(app)?));
    items.push(Box::new(MenuItem::with_id(app, QUIT, "Quit Skyport", true, None::<&str>)?));
    let refs: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|i| i.as_ref()).collect();
    Menu::with_items(app, &refs)
}

/// "Alice (@alice.test)", "@alice.test", or the DID; "— sign in again" when it needs that.
fn label(a: &AccountSummary) -> String {
    let handle = a.handle.as_deref().map(|h| format!("@{h}"));
    let mut label = match (a.display_name.as_deref().filter(|n| !n.trim().is_empty()), handle) {
        (Some(name), Some(handle)) => format!("{name} ({handle})"),
        (Some(name), None) => name.to_owned(),
        (None, Some(handle)) => handle,
        (None, None) => a.did.clone(),
    };
    if a.status == skyport_accounts::AccountStatus::NeedsSignIn {
        label.push_str(" — sign in again");
    }
    label
}

/// What a click on a menu item does (the real menu event and the test hook both come here).
fn on_menu(app: &AppHandle, id: &str) {
    if let Some(did) = id.strip_prefix(ACCOUNT) {
        let (app, did) = (app.clone(), did.to_owned());
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(e) = crate::accounts(&app).switch(&did) {
                tracing::warn!(%did, code = e.code().as_str(), "could not switch from the tray");
            }
            // The check marks follow the store (a check item toggles itself when clicked).
            rebuild(&app);
        });
        return;
    }
    match id {
        ADD_ACCOUNT => {
            crate::deep_link::focus(app);
            let _ = app.emit("tray://add-account", ());
        }
        OPEN => crate::deep_link::focus(app),
        QUIT => app.exit(0),
        _ => {}
    }
}

/// Closing the main window hides it in the tray when the tray is visible.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event
        && window.label() == "main"
        && lock(&window.state::<Tray>().icon).is_some()
        && tray_host_present()
    {
        api.prevent_close();
        let _ = window.hide();
    }
}

/// Whether a StatusNotifier host can show our icon (the watcher's name has an owner).
fn tray_host_present() -> bool {
    let ask = || -> zbus::Result<bool> {
        let bus = zbus::blocking::Connection::session()?;
        let dbus = zbus::blocking::fdo::DBusProxy::new(&bus)?;
        Ok(dbus.name_has_owner("org.kde.StatusNotifierWatcher".try_into()?)?)
    };
    ask().unwrap_or(false)
}

/// One menu item, as the test hook reports it.
#[derive(Serialize)]
pub struct TrayItem {
    id: String,
    label: String,
    /// `null` for items without a check mark.
    checked: Option<bool>,
}

/// The tray menu's items as they are (test hook).
#[tauri::command]
pub fn debug_tray_menu(tray: State<'_, Tray>) -> Result<Vec<TrayItem>> {
    hooks()?;
    let menu = lock(&tray.menu).clone().ok_or_else(|| IpcError::internal("no tray menu"))?;
    let mut out = Vec::new();
    for item in menu.items().map_err(|e| IpcError::internal(e.to_string()))? {
        let id = item.id().as_ref().to_owned();
        if let Some(check) = item.as_check_menuitem() {
            let (label, checked) = (check.text(), check.is_checked());
            let label = label.map_err(|e| IpcError::internal(e.to_string()))?;
            let checked = checked.map_err(|e| IpcError::internal(e.to_string()))?;
            out.push(TrayItem { id, label, checked: Some(checked) });
        } else if let Some(plain) = item.as_menuitem() {
            let label = plain.text().map_err(|e| IpcError::internal(e.to_string()))?;
            out.push(TrayItem { id, label, checked: None });
        }
    }
    Ok(out)
}

/// Clicks a tray menu item (test hook): the handler real menu events run.
#[tauri::command]
pub fn debug_tray_click(app: AppHandle, id: String) -> Result<()> {
    hooks()?;
    on_menu(&app, &id);
    Ok(())
}

/// Asks the main window to close, as the window manager's close button does (test hook):
/// the same `CloseRequested` path, which hides it when a tray host is present.
#[tauri::command]
pub fn debug_close_window(app: AppHandle) -> Result<()> {
    hooks()?;
    let window = app.get_webview_window("main").ok_or_else(|| IpcError::internal("no main window"))?;
    window.close().map_err(|e| IpcError::internal(e.to_string()))
}

/// Whether the main window is shown (test hook).
#[tauri::command]
pub fn debug_window_visible(app: AppHandle) -> Result<bool> {
    hooks()?;
    let window = app.get_webview_window("main").ok_or_else(|| IpcError::internal("no main window"))?;
    window.is_visible().map_err(|e| IpcError::internal(e.to_string()))
}

fn hooks() -> Result<()> {
    if cfg!(debug_assertions) && std::env::var("SKYPORT_TEST_HOOKS").as_deref() == Ok("1") {
        Ok(())
    } else {
        Err(IpcError::internal("test hooks are off"))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
