//! Who may talk to the agent at all, decided from the request head before anything else:
//!
//! * **Host**: only the agent's own address (`127.0.0.1:<port>` or `localhost:<port>`). A
//!   web page that rebinds its own DNS name to 127.0.0.1 sends its name, and is refused.
//! * **Origin / Sec-Fetch-Site / Sec-Fetch-Dest / Sec-Fetch-User**: browsers attach
//!   `Sec-Fetch-Site` and `Sec-Fetch-Dest` to every request a page makes (`fetch`, forms,
//!   images, navigations; the Fetch Metadata spec) and `Origin` to every cross-origin one;
//!   programs send none of them. Any of them is refused, and no response carries CORS
//!   headers, so no web page can read or trigger anything. `Sec-Fetch-Mode` alone is not
//!   refused: Node's built-in `fetch` (undici), which `@atproto/api` uses, sends
//!   `Sec-Fetch-Mode: cors` on every request, and a browser never sends it without
//!   `Sec-Fetch-Site`.
//! * **Methods**: XRPC is GET (queries) and POST (procedures); everything else is refused
//!   (no `OPTIONS` preflight answer).

use hyper::http::request::Parts;
use hyper::{HeaderMap, Method};

/// Why a request was refused before authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// `Host` is missing or not the agent's address.
    WrongHost,
    /// The request came from a web page: it carried this header.
    FromBrowser(&'static str),
    /// Not GET or POST.
    Method,
}

impl Rejection {
    /// A stable code (audit log).
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::WrongHost => "wrong_host",
            Rejection::FromBrowser(_) => "from_browser",
            Rejection::Method => "method",
        }
    }
}

/// Checks a request head against the agent listening on `port`.
pub fn check(parts: &Parts, port: u16) -> Result<(), Rejection> {
    if !host_ok(&parts.headers, port) {
        return Err(Rejection::WrongHost);
    }
    if let Some(header) = from_browser(&parts.headers) {
        return Err(Rejection::FromBrowser(header));
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

fn from_browser(headers: &HeaderMap) -> Option<&'static str> {
    ["Origin", "Sec-Fetch-Site", "Sec-Fetch-Dest", "Sec-Fetch-User"]
        .into_iter()
        .find(|h| headers.contains_key(*h))
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
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-dest", "image"),
            ("sec-fetch-user", "?1"),
        ] {
            assert!(
                matches!(check(&head("POST", &[host, h]), 5783), Err(Rejection::FromBrowser(_))),
                "{h:?}"
            );
        }
        // What Node's fetch sends (and @atproto/api with it): a program, not a page.
        assert_eq!(check(&head("POST", &[host, ("sec-fetch-mode", "cors")]), 5783), Ok(()));
        for m in ["OPTIONS", "PUT", "DELETE", "HEAD"] {
            assert_eq!(check(&head(m, &[host]), 5783), Err(Rejection::Method), "{m}");
        }
    }
}
