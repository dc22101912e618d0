//! A settings portal for tests: `org.freedesktop.portal.Desktop` on the session bus (the
//! private one of `.ci/with-keyring`) answering `org.freedesktop.portal.Settings.Read` for
//! `org.freedesktop.appearance` `color-scheme`, and sending `SettingChanged` when a test
//! changes it, as a desktop does when the user switches between light and dark.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use dbus::arg::Variant;
use dbus::blocking::Connection;
use dbus::channel::{MatchingReceiver as _, Sender as _};
use dbus::message::MatchRule;

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
    commands: mpsc::Sender<Option<u32>>,
}

impl SettingsPortal {
    /// Takes the name on the session bus with `scheme` as the current value.
    pub fn start(scheme: u32) -> Result<Self, dbus::Error> {
        let value = Arc::new(AtomicU32::new(scheme));
        let (commands, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let shared = value.clone();
        std::thread::spawn(move || serve(&shared, &rx, &ready_tx));
        ready_rx.recv().unwrap_or_else(|_| Err(dbus::Error::new_failed("the portal thread died")))?;
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

fn serve(
    scheme: &Arc<AtomicU32>,
    commands: &mpsc::Receiver<Option<u32>>,
    ready: &mpsc::Sender<Result<(), dbus::Error>>,
) {
    let conn = match Connection::new_session() {
        Ok(c) => c,
        Err(e) => return drop(ready.send(Err(e))),
    };
    if let Err(e) = conn.request_name(NAME, false, true, true) {
        return drop(ready.send(Err(e)));
    }
    let current = scheme.clone();
    conn.start_receive(
        MatchRule::new_method_call(),
        Box::new(move |msg, conn| {
            let (namespace, key): (String, String) = msg.read2().unwrap_or_default();
            let reply = match msg.member().as_deref() {
                // `Read` answers the value wrapped in two variants (the portal's old API).
                Some("Read") if namespace == NAMESPACE && key == KEY => {
                    msg.method_return().append1(Variant(Variant(current.load(Ordering::SeqCst))))
                }
                Some("ReadOne") if namespace == NAMESPACE && key == KEY => {
                    msg.method_return().append1(Variant(current.load(Ordering::SeqCst)))
                }
                _ => dbus::Message::error(
                    &msg,
                    &"org.freedesktop.portal.Error.NotFound".into(),
                    &std::ffi::CString::new("no such setting").unwrap(),
                ),
            };
            let _ = conn.send(reply);
            true
        }),
    );
    let _ = ready.send(Ok(()));
    loop {
        if conn.process(Duration::from_millis(50)).is_err() {
            return;
        }
        match commands.try_recv() {
            Ok(Some(value)) => {
                if let Ok(signal) = dbus::Message::new_signal(PATH, SETTINGS, "SettingChanged") {
                    let _ = conn.send(signal.append3(NAMESPACE, KEY, Variant(value)));
                }
            }
            Ok(None) | Err(mpsc::TryRecvError::Disconnected) => return,
            Err(mpsc::TryRecvError::Empty) => {}
        }
    }
}
