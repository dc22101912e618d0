//! `OsKeychain` against real D-Bus: a real Secret Service (gnome-keyring), a bus without any
//! Secret Service, a missing bus, and a bus that never answers.
//!
//! The tests that need gnome-keyring run only with `SKYPORT_TEST_SECRET_SERVICE=1`, inside a
//! private session bus with an unlocked "login" collection whose password is
//! `SKYPORT_TEST_KEYRING_PASSWORD` (default `test-password`); `tests/run-secret-service.sh`
//! sets all of that up (and unsets `DISPLAY`, so the unlock prompt for a locked collection is
//! dismissed at once instead of waiting for a person). They are `#[ignore]`d, so a plain
//! `cargo test` counts them as ignored (never as passed); `.ci/with-keyring ... --
//! --include-ignored` runs them, and they fail if the variable is missing. The missing-bus and
//! silent-bus tests need only libdbus and always run.
//!
//! Scenarios that need a different `DBUS_SESSION_BUS_ADDRESS` run in a child process (this
//! same binary, test `child_process_scenario`): libdbus reads the address once per process.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use skyport_keychain::{KeychainError, OsKeychain, SecretStore};
use skyport_tests::keyring::LockedCollection;

const SERVICE: &str = "app.skyport.keychain-test";

// ---------------------------------------------------------------------------------------------
// Against gnome-keyring (SKYPORT_TEST_SECRET_SERVICE=1)

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn round_trip_of_binary_bytes() {
    let _serial = real_secret_service();
    let keychain = OsKeychain::new(SERVICE);
    let name = item_name("round-trip");
    let all_bytes: Vec<u8> = (0..=255u8).chain([0, 0, 0xff]).collect();

    keychain.put(&name, &all_bytes).unwrap();
    let secret = keychain.get(&name).unwrap().expect("the item was just stored");
    assert_eq!(secret.expose(), all_bytes.as_slice());
    assert_eq!(keychain.backend(), "secret-service");

    assert!(keychain.delete(&name).unwrap(), "delete of an existing item reports true");
    assert!(keychain.get(&name).unwrap().is_none(), "gone after delete");
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn put_overwrites() {
    let _serial = real_secret_service();
    let keychain = OsKeychain::new(SERVICE);
    let name = item_name("overwrite");

    keychain.put(&name, b"first").unwrap();
    keychain.put(&name, b"second, longer\0value").unwrap();
    assert_eq!(keychain.get(&name).unwrap().unwrap().expose(), b"second, longer\0value");
    assert!(keychain.delete(&name).unwrap());
    assert!(!keychain.delete(&name).unwrap(), "one put made one item, even after an overwrite");
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn missing_item_is_none_and_delete_missing_is_false() {
    let _serial = real_secret_service();
    let keychain = OsKeychain::new(SERVICE);
    let name = item_name("never-stored");
    assert!(keychain.get(&name).unwrap().is_none());
    assert!(!keychain.delete(&name).unwrap());
}

#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn service_keeps_items_apart() {
    let _serial = real_secret_service();
    let ours = OsKeychain::new(SERVICE);
    let theirs = OsKeychain::new("app.skyport.keychain-test.other");
    let name = item_name("shared-name");

    ours.put(&name, b"ours").unwrap();
    assert!(theirs.get(&name).unwrap().is_none());
    assert!(!theirs.delete(&name).unwrap());
    assert_eq!(ours.get(&name).unwrap().unwrap().expose(), b"ours");
    assert!(ours.delete(&name).unwrap());
}

/// A locked collection is `Locked` for every call, never "missing", and nothing is deleted.
#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn locked_collection_is_locked_not_missing() {
    let _serial = real_secret_service();
    let keychain = OsKeychain::new(SERVICE);
    let name = item_name("locked");
    keychain.put(&name, b"kept while locked").unwrap();

    {
        let _locked = LockedCollection::lock();
        for (op, result) in [
            ("get", keychain.get(&name).map(|found| format!("found: {}", found.is_some()))),
            ("put", keychain.put(&name, b"written while locked").map(|()| "written".into())),
            ("delete", keychain.delete(&name).map(|deleted| format!("deleted: {deleted}"))),
        ] {
            assert_eq!(result, Err(KeychainError::Locked), "{op} on a locked collection");
        }
        // gnome-keyring finds nothing for a name it does not have, even while locked; that is
        // still not "missing" while the collection cannot be read.
        let never = item_name("locked-never-stored");
        assert_eq!(keychain.get(&never).unwrap_err(), KeychainError::Locked, "locked get of nothing");
        assert_eq!(keychain.delete(&never).unwrap_err(), KeychainError::Locked, "locked delete of nothing");
        assert_eq!(
            keychain.put(&never, b"new").unwrap_err(),
            KeychainError::Locked,
            "locked put of a new item"
        );
    }
    assert!(
        keychain.get(&item_name("locked-never-stored")).unwrap().is_none(),
        "the locked put wrote nothing"
    );

    let secret = keychain.get(&name).unwrap().expect("the item survives the locked calls");
    assert_eq!(secret.expose(), b"kept while locked", "the locked put changed nothing");
    assert!(keychain.delete(&name).unwrap());
}

