//! What a program presents (`Authorization: Bearer <key or local token>`), and the brake on
//! guessing: after a few bad credentials in a minute, every further bad one waits longer
//! before its answer (up to [`MAX_DELAY`]). All callers share one loopback address, so the
//! brake is global; good credentials are never delayed.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hyper::HeaderMap;
use skyport_accounts::apps::{KEY_PREFIX, looks_like_jwt};

/// Bad credentials a minute answered at once.
pub const FREE_FAILURES: usize = 5;
/// The longest wait before refusing a bad credential.
pub const MAX_DELAY: Duration = Duration::from_secs(3);
const WINDOW: Duration = Duration::from_secs(60);

/// The credential a request carries.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    /// No `Authorization` header.
    Nothing,
    /// A key (`Bearer skp_…`).
    Key(String),
    /// A local token (`Bearer <JWT>`).
    Token(String),
    /// Something else (another scheme, several headers, garbage).
    Unusable,
}

/// Reads the `Authorization` header.
pub fn presented(headers: &HeaderMap) -> Presented {
    let mut all = headers.get_all(hyper::header::AUTHORIZATION).iter();
    let value = match (all.next(), all.next()) {
        (None, _) => return Presented::Nothing,
        (Some(v), None) => v,
        _ => return Presented::Unusable,
    };
    let Ok(value) = value.to_str() else { return Presented::Unusable };
    let Some((scheme, credential)) = value.trim().split_once(' ') else { return Presented::Unusable };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Presented::Unusable;
    }
    let credential = credential.trim();
    if credential.starts_with(KEY_PREFIX) {
        Presented::Key(credential.to_owned())
    } else if looks_like_jwt(credential) {
        Presented::Token(credential.to_owned())
    } else {
        Presented::Unusable
    }
}

/// Counts recent bad credentials.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<VecDeque<Instant>>,
}

impl Throttle {
    /// Records one bad credential and says how long to wait before answering it.
    pub fn failed(&self) -> Duration {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while failures.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
            failures.pop_front();
        }
        if failures.len() < 1024 {
            failures.push_back(now);
        }
        let over = failures.len().saturating_sub(FREE_FAILURES);
        if over == 0 {
            return Duration::ZERO;
        }
        let delay = Duration::from_millis(100).saturating_mul(1u32 << over.min(8) as u32);
        delay.min(MAX_DELAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("authorization", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn bearer_keys_and_tokens_are_told_apart() {
        assert_eq!(presented(&auth(&[])), Presented::Nothing);
        assert_eq!(presented(&auth(&["Bearer skp_abc"])), Presented::Key("skp_abc".into()));
        assert_eq!(presented(&auth(&["bearer a.b.c"])), Presented::Token("a.b.c".into()));
        assert_eq!(presented(&auth(&["DPoP a.b.c"])), Presented::Unusable);
        assert_eq!(presented(&auth(&["Basic eDp5"])), Presented::Unusable);
        assert_eq!(presented(&auth(&["Bearer skp_a", "Bearer skp_b"])), Presented::Unusable);
    }

    #[test]
    fn repeated_failures_wait_longer_up_to_the_cap() {
        let t = Throttle::default();
        for _ in 0..FREE_FAILURES - 1 {
            assert_eq!(t.failed(), Duration::ZERO);
        }
        assert_eq!(t.failed(), Duration::ZERO);
        let first = t.failed();
        let second = t.failed();
        assert!(first > Duration::ZERO && second > first, "{first:?} {second:?}");
        for _ in 0..20 {
            assert!(t.failed() <= MAX_DELAY);
        }
        assert_eq!(t.failed(), MAX_DELAY);
    }
}
