//! The commands the UI calls: each a few lines over `skyport-accounts`.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;
use skyport_accounts::apps::{Activity, ConnectedApp, NewApp};
use skyport_accounts::{
    AccountDetails, AccountSummary, Accounts, KeychainState, LOGIN_WAIT, LinkKind, LoginPreview,
    LoginRequest, LoginStarted, ScopeView, SignOutResult,
};
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_clipboard_manager::ClipboardExt as _;
use tauri_plugin_opener::OpenerExt as _;

use crate::Shared;
use crate::agent::{AgentSlot, AgentView};
use crate::appearance::ColorScheme;
use crate::error::{IpcError, Result};
use crate::logins::Logins;

/// Where the log file is (for diagnostics).
pub struct LogPath(pub Option<PathBuf>);

/// The account list and what the banners need.
#[derive(Serialize)]
pub struct AccountList {
    accounts: Vec<AccountSummary>,
    keychain: KeychainState,
    network_profile: String,
    clock_skew_secs: Option<i64>,
    /// Logins waiting for the browser, started by this app or any other process.
    pending: Vec<skyport_accounts::PendingSummary>,
}

impl AccountList {
    /// The list as the account manager has it now.
    fn read(a: &skyport_accounts::Accounts) -> std::result::Result<Self, skyport_accounts::Error> {
        let (list, keychain) = a.overview()?;
        Ok(AccountList {
            accounts: list,
            keychain,
            network_profile: a.network_profile(),
            clock_skew_secs: a.clock_offset(),
            pending: a.pending_logins()?,
        })
    }
}

#[tauri::command]
pub async fn list_accounts(accounts: State<'_, Shared>) -> Result<AccountList> {
    blocking(&accounts, AccountList::read).await
}

#[tauri::command]
pub async fn account_avatar(accounts: State<'_, Shared>, did: String) -> Result<Option<String>> {
    blocking(&accounts, move |a| a.avatar_data_url(&did)).await
}

#[tauri::command]
pub async fn preview_login(accounts: State<'_, Shared>, identifier: String) -> Result<LoginPreview> {
    Ok(accounts.preview(&identifier).await?)
}

/// Starts a login and opens the system browser. For the loopback client the core's
/// listener waits for the redirect and completes the login in Rust; its outcome reaches the
/// UI as an `accounts://login` event.
#[tauri::command]
pub async fn start_login(
    app: AppHandle,
    accounts: State<'_, Shared>,
    logins: State<'_, Logins>,
    identifier: String,
    scope: Option<String>,
) -> Result<LoginOpened> {
    let handle = accounts.login(&LoginRequest { identifier, scope, ..Default::default() }).await?;
    let started = handle.started().clone();
    let task = handle.listens().then(|| {
        tauri::async_runtime::spawn(async move {
            let _ = handle.wait(LOGIN_WAIT).await;
        })
    });
    logins.insert(&started.state, &started.authorization_url, task);
    let browser_opened = open_browser(&app, &started.authorization_url);
    Ok(LoginOpened { started, browser_opened })
}

/// A login that waits for the browser, and whether the system browser could be opened (if
/// not, the UI shows the link to open by hand).
#[derive(Serialize)]
pub struct LoginOpened {
    #[serde(flatten)]
    started: LoginStarted,
    browser_opened: bool,
}

/// Whether "Open again" opened the browser.
#[derive(Serialize)]
pub struct Reopened {
    browser_opened: bool,
}

#[tauri::command]
pub async fn reopen_login(app: AppHandle, logins: State<'_, Logins>, state: String) -> Result<Reopened> {
    let url = logins.url(&state).ok_or_else(|| IpcError::from(skyport_accounts::Error::unknown_login()))?;
    Ok(Reopened { browser_opened: open_browser(&app, &url) })
}

/// Opens a page about an account in the system browser: its Bluesky profile, its PDS, or
/// its DID document. Only the URLs the core builds from stored data.
#[tauri::command]
pub async fn open_link(
    app: AppHandle,
    accounts: State<'_, Shared>,
    did: String,
    kind: LinkKind,
) -> Result<()> {
    let url = blocking(&accounts, move |a| a.link(&did, kind)).await?;
    if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
        return Err(IpcError::internal(format!("could not open the browser: {e}")));
    }
    Ok(())
}

