//! One clock for every HTTP request and keychain call of a process, so a measured call can
//! be split into protocol work (time on the wire), keychain time and the rest.
//!
//! [`TimedHttp`] wraps the product's HTTP client and [`TimedKeychain`] the OS keychain;
//! both go in through the seams the product offers (`AccountsBuilder::http`,
//! `AccountsBuilder::keychain`), so what is measured is the product's own code path.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use serde::Serialize;
use skyport_keychain::{KeychainError, Secret, SecretStore};
use skyport_oauth::http::{HttpClient, HttpRequest, HttpResponse, SendError};

use crate::stats::ms;

/// What an event was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An HTTP request (request sent → whole response read).
    Http,
    /// A keychain call (put, get, delete).
    Keychain,
}

/// One HTTP request or keychain call.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub kind: Kind,
    /// `GET {PDS}/xrpc/...` (no query), or `put session`, `get probe`, ...
    pub what: String,
    /// HTTP status, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Microseconds since the timeline's start.
    pub start_us: u64,
    pub end_us: u64,
}

impl Event {
    /// Duration in microseconds.
    pub fn us(&self) -> u64 {
        self.end_us.saturating_sub(self.start_us)
    }

    /// `what -> status (ms)`, for the request logs in the results.
    pub fn line(&self) -> String {
        match self.status {
            Some(s) => format!("{} -> {s} ({:.1} ms)", self.what, ms(self.us())),
            None => format!("{} ({:.1} ms)", self.what, ms(self.us())),
        }
    }
}

/// The shared clock and event log.
#[derive(Debug)]
pub struct Timeline {
    epoch: Instant,
    events: Mutex<Vec<Event>>,
    /// `(origin, placeholder)` pairs that shorten URLs in the log.
    names: Vec<(String, String)>,
}

impl Timeline {
    /// A timeline starting now; `names` maps origins to short placeholders (`{PDS}`).
    pub fn new(names: Vec<(String, String)>) -> Arc<Self> {
        Arc::new(Self { epoch: Instant::now(), events: Mutex::new(Vec::new()), names })
    }

    /// Microseconds since the start.
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn push(&self, event: Event) {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).push(event);
    }

    fn since(&self, mark: usize) -> Vec<Event> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = events[mark.min(events.len())..].to_vec();
        out.sort_by_key(|e| e.start_us);
        out
    }

    fn mark(&self) -> usize {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn shorten(&self, url: &str) -> String {
        let mut s = url.to_owned();
        for (origin, name) in &self.names {
            s = s.replace(origin.as_str(), name);
        }
        s
    }

    /// Runs `fut` and returns its output with the span it took and what happened inside.
    pub async fn measure<T>(&self, fut: impl Future<Output = T>) -> (T, Span) {
        let mark = self.mark();
        let t0 = self.now_us();
        let value = fut.await;
        let t1 = self.now_us();
        (value, Span { t0, t1, events: self.since(mark) })
    }
}

/// A measured call: its start and end and the events inside.
#[derive(Debug, Clone, Serialize)]
pub struct Span {
    pub t0: u64,
    pub t1: u64,
    pub events: Vec<Event>,
}

impl Span {
    /// Wall time in microseconds.
    pub fn us(&self) -> u64 {
        self.t1.saturating_sub(self.t0)
    }

    /// The HTTP requests.
    pub fn http(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(|e| e.kind == Kind::Http)
    }

    /// The keychain calls.
    pub fn keychain(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(|e| e.kind == Kind::Keychain)
    }

    /// From the first to the end of the last HTTP request matching `pick` (0 if none).
    pub fn wire_us(&self, pick: impl Fn(&Event) -> bool) -> (u64, u64) {
        let picked: Vec<&Event> = self.http().filter(|e| pick(e)).collect();
        match (picked.iter().map(|e| e.start_us).min(), picked.iter().map(|e| e.end_us).max()) {
            (Some(a), Some(b)) => (a, b),
            _ => (self.t0, self.t0),
        }
    }