/// Every call of the process shares one connection (one encrypted session); when
/// gnome-keyring restarts between two calls, the next call connects again, once, and finds
/// the item the restarted daemon loaded from disk.
#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn one_connection_per_process_and_one_reconnect_after_a_restart() {
    let _serial = real_secret_service();
    let keychain = OsKeychain::new(SERVICE);
    let other = OsKeychain::new("app.skyport.keychain-test.other");
    let name = item_name("restart");
    keychain.put(&name, b"kept across a restart").unwrap();
    let before = skyport_keychain::connections_made();
    assert!(before >= 1);
    for _ in 0..10 {
        assert!(keychain.get(&name).unwrap().is_some());
        assert!(other.get(&name).unwrap().is_none());
    }
    assert_eq!(skyport_keychain::connections_made(), before, "20 calls, no new connection");

    restart_gnome_keyring();
    let secret = keychain.get(&name).unwrap().expect("the restarted daemon has the item");
    assert_eq!(secret.expose(), b"kept across a restart");
    assert_eq!(skyport_keychain::connections_made(), before + 1, "connected again, once");
    assert!(keychain.delete(&name).unwrap());
    assert_eq!(skyport_keychain::connections_made(), before + 1);
}

/// Items Skyport 0.1 wrote (through `keyring` v3) are found, replaced in place and deleted;
/// items written now are found by `keyring` v3 (a downgrade keeps its sessions).
#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn items_written_by_keyring_v3_are_found_and_the_other_way_round() {
    let _serial = real_secret_service();
    let keychain = OsKeychain::new(SERVICE);
    let old = item_name("written-by-0.1");
    let entry = keyring::Entry::new(SERVICE, &old).unwrap();
    entry.set_secret(b"from 0.1").unwrap();
    assert_eq!(keychain.get(&old).unwrap().expect("found").expose(), b"from 0.1");
    keychain.put(&old, b"rotated").unwrap();
    assert_eq!(entry.get_secret().unwrap(), b"rotated", "the same item, not a second one");
    assert!(keychain.delete(&old).unwrap());
    assert!(matches!(entry.get_secret(), Err(keyring::Error::NoEntry)));

    let new = item_name("written-now");
    keychain.put(&new, b"from now").unwrap();
    let entry = keyring::Entry::new(SERVICE, &new).unwrap();
    assert_eq!(entry.get_secret().unwrap(), b"from now");
    entry.delete_credential().unwrap();
    assert!(keychain.get(&new).unwrap().is_none());
}

/// A session bus with no Secret Service on it (no provider, nothing to activate).
#[ignore = "needs the real Secret Service: run through .ci/with-keyring, with --include-ignored"]
#[test]
fn bus_without_secret_service_is_unavailable() {
    let _serial = real_secret_service();
    let bus = EmptyBus::start();
    let report = run_child(&bus.address, Duration::from_secs(3));
    for (op, line) in ["get", "put", "delete"].iter().zip(&report) {
        assert_eq!(line.op, *op);
        assert_eq!(line.result, format!("{:?}", unavailable("no Secret Service provider")), "{op}");
    }
}

// ---------------------------------------------------------------------------------------------
// Without gnome-keyring: always run

