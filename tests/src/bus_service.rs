//! One way to serve a well-known name on the session bus (the private one of
//! `.ci/with-keyring`) from a thread of its own, for the fake desktop services the GUI tests
//! need (notifications, the settings portal, a tray watcher).

use std::sync::mpsc;
use std::time::Duration;

use dbus::Message;
use dbus::blocking::Connection;
use dbus::channel::{MatchingReceiver as _, Sender as _};
use dbus::message::MatchRule;

/// A command for the service thread: `Some` is handed to its `on_command`, `None` stops it.
pub(crate) type Commands<C> = mpsc::Sender<Option<C>>;

/// Takes `name` and answers every method call with `answer`'s reply; `on_command` runs on the
/// service's thread for each command sent (to emit signals). Returns once the name is owned.
pub(crate) fn serve<C: Send + 'static>(
    name: &'static str,
    mut answer: impl FnMut(&Message) -> Message + Send + 'static,
    mut on_command: impl FnMut(&Connection, C) + Send + 'static,
) -> Result<Commands<C>, dbus::Error> {
    let (commands, rx) = mpsc::channel::<Option<C>>();
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let conn = match Connection::new_session() {
            Ok(c) => c,
            Err(e) => return drop(ready_tx.send(Err(e))),
        };
        if let Err(e) = conn.request_name(name, false, true, true) {
            return drop(ready_tx.send(Err(e)));
        }
        conn.start_receive(
            MatchRule::new_method_call(),
            Box::new(move |msg, conn| {
                let _ = conn.send(answer(&msg));
                true
            }),
        );
        let _ = ready_tx.send(Ok(()));
        loop {
            if conn.process(Duration::from_millis(50)).is_err() {
                return;
            }
            match rx.try_recv() {
                Ok(Some(command)) => on_command(&conn, command),
                Ok(None) | Err(mpsc::TryRecvError::Disconnected) => {
                    let _ = conn.release_name(name);
                    return;
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
        }
    });
    ready_rx.recv().unwrap_or_else(|_| Err(dbus::Error::new_failed("the service thread died")))?;
    Ok(commands)
}