    /// How long at least one event matching `pick` was under way inside the span: the union
    /// of their intervals (overlapping events counted once), in microseconds.
    pub fn busy_us(&self, pick: impl Fn(&Event) -> bool) -> u64 {
        let mut intervals: Vec<(u64, u64)> = self
            .events
            .iter()
            .filter(|e| pick(e))
            .map(|e| (e.start_us.max(self.t0), e.end_us.min(self.t1)))
            .filter(|(a, b)| b > a)
            .collect();
        intervals.sort_unstable();
        let (mut total, mut current): (u64, Option<(u64, u64)>) = (0, None);
        for (a, b) in intervals {
            current = match current {
                Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
                Some((ca, cb)) => {
                    total += cb - ca;
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        total + current.map_or(0, |(a, b)| b - a)
    }

    /// Total keychain time of calls starting in `[from, to)`.
    pub fn keychain_us_between(&self, from: u64, to: u64) -> u64 {
        self.keychain().filter(|e| e.start_us >= from && e.start_us < to).map(Event::us).sum()
    }

    /// The log lines of the events matching `pick`.
    pub fn lines(&self, pick: impl Fn(&Event) -> bool) -> Vec<String> {
        self.events.iter().filter(|e| pick(e)).map(Event::line).collect()
    }
}

/// The product's HTTP client with every request put on the timeline.
pub struct TimedHttp {
    inner: Arc<dyn HttpClient>,
    timeline: Arc<Timeline>,
}

impl TimedHttp {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn HttpClient>, timeline: Arc<Timeline>) -> Arc<Self> {
        Arc::new(Self { inner, timeline })
    }
}

#[async_trait]
impl HttpClient for TimedHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError> {
        let mut url = request.url.clone();
        url.set_query(None);
        let what = format!("{} {}", request.method.as_str(), self.timeline.shorten(url.as_str()));
        let start_us = self.timeline.now_us();
        let result = self.inner.send(request).await;
        let end_us = self.timeline.now_us();
        let status = result.as_ref().ok().map(|r| r.status);
        self.timeline.push(Event { kind: Kind::Http, what, status, start_us, end_us });
        result
    }
}

/// A keychain with every call put on the timeline, named by operation and item kind
/// (`session`, `pending`, `probe`, from the product's item names `<store>:<kind>:...`).
pub struct TimedKeychain {
    inner: Box<dyn SecretStore>,
    timeline: Arc<Timeline>,
}

impl TimedKeychain {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn SecretStore>, timeline: Arc<Timeline>) -> Arc<Self> {
        Arc::new(Self { inner, timeline })
    }

    fn record<T>(&self, op: &str, name: &str, f: impl FnOnce() -> T) -> T {
        let kind = name.split(':').nth(1).unwrap_or("item");
        let start_us = self.timeline.now_us();
        let value = f();
        let end_us = self.timeline.now_us();
        self.timeline.push(Event {
            kind: Kind::Keychain,
            what: format!("{op} {kind}"),
            status: None,
            start_us,
            end_us,
        });
        value
    }
}

impl SecretStore for TimedKeychain {
    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeychainError> {
        self.record("put", name, || self.inner.put(name, secret))
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, KeychainError> {
        self.record("get", name, || self.inner.get(name))
    }

    fn delete(&self, name: &str) -> Result<bool, KeychainError> {
        self.record("delete", name, || self.inner.delete(name))
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: Kind, start_us: u64, end_us: u64) -> Event {
        Event { kind, what: String::new(), status: None, start_us, end_us }
    }

    #[test]
    fn busy_time_counts_overlaps_once_and_stays_inside_the_span() {
        let span = Span {
            t0: 10,
            t1: 100,
            events: vec![
                event(Kind::Http, 5, 20),
                event(Kind::Http, 15, 30),
                event(Kind::Keychain, 25, 60),
                event(Kind::Http, 40, 50),
                event(Kind::Http, 90, 120),
            ],
        };
        assert_eq!(span.busy_us(|e| e.kind == Kind::Http), 20 + 10 + 10);
        assert_eq!(span.busy_us(|_| true), 50 + 10);
        assert_eq!(span.busy_us(|e| e.kind == Kind::Keychain), 35);
    }
}
