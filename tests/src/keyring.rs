//! The real Secret Service in tests: whether it is available (inside `.ci/with-keyring`),
//! and locking / unlocking gnome-keyring's default collection without a person.

use std::time::Duration;

use dbus::arg::Variant;
use dbus::blocking::Connection;
use dbus::blocking::stdintf::org_freedesktop_dbus::Properties;

const DEFAULT_COLLECTION: &str = "/org/freedesktop/secrets/aliases/default";

/// Fails the calling test unless it runs against a real, unlocked Secret Service
/// (`.ci/with-keyring` sets `SKYPORT_TEST_SECRET_SERVICE=1`). Tests that need one are
/// `#[ignore]`d, so a plain `cargo test` reports them as ignored; asked for with
/// `--include-ignored` outside `.ci/with-keyring`, they fail here rather than pass.
pub fn require_secret_service() {
    assert_eq!(
        std::env::var("SKYPORT_TEST_SECRET_SERVICE").as_deref(),
        Ok("1"),
        "this test needs a real Secret Service: run it through .ci/with-keyring"
    );
}

/// While alive, gnome-keyring's default collection is locked (`Secret.Service.Lock`, which
/// needs no prompt). On drop it is unlocked with the master password
/// (`SKYPORT_TEST_KEYRING_PASSWORD`) through gnome-keyring's `UnlockWithMasterPassword`.
pub struct LockedCollection;

impl LockedCollection {
    /// Locks the default collection.
    pub fn lock() -> Self {
        let bus = Connection::new_session().expect("session bus");
        let (_locked, prompt): (Vec<dbus::Path>, dbus::Path) = proxy(&bus, "/org/freedesktop/secrets")
            .method_call(
                "org.freedesktop.Secret.Service",
                "Lock",
                (vec![dbus::Path::from(DEFAULT_COLLECTION)],),
            )
            .expect("Secret.Service.Lock");
        assert_eq!(&*prompt, "/", "locking asked for a prompt");
        assert!(is_locked(&bus), "the default collection did not lock");
        LockedCollection
    }
}

impl Drop for LockedCollection {
    fn drop(&mut self) {
        let password =
            std::env::var("SKYPORT_TEST_KEYRING_PASSWORD").unwrap_or_else(|_| "test-password".into());
        let Ok(bus) = Connection::new_session() else { return };
        let service = proxy(&bus, "/org/freedesktop/secrets");
        let opened: Result<(Variant<String>, dbus::Path), _> = service.method_call(
            "org.freedesktop.Secret.Service",
            "OpenSession",
            ("plain", Variant(String::new())),
        );
        let Ok((_, session)) = opened else { return };
        let alias: Result<(dbus::Path,), _> =
            service.method_call("org.freedesktop.Secret.Service", "ReadAlias", ("default",));
        let Ok((collection,)) = alias else { return };
        // A Secret Service "Secret": (session, parameters, value, content type).
        let master = (session, Vec::<u8>::new(), password.into_bytes(), "text/plain");
        let unlocked: Result<(), dbus::Error> = service.method_call(
            "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
            "UnlockWithMasterPassword",
            (collection, master),
        );
        if !std::thread::panicking() {
            unlocked.expect("unlock with the master password");
            assert!(!is_locked(&bus), "the default collection is still locked");
        }
    }
}

/// Whether the default collection is locked.
pub fn is_locked(bus: &Connection) -> bool {
    proxy(bus, DEFAULT_COLLECTION).get("org.freedesktop.Secret.Collection", "Locked").unwrap_or(false)
}

fn proxy<'a>(bus: &'a Connection, path: &'a str) -> dbus::blocking::Proxy<'a, &'a Connection> {
    bus.with_proxy("org.freedesktop.secrets", path, Duration::from_secs(5))
}
