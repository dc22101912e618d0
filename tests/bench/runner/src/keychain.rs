//! The cost of each keychain operation on the real Secret Service (gnome-keyring in the
//! private D-Bus session of `.ci/with-keyring`), through the product's `OsKeychain`.
//!
//! Items are named like Skyport's session items and hold a secret of the same size (a DPoP
//! key and both tokens, about 800 bytes), under a service of their own.

use std::collections::BTreeMap;
use std::time::Instant;

use skyport_keychain::{OsKeychain, SecretStore};

use crate::stats::{Samples, Summary};

/// The keychain service the benchmark's own items use.
const SERVICE: &str = "skyport-bench";

/// Runs `rounds` rounds of put (new), put (replace), get, get (missing), delete.
pub fn bench(rounds: usize) -> Result<BTreeMap<String, Summary>, String> {
    let store = OsKeychain::new(SERVICE);
    let secret = vec![b'x'; 800];
    let mut samples = Samples::default();
    let time = |samples: &mut Samples, name: &str, f: &mut dyn FnMut() -> Result<(), String>| {
        let t = Instant::now();
        f()?;
        samples.add(name, t.elapsed().as_secs_f64() * 1000.0);
        Ok::<(), String>(())
    };
    for i in 0..rounds {
        let name = format!("bench:session:did:plc:benchmark{i:04}");
        let e = |e: skyport_keychain::KeychainError| e.to_string();
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
    Ok(samples.summaries())
}
