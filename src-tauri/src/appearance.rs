//! The desktop's light/dark preference from the XDG settings portal
//! (`org.freedesktop.portal.Settings`, key `org.freedesktop.appearance` `color-scheme`: 1
//! dark, 2 light, anything else no preference). Without a portal there is no preference and the
//! UI keeps following the system theme. Changes reach the UI as `appearance://changed`.

use serde::Serialize;
use tauri::{AppHandle, Emitter as _};
use zbus::zvariant::{OwnedValue, Value};

const PORTAL: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const SETTINGS: &str = "org.freedesktop.portal.Settings";
const NAMESPACE: &str = "org.freedesktop.appearance";
const KEY: &str = "color-scheme";

/// The preference, as the UI gets it.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ColorScheme {
    Dark,
    Light,
    NoPreference,
}

#[derive(Clone, Serialize)]
struct Changed {
    color_scheme: ColorScheme,
}

/// Reads the preference (blocking: one D-Bus call).
pub fn color_scheme() -> ColorScheme {
    read().unwrap_or(ColorScheme::NoPreference)
}

/// Follows `SettingChanged` on a thread of its own, if there is a portal.
pub fn watch(app: AppHandle) {
    std::thread::spawn(move || {
        if let Err(e) = follow(&app) {
            tracing::debug!(error = %e, "no settings portal; the colour scheme is not followed");
        }
    });
}

fn proxy(bus: &zbus::blocking::Connection) -> zbus::Result<zbus::blocking::Proxy<'static>> {
    zbus::blocking::Proxy::new(bus, PORTAL, PATH, SETTINGS)
}

fn read() -> zbus::Result<ColorScheme> {
    let bus = zbus::blocking::Connection::session()?;
    let value: OwnedValue = proxy(&bus)?.call("Read", &(NAMESPACE, KEY))?;
    Ok(scheme(&value))
}

fn follow(app: &AppHandle) -> zbus::Result<()> {
    let bus = zbus::blocking::Connection::session()?;
    let proxy = proxy(&bus)?;
    // Only with a portal there: a desktop without one never sends the signal.
    let _: OwnedValue = proxy.call("Read", &(NAMESPACE, KEY))?;
    for message in proxy.receive_signal("SettingChanged")? {
        let Ok((namespace, key, value)) = message.body().deserialize::<(String, String, OwnedValue)>() else {
            continue;
        };
        if namespace == NAMESPACE && key == KEY {
            let _ = app.emit("appearance://changed", Changed { color_scheme: scheme(&value) });
        }
    }
    Ok(())
}

/// 1 dark, 2 light, else no preference; `Read` wraps the value in one or two variants.
fn scheme(value: &Value<'_>) -> ColorScheme {
    match value {
        Value::Value(inner) => scheme(inner),
        Value::U32(1) => ColorScheme::Dark,
        Value::U32(2) => ColorScheme::Light,
        _ => ColorScheme::NoPreference,
    }
}
