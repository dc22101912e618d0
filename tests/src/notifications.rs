//! A notification server for tests: `org.freedesktop.Notifications` on the session bus (the
//! private one of `.ci/with-keyring`), recording every `Notify` call. It can invoke an action
//! on a notification it got, as a desktop does when the user clicks it.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dbus::blocking::Connection;
use dbus::channel::{MatchingReceiver as _, Sender as _};
use dbus::message::MatchRule;

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
    commands: mpsc::Sender<Command>,
}

enum Command {
    Invoke(u32, String),
    Stop,
}

impl NotificationServer {
    /// Takes the name on the session bus and serves on a thread of its own.
    pub fn start() -> Result<Self, dbus::Error> {
        let received = Arc::new(Mutex::new(Vec::new()));
        let (commands, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let store = received.clone();
        std::thread::spawn(move || serve(&store, &rx, &ready_tx));
        ready_rx.recv().unwrap_or_else(|_| Err(dbus::Error::new_failed("the server thread died")))?;
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
        let _ = self.commands.send(Command::Invoke(id, action.to_owned()));
    }
}

impl Drop for NotificationServer {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
    }
}

fn serve(
    store: &Arc<Mutex<Vec<Received>>>,
    commands: &mpsc::Receiver<Command>,
    ready: &mpsc::Sender<Result<(), dbus::Error>>,
) {
    let conn = match Connection::new_session() {
        Ok(c) => c,
        Err(e) => return drop(ready.send(Err(e))),
    };
    if let Err(e) = conn.request_name(NAME, false, true, true) {
        return drop(ready.send(Err(e)));
    }
    let log = store.clone();
    conn.start_receive(
        MatchRule::new_method_call(),
        Box::new(move |msg, conn| {
            let reply = match msg.member().as_deref() {
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
            Ok(Command::Invoke(id, action)) => {
                if let Ok(signal) = dbus::Message::new_signal(PATH, NAME, "ActionInvoked") {
                    let _ = conn.send(signal.append2(id, action));
                }
            }
            Ok(Command::Stop) | Err(mpsc::TryRecvError::Disconnected) => return,
            Err(mpsc::TryRecvError::Empty) => {}
        }
    }
}
