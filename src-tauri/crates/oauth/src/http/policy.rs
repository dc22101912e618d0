//! The outbound policy: which destinations the client may contact (SSRF protection, atproto
//! OAuth spec, "Security Considerations").

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::ForbiddenReason;

/// Where requests may go.
///
/// Production: `https` only, and only to public unicast addresses (checked again after DNS
/// resolution, so a name cannot point the client at the user's LAN). Development adds plain
/// `http` and loopback addresses, and is the only way to reach them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Allow `http://` and loopback destinations (development profile only).
    pub allow_loopback: bool,
}

/// Names that never resolve on the public internet.
const LOCAL_SUFFIXES: &[&str] = &[".local", ".localhost", ".test", ".internal", ".invalid", ".home.arpa"];

impl OutboundPolicy {
    /// Checks a URL before anything is sent.
    pub fn check_url(&self, url: &Url) -> Result<(), ForbiddenReason> {
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ForbiddenReason::BadUrl);
        }
        let host = url.host().ok_or(ForbiddenReason::BadUrl)?;
        let loopback_host = match &host {
            Host::Domain(d) => is_localhost_name(d),
            Host::Ipv4(ip) => ip.is_loopback(),
            Host::Ipv6(ip) => ip.is_loopback(),
        };
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback && loopback_host => {}
            "http" => return Err(ForbiddenReason::InsecureScheme),
            _ => return Err(ForbiddenReason::BadUrl),
        }
        match host {
            Host::Ipv4(ip) => self.check_ip(IpAddr::V4(ip)),
            Host::Ipv6(ip) => self.check_ip(IpAddr::V6(ip)),
            Host::Domain(d) => self.check_name(d),
        }
    }

    /// Checks a host name before it is resolved.
    pub fn check_name(&self, name: &str) -> Result<(), ForbiddenReason> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if is_localhost_name(&name) {
            return if self.allow_loopback { Ok(()) } else { Err(ForbiddenReason::LocalName) };
        }
        if !name.contains('.') || LOCAL_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            return Err(ForbiddenReason::LocalName);
        }
        Ok(())
    }

    /// Checks an address a name resolved to (or an IP literal).
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ForbiddenReason> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        if ip.is_loopback() {
            return if self.allow_loopback {
                Ok(())
            } else {
                Err(ForbiddenReason::PrivateAddress(ip.to_string()))
            };
        }
        if is_public(ip) { Ok(()) } else { Err(ForbiddenReason::PrivateAddress(ip.to_string())) }
    }
}

fn is_localhost_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost")
}

/// Public unicast: not private (RFC 1918, fc00::/7), loopback, link-local, multicast,
/// unspecified, broadcast, CGNAT (100.64/10), documentation, benchmarking or reserved (240/4).
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, _, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 192 && b == 0))
        }
        IpAddr::V6(v6) => {
            let seg0 = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg0 & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg0 & 0xffc0) == 0xfec0 // site-local (deprecated)
                || seg0 == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || seg0 == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64 can reach private v4
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROD: OutboundPolicy = OutboundPolicy { allow_loopback: false };
    const DEV: OutboundPolicy = OutboundPolicy { allow_loopback: true };

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn production_refuses_plain_http_and_private_addresses() {
        assert_eq!(PROD.check_url(&url("http://pds.example.com/")), Err(ForbiddenReason::InsecureScheme));
        for bad in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/",
            "https://224.0.0.1/",
            "https://240.0.0.1/",
            "https://[::1]/",
            "https://[fc00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:192.168.0.1]/",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
        ] {
            assert!(matches!(PROD.check_url(&url(bad)), Err(ForbiddenReason::PrivateAddress(_))), "{bad}");
        }
        for bad in ["https://localhost/", "https://printer.local/", "https://a.test/", "https://intranet/"] {
            assert_eq!(PROD.check_url(&url(bad)), Err(ForbiddenReason::LocalName), "{bad}");
        }
        assert_eq!(PROD.check_url(&url("https://user:pw@bsky.social/")), Err(ForbiddenReason::BadUrl));
        assert_eq!(PROD.check_url(&url("ftp://bsky.social/")), Err(ForbiddenReason::BadUrl));
        assert!(PROD.check_url(&url("https://bsky.social/xrpc/x")).is_ok());
        assert!(PROD.check_url(&url("https://8.8.8.8/")).is_ok());
    }

    #[test]
    fn development_allows_loopback_only() {
        assert!(DEV.check_url(&url("http://localhost:2583/")).is_ok());
        assert!(DEV.check_url(&url("http://127.0.0.1:2583/")).is_ok());
        assert!(DEV.check_url(&url("http://[::1]:2583/")).is_ok());
        assert_eq!(DEV.check_url(&url("http://pds.example.com/")), Err(ForbiddenReason::InsecureScheme));
        assert!(matches!(
            DEV.check_url(&url("https://192.168.1.1/")),
            Err(ForbiddenReason::PrivateAddress(_))
        ));
        assert!(DEV.check_ip("127.0.0.1".parse().unwrap()).is_ok());
        assert!(DEV.check_ip("10.0.0.1".parse().unwrap()).is_err());
    }
}
