//! A StatusNotifier watcher for tests: owns `org.kde.StatusNotifierWatcher` on the session bus
//! (the private one of `.ci/with-keyring`), as a desktop with a tray does, so the app sees a
//! tray that can show its icon. It registers items and says a host is present; it draws
//! nothing.

use std::sync::mpsc;
use std::time::Duration;

use dbus::arg::{RefArg, Variant};
use dbus::blocking::Connection;
use dbus::channel::{MatchingReceiver as _, Sender as _};
use dbus::message::MatchRule;

const NAME: &str = "org.kde.StatusNotifierWatcher";

/// The running watcher; it gives up its name when dropped.
pub struct TrayWatcher {
    stop: mpsc::Sender<()>,
}

impl TrayWatcher {
    /// Takes the name and serves on a thread of its own.
    pub fn start() -> Result<Self, dbus::Error> {
        let (stop, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || serve(&rx, &ready_tx));
        ready_rx.recv().unwrap_or_else(|_| Err(dbus::Error::new_failed("the watcher thread died")))?;
        Ok(Self { stop })
    }
}

impl Drop for TrayWatcher {
    fn drop(&mut self) {
        let _ = self.stop.send(());
    }
}

fn serve(stop: &mpsc::Receiver<()>, ready: &mpsc::Sender<Result<(), dbus::Error>>) {
    let conn = match Connection::new_session() {
        Ok(c) => c,
        Err(e) => return drop(ready.send(Err(e))),
    };
    if let Err(e) = conn.request_name(NAME, false, true, true) {
        return drop(ready.send(Err(e)));
    }
    conn.start_receive(
        MatchRule::new_method_call(),
        Box::new(|msg, conn| {
            let reply = match msg.member().as_deref() {
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
            };
            let _ = conn.send(reply);
            true
        }),
    );
    let _ = ready.send(Ok(()));
    while stop.try_recv() == Err(mpsc::TryRecvError::Empty) {
        if conn.process(Duration::from_millis(50)).is_err() {
            return;
        }
    }
    let _ = conn.release_name(NAME);
}
