//! Network profiles: production defaults, and an explicit development profile.

use std::fmt;

use url::Url;

use crate::error::ConfigError;
use crate::http::{HttpConfig, OutboundPolicy};

/// The public PLC directory.
pub const PLC_DIRECTORY: &str = "https://plc.directory";

/// Where the client looks things up and what it may contact.
///
/// [`NetworkProfile::production`] is the default: `plc.directory`, https only, handles by DNS
/// TXT and HTTPS well-known, public addresses only. [`NetworkProfile::development`] must be
/// chosen explicitly; it allows plain http to loopback hosts, which a local PDS needs.
#[derive(Debug, Clone)]
pub struct NetworkProfile {
    /// Whether this is the development profile.
    pub development: bool,
    /// The PLC directory for `did:plc` documents.
    pub plc_directory: Url,
    /// Resolve handles through this service's `com.atproto.identity.resolveHandle` instead of
    /// DNS and HTTPS (`None`: DNS + HTTPS).
    pub handle_resolver: Option<Url>,
    /// HTTP limits and the outbound policy.
    pub http: HttpConfig,
}

impl NetworkProfile {
    /// Production defaults.
    pub fn production() -> Self {
        Self {
            development: false,
            plc_directory: parse(PLC_DIRECTORY),
            handle_resolver: None,
            http: HttpConfig::new(OutboundPolicy { allow_loopback: false }),
        }
    }

    /// The development profile: like production, plus plain http to loopback hosts.
    pub fn development() -> Self {
        Self {
            development: true,
            http: HttpConfig::new(OutboundPolicy { allow_loopback: true }),
            ..Self::production()
        }
    }

    /// Sets the PLC directory URL.
    pub fn with_plc_directory(mut self, url: &str) -> Result<Self, ConfigError> {
        self.plc_directory = service_url(url, "PLC directory")?;
        Ok(self)
    }

    /// Resolves handles through `url`'s `com.atproto.identity.resolveHandle`.
    pub fn with_handle_resolver(mut self, url: &str) -> Result<Self, ConfigError> {
        self.handle_resolver = Some(service_url(url, "handle resolver")?);
        Ok(self)
    }

    /// Checks that configured services are reachable under this profile's policy.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let policy = self.http.policy;
        for (what, url) in
            [("PLC directory", Some(&self.plc_directory)), ("handle resolver", self.handle_resolver.as_ref())]
        {
            if let Some(url) = url {
                policy.check_url(url).map_err(|r| {
                    let hint = if self.development {
                        ""
                    } else {
                        " (loopback and http need the development profile, SKYPORT_DEV=1)"
                    };
                    ConfigError::Network(format!("{what} {url}: {r}{hint}"))
                })?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for NetworkProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.development { "development" } else { "production" })
    }
}

fn parse(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("constant URL"))
}

fn service_url(s: &str, what: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(s).map_err(|e| ConfigError::Network(format!("{what} {s:?}: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(ConfigError::Network(format!("{what} {s:?}: not an http(s) URL")));
    }
    Ok(url)
}
