use std::time::Instant;

use super::*;

#[test]
fn a_slow_call_times_out_instead_of_answering() {
    let started = Instant::now();
    let result = run_with_timeout(Duration::from_millis(50), || {
        thread::sleep(Duration::from_secs(2));
        Some(Secret::new(b"late".to_vec()))
    });
    assert_eq!(result.unwrap_err(), KeychainError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
}

#[test]
fn a_fast_call_answers() {
    assert_eq!(run_with_timeout(Duration::from_secs(1), || 7).unwrap(), 7);
}

#[test]
fn a_panicking_call_is_an_error_not_a_hang() {
    let result = run_with_timeout(Duration::from_secs(5), || -> u8 { panic!("keyring bug") });
    assert!(matches!(result, Err(KeychainError::Other(_))), "{result:?}");
}

#[test]
fn timeout_is_configurable() {
    let keychain = OsKeychain::new("app.skyport.test");
    assert_eq!(keychain.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(3));
    let keychain = keychain.with_timeout(Duration::from_millis(250));
    assert_eq!(keychain.timeout(), Duration::from_millis(250));
    assert_eq!(keychain.service(), "app.skyport.test");
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
#[test]
fn linux_uses_the_secret_service() {
    assert_eq!(OsKeychain::new("x").backend(), "secret-service");
}

/// Without a platform feature, keyring silently stores secrets in process memory. Guard the
/// features in the workspace `Cargo.toml`: the default store must persist.
#[cfg(any(target_os = "macos", target_os = "windows"))]
#[test]
fn keyring_default_store_is_persistent_not_the_mock() {
    use keyring::credential::CredentialPersistence;
    let persistence = keyring::default::default_credential_builder().persistence();
    assert!(
        matches!(persistence, CredentialPersistence::UntilDelete),
        "keyring fell back to a non-persistent store"
    );
}
