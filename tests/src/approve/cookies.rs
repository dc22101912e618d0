//! A minimal cookie jar for one origin, managed by hand.
//!
//! The provider sets `csrf-token` with `Secure` even on `http://localhost`; a
//! standards-following jar would not send it back over http, so this one ignores
//! attributes and keeps name → value.

use std::collections::BTreeMap;

use reqwest::header::{HeaderMap, SET_COOKIE};

/// Cookie holding the CSRF token (`@atproto/oauth-provider-api` `CSRF_COOKIE_NAME`).
pub(super) const CSRF_COOKIE: &str = "csrf-token";

/// Header that must repeat it (`CSRF_HEADER_NAME`).
pub(super) const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Default)]
pub(super) struct CookieJar {
    cookies: BTreeMap<String, String>,
}

impl CookieJar {
    /// Applies every `Set-Cookie` of a response; an empty value or `Max-Age=0` deletes.
    pub(super) fn store(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let Ok(line) = value.to_str() else { continue };
            let mut parts = line.split(';');
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            let expired = parts.any(|attr| attr.trim().eq_ignore_ascii_case("max-age=0"));
            if value.is_empty() || expired {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// The `Cookie` request header, if there is anything to send.
    pub(super) fn header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Some(pairs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(lines: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for line in lines {
            h.append(SET_COOKIE, HeaderValue::from_static(line));
        }
        h
    }

    #[test]
    fn keeps_secure_cookies_and_replaces_rotated_ones() {
        let mut jar = CookieJar::default();
        jar.store(&headers(&[
            "dev-id=dev-1; Path=/; HttpOnly; SameSite=Lax",
            "ses-id=ses-1; Path=/; HttpOnly; SameSite=Lax",
            "csrf-token=0123456789abcdef01234567; Path=/; Secure; SameSite=Lax",
        ]));
        jar.store(&headers(&["ses-id=ses-2; Path=/; HttpOnly"]));
        assert_eq!(jar.get(CSRF_COOKIE), Some("0123456789abcdef01234567"));
        assert_eq!(
            jar.header().as_deref(),
            Some("csrf-token=0123456789abcdef01234567; dev-id=dev-1; ses-id=ses-2")
        );
    }

    #[test]
    fn deletes_cleared_cookies() {
        let mut jar = CookieJar::default();
        jar.store(&headers(&["a=1", "b=2"]));
        jar.store(&headers(&["a=; Max-Age=0", "b=x; max-age=0"]));
        assert_eq!(jar.header(), None);
    }
}
