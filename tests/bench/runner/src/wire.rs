//! The product's HTTP client with each request timed from sent to its answer read, for the
//! agent section's split of a call into its PDS request and Skyport's own time. Unlike
//! [`crate::timeline::TimedHttp`] it passes streamed requests through as streams (the
//! agent's path), timing them to the end of the answer's body.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use async_trait::async_trait;
use futures::{Stream, StreamExt as _};
use skyport_oauth::http::{
    ByteStream, HttpClient, HttpRequest, HttpResponse, SendError, StreamRequest, StreamResponse,
};

type Log = Arc<Mutex<Entries>>;

/// `(start, end)` of each request in microseconds since the epoch, in the order sent, and
/// how many were forgotten before them (a request's number stays its own across a reset).
#[derive(Debug, Default)]
struct Entries {
    forgotten: usize,
    times: Vec<(u64, Option<u64>)>,
}

/// The product's HTTP client with each request timed from sent to its answer read (for a
/// streamed answer, the body's end, or its drop if the reader stops early).
pub struct Wire {
    inner: Arc<dyn HttpClient>,
    epoch: Instant,
    log: Log,
}

impl Wire {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn HttpClient>) -> Arc<Self> {
        Arc::new(Self { inner, epoch: Instant::now(), log: Log::default() })
    }

    fn now(epoch: Instant) -> u64 {
        u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn start(&self) -> usize {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.times.push((Self::now(self.epoch), None));
        log.forgotten + log.times.len() - 1
    }

    fn end(log: &Mutex<Entries>, epoch: Instant, i: usize) {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        let Some(i) = i.checked_sub(log.forgotten) else { return };
        if let Some(slot) = log.times.get_mut(i) {
            slot.1.get_or_insert(Self::now(epoch));
        }
    }

    /// Forgets the requests so far.
    pub fn reset(&self) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.forgotten += log.times.len();
        log.times.clear();
    }

    /// Each request's time (ms) since the last reset, in the order they were sent (`None`
    /// while under way).
    pub fn durations(&self) -> Vec<Option<f64>> {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.times.iter().map(|(a, b)| b.map(|b| b.saturating_sub(*a) as f64 / 1000.0)).collect()
    }
}

#[async_trait]
impl HttpClient for Wire {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError> {
        let i = self.start();
        let result = self.inner.send(request).await;
        Self::end(&self.log, self.epoch, i);
        result
    }

    async fn send_stream(&self, request: StreamRequest) -> Result<StreamResponse, SendError> {
        let i = self.start();
        let mut res = match self.inner.send_stream(request).await {
            Ok(res) => res,
            Err(e) => {
                Self::end(&self.log, self.epoch, i);
                return Err(e);
            }
        };
        let ended = Ended { log: self.log.clone(), epoch: self.epoch, i };
        res.body = WireBody { inner: res.body, ended }.boxed();
        Ok(res)
    }
}

/// Marks a request's end when its streamed answer ends or is dropped.
struct Ended {
    log: Log,
    epoch: Instant,
    i: usize,
}

impl Drop for Ended {
    fn drop(&mut self) {
        Wire::end(&self.log, self.epoch, self.i);
    }
}

struct WireBody {
    inner: ByteStream,
    ended: Ended,
}

impl Stream for WireBody {
    type Item = Result<bytes::Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(None) = polled {
            Wire::end(&self.ended.log, self.ended.epoch, self.ended.i);
        }
        polled
    }
}
