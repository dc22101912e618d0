//! A settings portal for tests: `org.freedesktop.portal.Desktop` on the session bus (the
//! private one of `.ci/with-keyring`) answering `org.freedesktop.portal.Settings.Read` for
//! `org.freedesktop.appearance` `color-scheme`, and sending `SettingChanged` when a test
//! changes it, as a desktop does when the user switches between light and dark.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use dbus::arg::Variant;
use dbus::channel::Sender as _;

use crate::bus_service::{Commands, serve};

const NAME: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const SETTINGS: &str = "org.freedesktop.portal.Settings";
const NAMESPACE: &str = "org.freedesktop.appearance";
const KEY: &str = "color-scheme";

/// The portal's `color-scheme` values.
pub const NO_PREFERENCE: u32 = 0;
/// Dark.
pub const DARK: u32 = 1;
/// Light.
pub const LIGHT: u32 = 2;

/// The running portal; it releases its name when dropped.
pub struct SettingsPortal {
    scheme: Arc<AtomicU32>,
    commands: Commands<u32>,
}

impl SettingsPortal {
    /// Takes the name on the session bus with `scheme` as the current value.
    pub fn start(scheme: u32) -> Result<Self, dbus::Error> {
        let value = Arc::new(AtomicU32::new(scheme));
        let current = value.clone();
        let commands = serve(
            NAME,
            move |msg| {
                let (namespace, key): (String, String) = msg.read2().unwrap_or_default();
                let ours = namespace == NAMESPACE && key == KEY;
                match msg.member().as_deref() {
                    // `Read` answers the value wrapped in two variants (the portal's old API).
                    Some("Read") if ours => {
                        msg.method_return().append1(Variant(Variant(current.load(Ordering::SeqCst))))
                    }
                    Some("ReadOne") if ours => {
                        msg.method_return().append1(Variant(current.load(Ordering::SeqCst)))
                    }
                    _ => dbus::Message::error(
                        msg,
                        &"org.freedesktop.portal.Error.NotFound".into(),
                        c"no such setting",
                    ),
                }
            },
            |conn, value: u32| {
                if let Ok(signal) = dbus::Message::new_signal(PATH, SETTINGS, "SettingChanged") {
                    let _ = conn.send(signal.append3(NAMESPACE, KEY, Variant(value)));
                }
            },
        )?;
        Ok(Self { scheme: value, commands })
    }

    /// Changes the value and sends `SettingChanged`.
    pub fn set(&self, scheme: u32) {
        self.scheme.store(scheme, Ordering::SeqCst);
        let _ = self.commands.send(Some(scheme));
    }
}

impl Drop for SettingsPortal {
    fn drop(&mut self) {
        let _ = self.commands.send(None);
    }
}
