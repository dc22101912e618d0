//! The cost of each keychain operation on the real Secret Service (gnome-keyring in the
//! private D-Bus session of `.ci/with-keyring`), through the product's `OsKeychain`.
//!
//! Items are named like Skyport's session items and hold a secret of the same size (a DPoP
//! key and both tokens, about 800 bytes), under a service of their own.
//!
//! The first call of the process is timed apart: it is the one that connects to the Secret
//! Service (when the store keeps its connection, the later calls do not). How many
//! connections the calls made comes from the product's own counter, not from timing.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use skyport_keychain::{OsKeychain, SecretStore};

use crate::stats::{Samples, Summary};

/// The keychain service the benchmark's own items use.
const SERVICE: &str = "skyport-bench";

/// What the keychain section measured.
#[derive(Debug, Clone, Serialize)]
pub struct Keychain {
    /// The store's backend (`secret-service` on Linux).
    pub backend: String,
    /// Milliseconds per call, by operation (`put_new`, `put_replace`, `get`, `get_missing`,
    /// `delete`), over the rounds (the first call of the process not included).
    pub calls: BTreeMap<String, Summary>,
    /// The first call of the process (a `get` of an item that does not exist), in ms.
    pub first_call_ms: f64,
    /// Secret Service connections the first call made (`None`: no counter on this platform).
    pub first_call_connections: Option<usize>,
    /// Calls timed in the rounds.
    pub round_calls: usize,
    /// Secret Service connections made by those calls.
    pub round_connections: Option<usize>,
}

/// Secret Service connections this process has made so far (the product's counter).
pub fn connections() -> Option<usize> {
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
    {
        Some(skyport_keychain::connections_made())
    }
    #[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
    {
        None
    }
}

fn delta(before: Option<usize>) -> Option<usize> {
    Some(connections()?.saturating_sub(before?))
}

/// One first call, then `rounds` rounds of put (new), put (replace), get, get (missing),
/// delete.
pub fn bench(rounds: usize) -> Result<Keychain, String> {
    let store = OsKeychain::new(SERVICE);
    let secret = vec![b'x'; 800];
    let e = |e: skyport_keychain::KeychainError| e.to_string();

    let before = connections();
    let t = Instant::now();
    if store.get("bench:session:did:plc:benchmarkfirst").map_err(e)?.is_some() {
        return Err("an item that was never stored".into());
    }
    let first_call_ms = t.elapsed().as_secs_f64() * 1000.0;
    let first_call_connections = delta(before);

    let before = connections();
    let mut samples = Samples::default();
    let mut round_calls = 0;
    let mut time = |samples: &mut Samples, name: &str, f: &mut dyn FnMut() -> Result<(), String>| {
        let t = Instant::now();
        f()?;
        samples.add(name, t.elapsed().as_secs_f64() * 1000.0);
        round_calls += 1;
        Ok::<(), String>(())
    };
    for i in 0..rounds {
        let name = format!("bench:session:did:plc:benchmark{i:04}");
        time(&mut samples, "put_new", &mut || store.put(&name, &secret).map_err(e))?;
        time(&mut samples, "put_replace", &mut || store.put(&name, &secret).map_err(e))?;
        time(&mut samples, "get", &mut || match store.get(&name).map_err(e)? {
            Some(s) if s.expose().len() == secret.len() => Ok(()),
            _ => Err("the secret just stored is not there".into()),
        })?;
        time(&mut samples, "get_missing", &mut || match store.get(&format!("{name}:none")).map_err(e)? {
            None => Ok(()),
            Some(_) => Err("an item that was never stored".into()),
        })?;
        time(&mut samples, "delete", &mut || match store.delete(&name).map_err(e)? {
            true => Ok(()),
            false => Err("delete found nothing".into()),
        })?;
    }
    Ok(Keychain {
        backend: store.backend().to_owned(),
        calls: samples.summaries(),
        first_call_ms,
        first_call_connections,
        round_calls,
        round_connections: delta(before),
    })
}
