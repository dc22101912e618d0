//! Which headers cross the agent, each way. Everything not listed stays behind: above all
//! `Authorization`, `DPoP` and cookies (a program's local credentials never reach the PDS,
//! the session's never reach the program), hop-by-hop headers (RFC 9110 §7.6.1), the PDS's
//! `DPoP-Nonce` and `WWW-Authenticate` (they concern the agent's DPoP session, not the
//! program), and `Set-Cookie`.

use hyper::HeaderMap;

/// Request headers passed to the PDS.
const TO_PDS: &[&str] = &[
    "accept",
    "accept-language",
    "atproto-accept-labelers",
    "atproto-proxy",
    "content-encoding",
    "content-type",
];

/// Response headers passed back to the program.
const TO_PROGRAM: &[&str] = &[
    "atproto-content-labelers",
    "atproto-repo-rev",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-security-policy",
    "content-type",
    "etag",
    "last-modified",
    "ratelimit-limit",
    "ratelimit-policy",
    "ratelimit-remaining",
    "ratelimit-reset",
    "retry-after",
    "x-content-type-options",
];

/// The request headers to forward, with the static names the HTTP client takes.
pub fn to_pds(headers: &HeaderMap) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for name in TO_PDS {
        for value in headers.get_all(*name) {
            if let Ok(v) = value.to_str() {
                out.push((*name, v.to_owned()));
            }
        }
    }
    out
}

/// Whether a response header goes back to the program.
pub fn to_program(name: &str) -> bool {
    TO_PROGRAM.iter().any(|n| n.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_hop_by_hop_headers_never_pass() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("authorization", "Bearer skp_x"),
            ("dpop", "x"),
            ("cookie", "a=b"),
            ("connection", "close"),
            ("transfer-encoding", "chunked"),
            ("host", "127.0.0.1:1"),
            ("atproto-proxy", "did:web:api.bsky.app#bsky_appview"),
            ("atproto-accept-labelers", "did:plc:x"),
            ("content-type", "image/png"),
        ] {
            h.append(k, v.parse().unwrap());
        }
        let names: Vec<_> = to_pds(&h).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["atproto-accept-labelers", "atproto-proxy", "content-type"]);
        for back in
            ["set-cookie", "dpop-nonce", "www-authenticate", "connection", "access-control-allow-origin"]
        {
            assert!(!to_program(back), "{back}");
        }
        for back in ["Content-Type", "ratelimit-remaining", "atproto-content-labelers"] {
            assert!(to_program(back), "{back}");
        }
    }
}