#[tauri::command]
pub async fn cancel_login(
    accounts: State<'_, Shared>,
    logins: State<'_, Logins>,
    state: String,
) -> Result<()> {
    logins.remove(&state);
    blocking(&accounts, move |a| a.cancel_login(&state)).await
}

#[tauri::command]
pub async fn switch_account(accounts: State<'_, Shared>, did: String) -> Result<AccountSummary> {
    blocking(&accounts, move |a| a.switch(&did)).await
}

/// Puts the accounts in this order (every account once); answers like `list_accounts`.
#[tauri::command]
pub async fn reorder_accounts(accounts: State<'_, Shared>, order: Vec<String>) -> Result<AccountList> {
    blocking(&accounts, move |a| {
        a.reorder(&order)?;
        AccountList::read(a)
    })
    .await
}

#[tauri::command]
pub async fn refresh_account(accounts: State<'_, Shared>, did: String) -> Result<AccountSummary> {
    Ok(accounts.refresh(Some(&did)).await?)
}

#[tauri::command]
pub async fn sign_out(accounts: State<'_, Shared>, did: String) -> Result<SignOutResult> {
    Ok(accounts.sign_out(Some(&did)).await?)
}

#[tauri::command]
pub async fn sign_out_all(accounts: State<'_, Shared>) -> Result<Vec<SignOutResult>> {
    Ok(accounts.sign_out_all().await?)
}

#[tauri::command]
pub async fn account_details(accounts: State<'_, Shared>, did: String) -> Result<AccountDetails> {
    blocking(&accounts, move |a| a.details(Some(&did))).await
}

#[tauri::command]
pub async fn account_scopes(accounts: State<'_, Shared>, did: String) -> Result<ScopeView> {
    blocking(&accounts, move |a| a.scopes(Some(&did))).await
}

/// [`account_scopes`], after reading the permission sets it names from their publishers.
#[tauri::command]
pub async fn account_scopes_checked(accounts: State<'_, Shared>, did: String) -> Result<ScopeView> {
    Ok(accounts.scopes_checked(Some(&did)).await?)
}

/// Redacted diagnostics as pretty JSON, with the log file's location.
#[tauri::command]
pub async fn diagnostics(accounts: State<'_, Shared>, log: State<'_, LogPath>) -> Result<String> {
    let mut report = accounts.diagnostics().await?;
    report["log_file"] = log.0.as_ref().map_or(Value::Null, |p| Value::String(p.display().to_string()));
    serde_json::to_string_pretty(&report).map_err(|e| IpcError::internal(e.to_string()))
}

/// What the app runs with.
#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    ui_build: &'static str,
    network_profile: String,
    client_kind: &'static str,
    data_dir: String,
    /// The desktop's light/dark preference (XDG settings portal).
    color_scheme: ColorScheme,
}

#[tauri::command]
pub async fn app_info(accounts: State<'_, Shared>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        ui_build: env!("SKYPORT_UI_FINGERPRINT"),
        network_profile: accounts.network_profile(),
        client_kind: if accounts.uses_loopback() { "loopback" } else { "discoverable" },
        data_dir: accounts.config().home.display().to_string(),
        color_scheme: tauri::async_runtime::spawn_blocking(crate::appearance::color_scheme)
            .await
            .unwrap_or(ColorScheme::NoPreference),
    })
}

/// The app's own settings.
#[derive(Serialize)]
pub struct Settings {
    /// Skyport starts when the user logs in.
    autostart: bool,
}

#[tauri::command]
pub async fn get_settings(app: AppHandle) -> Result<Settings> {
    let autostart =
        app.autolaunch().is_enabled().map_err(|e| IpcError::internal(format!("autostart: {e}")))?;
    Ok(Settings { autostart })
}