#[test]
fn missing_bus_is_unavailable_within_the_timeout() {
    let dir = scratch_dir("missing-bus");
    let address = format!("unix:path={}", dir.join("no-such-socket").display());
    let report = run_child(&address, Duration::from_secs(3));
    assert_eq!(report.len(), 3);
    for line in &report {
        assert_eq!(line.result, format!("{:?}", unavailable("no D-Bus session bus")), "{}", line.op);
        assert!(line.elapsed < Duration::from_secs(3), "{} took {:?}", line.op, line.elapsed);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A socket that accepts and then never says a word: every call must end in `Timeout` at
/// about the configured limit, never in "no such item".
#[test]
fn silent_bus_times_out() {
    let dir = scratch_dir("silent-bus");
    let socket = dir.join("bus");
    let listener = UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });

    let limit = Duration::from_millis(400);
    let report = run_child(&format!("unix:path={}", socket.display()), limit);
    assert_eq!(report.len(), 3);
    for line in &report {
        assert_eq!(line.result, format!("{:?}", Err::<(), _>(KeychainError::Timeout)), "{}", line.op);
        assert!(line.elapsed >= limit, "{} answered before the limit: {:?}", line.op, line.elapsed);
        assert!(line.elapsed < limit * 5, "{} ignored the limit: {:?}", line.op, line.elapsed);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs in a child process started by `run_child` (which passes `--ignored`); on its own it
/// fails.
#[test]
#[ignore = "a child process of the other tests, not a test of its own"]
fn child_process_scenario() {
    let timeout_ms = std::env::var("SKYPORT_KEYCHAIN_CHILD_TIMEOUT_MS")
        .expect("child_process_scenario runs only as a child of the other tests");
    let timeout = Duration::from_millis(timeout_ms.parse().unwrap());
    let keychain = OsKeychain::new(SERVICE).with_timeout(timeout);
    let name = item_name("child");
    let started = Instant::now();
    let get = keychain.get(&name).map(|found| found.map(|secret| secret.expose().len()));
    println!("CHILD get {} {:?}", started.elapsed().as_millis(), get);
    let started = Instant::now();
    let put = keychain.put(&name, b"child");
    println!("CHILD put {} {:?}", started.elapsed().as_millis(), put);
    let started = Instant::now();
    let delete = keychain.delete(&name);
    println!("CHILD delete {} {:?}", started.elapsed().as_millis(), delete);
}

// ---------------------------------------------------------------------------------------------
// Support

/// Holds the lock that keeps these tests from running at the same time. Fails the test when
/// there is no real Secret Service (the test was asked for with `--include-ignored` outside
/// `.ci/with-keyring`).
fn real_secret_service() -> MutexGuard<'static, ()> {
    skyport_tests::keyring::require_secret_service();
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stops the gnome-keyring of this session bus and starts a new one, unlocked with the test
/// password (the login collection comes back from disk).
fn restart_gnome_keyring() {
    let bus = dbus::blocking::Connection::new_session().unwrap();
    let dbus_proxy = bus.with_proxy("org.freedesktop.DBus", "/org/freedesktop/DBus", Duration::from_secs(5));
    let (pid,): (u32,) = dbus_proxy
        .method_call("org.freedesktop.DBus", "GetConnectionUnixProcessID", ("org.freedesktop.secrets",))
        .unwrap();
    let killed = Command::new("kill").arg(pid.to_string()).status().unwrap();
    assert!(killed.success());
    let owned = |proxy: &dbus::blocking::Proxy<'_, &dbus::blocking::Connection>| {
        proxy
            .method_call::<(bool,), _, _, _>(
                "org.freedesktop.DBus",
                "NameHasOwner",
                ("org.freedesktop.secrets",),
            )
            .map(|(b,)| b)
            .unwrap_or(false)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while owned(&dbus_proxy) {
        assert!(Instant::now() < deadline, "gnome-keyring did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
    let password = std::env::var("SKYPORT_TEST_KEYRING_PASSWORD").unwrap_or_else(|_| "test-password".into());
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    daemon.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
    assert!(daemon.wait().unwrap().success(), "gnome-keyring-daemon did not start");
    while !owned(&dbus_proxy) {
        assert!(Instant::now() < deadline, "gnome-keyring did not come back");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn item_name(what: &str) -> String {
    format!("{what}-{}", std::process::id())
}

fn unavailable(reason: &str) -> Result<(), KeychainError> {
    Err(KeychainError::Unavailable { reason: reason.into() })
}

fn scratch_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skyport-keychain-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One line of a child's report: the operation, how long it took, and its result's `Debug`
/// with the value reduced to `()` so reports compare the same for get, put and delete.
#[derive(Debug)]
struct ChildLine {
    op: String,
    elapsed: Duration,
    result: String,
}

/// Runs `child_process_scenario` with another session bus address and a given time limit.
fn run_child(bus_address: &str, timeout: Duration) -> Vec<ChildLine> {
    let started = Instant::now();
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_process_scenario", "--ignored", "--nocapture", "--test-threads=1"])
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .env("SKYPORT_KEYCHAIN_CHILD_TIMEOUT_MS", timeout.as_millis().to_string())
        .env_remove("SKYPORT_TEST_SECRET_SERVICE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(started.elapsed() < Duration::from_secs(30), "the child took {:?}", started.elapsed());
    let lines: Vec<ChildLine> = stdout
        .lines()
        // The harness may print "test child_process_scenario ... " on the same line first.
        .filter_map(|line| line.split_once("CHILD ").map(|(_, report)| report))
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let op = parts.next().unwrap().to_owned();
            let elapsed = Duration::from_millis(parts.next().unwrap().parse().unwrap());
            let result = parts.next().unwrap();
            // Errors print the same for every op; keep successes recognisable.
            let result = if result.starts_with("Err(") { result.to_owned() } else { format!("ok {result}") };
            ChildLine { op, elapsed, result }
        })
        .collect();
    assert_eq!(lines.iter().map(|line| line.op.as_str()).collect::<Vec<_>>(), ["get", "put", "delete"]);
    lines
}

/// A private `dbus-daemon` with no services at all, stopped on drop.
struct EmptyBus {
    daemon: Child,
    address: String,
    dir: PathBuf,
}

impl EmptyBus {
    fn start() -> Self {
        let dir = scratch_dir("empty-bus");
        let config = dir.join("session.conf");
        std::fs::write(&config, empty_bus_config(&dir.join("bus"))).unwrap();
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (apt package dbus)");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut address).unwrap();
        EmptyBus { daemon, address: address.trim().to_owned(), dir }
    }
}

impl Drop for EmptyBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn empty_bus_config(socket: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        socket.display()
    )
}
