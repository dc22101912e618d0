//! The redirect back to the app (RFC 6749 §4.1.2; RFC 9207 for `iss`).
//!
//! Order of checks: `state` is present; the caller finds and deletes the pending login for
//! that state (single use); then `error`, `code`, and `iss` equal to the pending issuer.
//! Only [`PendingLogin::accept`](crate::PendingLogin::accept) makes an
//! [`AuthorizedCallback`], and only an `AuthorizedCallback` can be exchanged for tokens.

use url::Url;

use crate::error::CallbackError;
use crate::secret::AuthorizationCode;
use crate::untrusted::UntrustedText;

/// The longest callback URL accepted.
const MAX_URL_LEN: usize = 8 * 1024;

/// A parsed callback URL, not yet matched to a pending login.
#[derive(Debug)]
pub struct CallbackParams {
    /// Scheme, authority and path: what must match the redirect URI.
    pub(crate) target: String,
    /// The `state`.
    pub state: String,
    pub(crate) code: Option<AuthorizationCode>,
    pub(crate) iss: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<UntrustedText>,
}

impl CallbackParams {
    /// Parses a callback URL as the OS or the loopback listener delivers it. Rejects
    /// repeated parameters, a JARM `response`, non-UTF-8 escapes and over-long URLs.
    pub fn parse(raw: &str) -> Result<Self, CallbackError> {
        if raw.len() > MAX_URL_LEN {
            return Err(CallbackError::Malformed(format!("longer than {MAX_URL_LEN} bytes")));
        }
        let url = Url::parse(raw).map_err(|e| CallbackError::Malformed(e.to_string()))?;
        if url.fragment().is_some_and(|f| !f.is_empty()) {
            return Err(CallbackError::BadParameter("fragment".into()));
        }
        let mut target = url.clone();
        target.set_query(None);
        target.set_fragment(None);
        let mut seen: Vec<(String, String)> = Vec::new();
        for pair in url.query().unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = decode(k)?;
            let v = decode(v)?;
            if seen.iter().any(|(sk, _)| *sk == k) {
                return Err(CallbackError::BadParameter(format!("{k} appears more than once")));
            }
            seen.push((k, v));
        }
        let take = |name: &str| seen.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        if take("response").is_some() {
            return Err(CallbackError::BadParameter("response (JARM is not used)".into()));
        }
        let state = take("state").filter(|s| !s.is_empty()).ok_or(CallbackError::MissingState)?;
        if state.len() > 512 || !state.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(CallbackError::UnknownState);
        }
        Ok(Self {
            target: target.to_string(),
            state,
            code: take("code").filter(|c| !c.is_empty()).map(AuthorizationCode::new),
            iss: take("iss"),
            error: take("error"),
            error_description: take("error_description").map(|d| UntrustedText::new(&d)),
        })
    }
}

/// Percent-decodes a query component (`+` is a space); invalid UTF-8 is an error, not
/// silently replaced.
fn decode(s: &str) -> Result<String, CallbackError> {
    let b = s.as_bytes();
    let mut raw = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = if b[i] == b'%' {
            s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        } else {
            None
        };
        match (b[i], hex) {
            (b'%', Some(v)) => {
                raw.push(v);
                i += 3;
            }
            (b'+', _) => {
                raw.push(b' ');
                i += 1;
            }
            (c, _) => {
                raw.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(raw).map_err(|_| CallbackError::Malformed("a parameter is not valid UTF-8".into()))
}

/// A callback that passed every check for its pending login; the only input the code
/// exchange accepts.
#[derive(Debug)]
pub struct AuthorizedCallback {
    pub(crate) code: AuthorizationCode,
}

#[cfg(test)]
mod tests;