/// Turns starting at login on or off; answers with the settings as they are now.
#[tauri::command]
pub async fn set_autostart(app: AppHandle, enabled: bool) -> Result<Settings> {
    #[cfg(target_os = "linux")]
    if enabled {
        // The autostart plugin writes `$HOME/.config/autostart/<app>.desktop` but creates only
        // the last directory, so it fails where `~/.config` does not exist yet.
        if let Some(home) = std::env::var_os("HOME") {
            let dir = std::path::Path::new(&home).join(".config/autostart");
            std::fs::create_dir_all(&dir)
                .map_err(|e| IpcError::internal(format!("could not create {}: {e}", dir.display())))?;
        }
    }
    let launch = app.autolaunch();
    let done = if enabled { launch.enable() } else { launch.disable() };
    done.map_err(|e| IpcError::internal(format!("could not change starting at login: {e}")))?;
    get_settings(app).await
}

#[tauri::command]
pub async fn copy_text(app: AppHandle, text: String) -> Result<()> {
    app.clipboard().write_text(text).map_err(|e| IpcError::internal(format!("clipboard: {e}")))
}

/// Whether the agent is on, who serves it, and its counters (serves if nothing else does).
#[tauri::command]
pub async fn agent_status(agent: State<'_, AgentSlot>) -> Result<AgentView> {
    Ok(agent.ensure().await)
}

#[tauri::command]
pub async fn list_apps(accounts: State<'_, Shared>, did: String) -> Result<Vec<ConnectedApp>> {
    blocking(&accounts, move |a| a.apps(Some(&did))).await
}

/// A new connected app: the only answer that carries its key (the UI shows it once and keeps
/// it nowhere; the core keeps only its hash). `Debug` leaves the key out.
#[derive(Serialize)]
pub struct AppConnected {
    app: ConnectedApp,
    key: String,
    /// The address programs use.
    agent_url: String,
}

impl std::fmt::Debug for AppConnected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConnected").field("app", &self.app.name).field("key", &"skp_…").finish()
    }
}

#[tauri::command]
pub async fn connect_app(
    accounts: State<'_, Shared>,
    agent: State<'_, AgentSlot>,
    did: String,
    name: String,
    read_only: bool,
    allow: Vec<String>,
    expires: Option<String>,
) -> Result<AppConnected> {
    let new = NewApp { name, account: Some(did), read_only, allow, expires };
    let created = blocking(&accounts, move |a| a.allow_app(&new)).await?;
    let key = created.key.expose().to_owned();
    Ok(AppConnected { app: created.app, key, agent_url: agent.address().await })
}

#[tauri::command]
pub async fn revoke_app(accounts: State<'_, Shared>, name: String) -> Result<ConnectedApp> {
    blocking(&accounts, move |a| a.revoke_app(&name)).await
}

/// The account's latest calls through the agent (10 unless asked, at most 100).
#[tauri::command]
pub async fn app_activity(
    accounts: State<'_, Shared>,
    did: String,
    limit: Option<usize>,
) -> Result<Vec<Activity>> {
    let limit = limit.unwrap_or(10).min(100);
    blocking(&accounts, move |a| a.activity(Some(&did), limit)).await
}

/// Runs account work that touches SQLite or the keychain on the blocking pool, so a slow
/// keychain never stalls the async threads (background refresh, events, other commands).
async fn blocking<T: Send + 'static>(
    accounts: &Shared,
    work: impl FnOnce(&Accounts) -> std::result::Result<T, skyport_accounts::Error> + Send + 'static,
) -> Result<T> {
    let accounts = accounts.clone();
    tauri::async_runtime::spawn_blocking(move || work(&accounts))
        .await
        .map_err(|e| IpcError::internal(format!("a storage task failed: {e}")))?
        .map_err(IpcError::from)
}

/// Opens the authorization page in the system browser (never an embedded webview).
/// `SKYPORT_NO_BROWSER=1` (tests, headless use) only shows the link in the app. Returns
/// whether the browser was opened.
fn open_browser(app: &AppHandle, url: &str) -> bool {
    if std::env::var("SKYPORT_NO_BROWSER").as_deref() == Ok("1") {
        return false;
    }
    match app.opener().open_url(url, None::<&str>) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "could not open the browser; the link is shown in the app");
            false
        }
    }
}
