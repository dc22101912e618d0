use std::sync::Arc;

use super::*;

const BINARY: &[u8] = &[0, 0xff, 0xfe, b'\n', 0, 42];

#[test]
fn round_trip_of_binary_bytes() {
    let keychain = MemoryKeychain::new();
    keychain.put("did:plc:alice/s1", BINARY).unwrap();
    let secret = keychain.get("did:plc:alice/s1").unwrap().expect("stored");
    assert_eq!(secret.expose(), BINARY);
}

#[test]
fn missing_item_is_none_not_an_error() {
    let keychain = MemoryKeychain::new();
    assert!(keychain.get("nobody").unwrap().is_none());
    assert!(!keychain.delete("nobody").unwrap());
}

#[test]
fn put_overwrites() {
    let keychain = MemoryKeychain::new();
    keychain.put("a", b"one").unwrap();
    keychain.put("a", b"two").unwrap();
    assert_eq!(keychain.get("a").unwrap().unwrap().expose(), b"two");
    assert_eq!(keychain.names(), ["a"]);
}

#[test]
fn delete_reports_whether_something_went() {
    let keychain = MemoryKeychain::new();
    keychain.put("a", b"one").unwrap();
    assert!(keychain.delete("a").unwrap());
    assert!(!keychain.delete("a").unwrap());
    assert!(keychain.get("a").unwrap().is_none());
}

#[test]
fn names_are_independent() {
    let keychain = MemoryKeychain::new();
    keychain.put("b", b"2").unwrap();
    keychain.put("a", b"1").unwrap();
    assert_eq!(keychain.names(), ["a", "b"]);
    assert_eq!(keychain.get("a").unwrap().unwrap().expose(), b"1");
}

#[test]
fn locked_fails_every_call_and_keeps_the_items() {
    let keychain = MemoryKeychain::new();
    keychain.put("a", b"one").unwrap();
    keychain.set_failure(Some(KeychainError::Locked));

    let err = keychain.get("a").unwrap_err();
    assert!(err.is_locked(), "{err:?}");
    assert!(keychain.put("a", b"two").unwrap_err().is_locked());
    assert!(keychain.delete("a").unwrap_err().is_locked());
    assert!(keychain.contains("a"), "a locked delete must not delete");

    keychain.set_failure(None);
    assert_eq!(keychain.get("a").unwrap().unwrap().expose(), b"one");
}

#[test]
fn unavailable_and_timeout_can_be_simulated() {
    let keychain = MemoryKeychain::new();
    keychain.set_failure(Some(KeychainError::unavailable("no D-Bus session bus")));
    let err = keychain.get("a").unwrap_err();
    assert!(err.is_unavailable());
    assert_eq!(err, KeychainError::Unavailable { reason: "no D-Bus session bus".into() });

    keychain.set_failure(Some(KeychainError::Timeout));
    assert!(keychain.put("a", b"x").unwrap_err().is_timeout());
    assert!(!keychain.contains("a"));
}

#[test]
fn works_as_a_shared_trait_object() {
    let keychain = Arc::new(MemoryKeychain::new());
    let store: Arc<dyn SecretStore> = keychain.clone();
    assert_eq!(store.backend(), "memory");
    store.put("a", b"one").unwrap();
    keychain.set_failure(Some(KeychainError::Locked));
    assert!(store.get("a").unwrap_err().is_locked());
}

#[test]
fn debug_shows_no_secrets() {
    let keychain = MemoryKeychain::new();
    keychain.put("a", b"super-secret").unwrap();
    let shown = format!("{keychain:?}");
    assert!(!shown.contains("super-secret"), "{shown}");
    assert!(shown.contains("items: 1"), "{shown}");
}
