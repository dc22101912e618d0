//! An [`HttpClient`] that records every request it sends (method and URL), for request
//! counts in tests and benchmarks.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use skyport_oauth::http::{HttpClient, HttpRequest, HttpResponse, SendError, StreamRequest, StreamResponse};

/// Wraps another client and logs each request as `METHOD url-without-query`.
pub struct CountingHttp {
    inner: Arc<dyn HttpClient>,
    log: Mutex<Vec<String>>,
}

impl CountingHttp {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn HttpClient>) -> Arc<Self> {
        Arc::new(Self { inner, log: Mutex::new(Vec::new()) })
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many requests went to a URL whose path ends with `suffix`.
    pub fn count(&self, suffix: &str) -> usize {
        self.log().iter().filter(|l| l.ends_with(suffix)).count()
    }

    /// Forgets what was logged.
    pub fn reset(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[async_trait]
impl HttpClient for CountingHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SendError> {
        let mut url = request.url.clone();
        url.set_query(None);
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{} {url}", request.method.as_str()));
        self.inner.send(request).await
    }

    async fn send_stream(&self, request: StreamRequest) -> Result<StreamResponse, SendError> {
        let mut url = request.url.clone();
        url.set_query(None);
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{} {url}", request.method.as_str()));
        self.inner.send_stream(request).await
    }
}
