//! A notification server for tests: `org.freedesktop.Notifications` on the session bus (the
//! private one of `.ci/with-keyring`), recording every `Notify` call. It can invoke an action
//! on a notification it got, as a desktop does when the user clicks it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dbus::channel::Sender as _;

use crate::bus_service::{Commands, serve};

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// One notification as the server got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The id the server gave it.
    pub id: u32,
    /// The sender's application name.
    pub app_name: String,
    /// The title.
    pub summary: String,
    /// The text.
    pub body: String,
    /// Action keys and labels, alternating.
    pub actions: Vec<String>,
}

/// The running server; it releases its name when dropped.
pub struct NotificationServer {
    received: Arc<Mutex<Vec<Received>>>,
    commands: Commands<(u32, String)>,
}

impl NotificationServer {
    /// Takes the name on the session bus and serves on a thread of its own.
    pub fn start() -> Result<Self, dbus::Error> {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let commands = serve(
            NAME,
            move |msg| match msg.member().as_deref() {
                Some("Notify") => {
                    let mut args = msg.iter_init();
                    let app_name: String = args.read().unwrap_or_default();
                    let _replaces: u32 = args.read().unwrap_or_default();
                    let _icon: String = args.read().unwrap_or_default();
                    let summary: String = args.read().unwrap_or_default();
                    let body: String = args.read().unwrap_or_default();
                    let actions: Vec<String> = args.read().unwrap_or_default();
                    let mut log = log.lock().unwrap();
                    let id = u32::try_from(log.len()).unwrap_or(u32::MAX - 1) + 1;
                    log.push(Received { id, app_name, summary, body, actions });
                    msg.method_return().append1(id)
                }
                Some("GetCapabilities") => msg.method_return().append1(vec!["actions", "body"]),
                Some("GetServerInformation") => {
                    msg.method_return().append3("skyport-tests", "skyport", "1").append1("1.2")
                }
                _ => msg.method_return(),
            },
            |conn, (id, action): (u32, String)| {
                if let Ok(signal) = dbus::Message::new_signal(PATH, NAME, "ActionInvoked") {
                    let _ = conn.send(signal.append2(id, action));
                }
            },
        )?;
        Ok(Self { received, commands })
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` notifications arrived (or the time is up); returns them all.
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= count || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends `ActionInvoked(id, action)`, as when the user clicks the notification
    /// (`"default"`) or one of its buttons.
    pub fn invoke(&self, id: u32, action: &str) {
        let _ = self.commands.send(Some((id, action.to_owned())));
    }
}

impl Drop for NotificationServer {
    fn drop(&mut self) {
        let _ = self.commands.send(None);
    }
}
