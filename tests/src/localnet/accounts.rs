//! Accounts on the local PDS (`com.atproto.server.createAccount`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::json;

use super::{Account, Error, Network};

/// The PDS refuses handles whose first label is longer than this.
const MAX_FIRST_LABEL: usize = 18;

impl Network {
    /// Creates an account with `com.atproto.server.createAccount`.
    ///
    /// The handle must be under `.test` (the PDS's only service domain), with a first
    /// label of 3 to 18 characters. The e-mail is `<handle>@example.invalid`.
    pub async fn create_account(&self, handle: &str, password: &str) -> Result<Account, Error> {
        const METHOD: &str = "com.atproto.server.createAccount";
        let url = format!("{}/xrpc/{METHOD}", self.pds_url());
        let body = json!({
            "handle": handle,
            "password": password,
            "email": format!("{handle}@example.invalid"),
        });
        let res = reqwest::Client::new().post(&url).json(&body).send().await.map_err(Error::http(&url))?;
        let status = res.status();
        let text = res.text().await.map_err(Error::http(&url))?;
        if !status.is_success() {
            let err: XrpcError = serde_json::from_str(&text)
                .unwrap_or_else(|_| XrpcError { error: String::new(), message: text.clone() });
            return Err(Error::Xrpc {
                method: METHOD,
                status: status.as_u16(),
                error: err.error,
                message: err.message,
            });
        }
        let created: Created = serde_json::from_str(&text)
            .map_err(|e| Error::InvalidInfo { origin: METHOD.into(), message: format!("{e}: {text}") })?;
        Ok(Account::new(handle, password, created.did))
    }

    /// Creates an account with a fresh handle `<prefix><suffix>.test` and a random-ish
    /// password, so that tests do not share state. `prefix` is cut to fit the PDS limit.
    pub async fn create_unique_account(&self, prefix: &str) -> Result<Account, Error> {
        let suffix = unique_suffix();
        let keep = MAX_FIRST_LABEL.saturating_sub(suffix.len());
        let prefix: String = prefix
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(keep)
            .collect::<String>()
            .to_ascii_lowercase();
        let handle = format!("{prefix}{suffix}.test");
        let password = format!("pw-{}", unique_suffix());
        self.create_account(&handle, &password).await
    }
}

/// A short string unique within this process and very likely across processes
/// (time, process id and a counter, in base 36), for handles and metadata paths.
pub fn unique_suffix() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = u64::from(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos =
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::from(d.subsec_nanos()) ^ d.as_secs());
    let mixed = nanos ^ (u64::from(std::process::id()) << 20);
    format!("{}{}", base36(mixed % 36u64.pow(6)), base36(n))
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[derive(Deserialize)]
struct Created {
    did: String,
}

#[derive(Deserialize)]
struct XrpcError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}
