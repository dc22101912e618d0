//! A StatusNotifier watcher for tests: owns `org.kde.StatusNotifierWatcher` on the session bus
//! (the private one of `.ci/with-keyring`), as a desktop with a tray does, so the app sees a
//! tray that can show its icon. It registers items and says a host is present; it draws
//! nothing.

use dbus::arg::{RefArg, Variant};

use crate::bus_service::{Commands, serve};

const NAME: &str = "org.kde.StatusNotifierWatcher";

/// The running watcher; it gives up its name when dropped.
pub struct TrayWatcher {
    commands: Commands<()>,
}

impl TrayWatcher {
    /// Takes the name and serves on a thread of its own.
    pub fn start() -> Result<Self, dbus::Error> {
        let commands = serve(
            NAME,
            |msg| match msg.member().as_deref() {
                // org.freedesktop.DBus.Properties.Get(interface, name)
                Some("Get") => {
                    let (_, name): (String, String) = msg.read2().unwrap_or_default();
                    let value: Box<dyn RefArg> = match name.as_str() {
                        "IsStatusNotifierHostRegistered" => Box::new(true),
                        "ProtocolVersion" => Box::new(0i32),
                        _ => Box::new(Vec::<String>::new()),
                    };
                    msg.method_return().append1(Variant(value))
                }
                _ => msg.method_return(),
            },
            |_, ()| {},
        )?;
        Ok(Self { commands })
    }
}

impl Drop for TrayWatcher {
    fn drop(&mut self) {
        let _ = self.commands.send(None);
    }
}
