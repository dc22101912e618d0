//! Who may talk to the agent at all, decided from the request head before anything else:
//!
//! * **Host**: only the agent's own address (`127.0.0.1:<port>` or `localhost:<port>`). A
//!   web page that rebinds its own DNS name to 127.0.0.1 sends its name, and is refused.
//! * **Origin / Sec-Fetch-\***: browsers attach these to every `fetch`, form post and
//!   navigation they make on a page's behalf; programs do not. Any of them is refused, and
//!   no response carries CORS headers, so no web page can read or trigger anything.
//! * **Methods**: XRPC is GET (queries) and POST (procedures); everything else is refused
//!   (no `OPTIONS` preflight answer).

use hyper::http::request::Parts;
use hyper::{HeaderMap, Method};

/// Why a request was refused before authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// `Host` is missing or not the agent's address.
    WrongHost,
    /// The request came from a web page (`Origin` or a `Sec-Fetch-*` header).
    FromBrowser,
    /// Not GET or POST.
    Method,
}

impl Rejection {
    /// A stable code (audit log).
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::WrongHost => "wrong_host",
            Rejection::FromBrowser => "from_browser",
            Rejection::Method => "method",
        }
    }
}

/// Checks a request head against the agent listening on `port`.
pub fn check(parts: &Parts, port: u16) -> Result<(), Rejection> {
    if !host_ok(&parts.headers, port) {
        return Err(Rejection::WrongHost);
    }
    if from_browser(&parts.headers) {
        return Err(Rejection::FromBrowser);
    }
    if parts.method != Method::GET && parts.method != Method::POST {
        return Err(Rejection::Method);
    }
    Ok(())
}

fn host_ok(headers: &HeaderMap, port: u16) -> bool {
    let mut hosts = headers.get_all(hyper::header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else { return false };
    let Ok(host) = host.to_str() else { return false };
    let host = host.to_ascii_lowercase();
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

fn from_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(hyper::header::ORIGIN)
        || headers.keys().any(|k| k.as_str().starts_with("sec-fetch-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = hyper::Request::builder().method(method).uri("/xrpc/a.b.c");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn only_the_agents_own_host_passes() {
        assert_eq!(check(&head("GET", &[("host", "127.0.0.1:5783")]), 5783), Ok(()));
        assert_eq!(check(&head("GET", &[("host", "LOCALHOST:5783")]), 5783), Ok(()));
        for host in ["evil.example:5783", "127.0.0.1", "127.0.0.1:80", "127.0.0.1.evil.example:5783", ""] {
            assert_eq!(check(&head("GET", &[("host", host)]), 5783), Err(Rejection::WrongHost), "{host:?}");
        }
        assert_eq!(check(&head("GET", &[]), 5783), Err(Rejection::WrongHost));
        let two = head("GET", &[("host", "127.0.0.1:5783"), ("host", "evil.example:5783")]);
        assert_eq!(check(&two, 5783), Err(Rejection::WrongHost));
    }

    #[test]
    fn browser_requests_and_other_methods_are_refused() {
        let host = ("host", "127.0.0.1:5783");
        for h in [
            ("origin", "https://evil.example"),
            ("origin", "null"),
            ("sec-fetch-mode", "no-cors"),
            ("sec-fetch-site", "cross-site"),
        ] {
            assert_eq!(check(&head("POST", &[host, h]), 5783), Err(Rejection::FromBrowser), "{h:?}");
        }
        for m in ["OPTIONS", "PUT", "DELETE", "HEAD"] {
            assert_eq!(check(&head(m, &[host]), 5783), Err(Rejection::Method), "{m}");
        }
    }
}
