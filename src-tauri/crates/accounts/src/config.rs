//! Configuration: a `config.toml` in the data directory, overridden by environment
//! variables (which tests and scripts use).
//!
//! | variable | meaning |
//! |---|---|
//! | `SKYPORT_HOME` | data directory (default: the platform's app-data dir + `skyport`) |
//! | `SKYPORT_CLIENT_ID` | hosted https client_id; unset means the loopback client |
//! | `SKYPORT_PLC_URL` | PLC directory URL |
//! | `SKYPORT_HANDLE_RESOLVER` | XRPC service used for `resolveHandle` |
//! | `SKYPORT_DEV=1` | the development profile (plain http to loopback hosts) |
//! | `SKYPORT_EXTRA_CA` | a PEM file of extra trusted roots (development networks) |
//! | `SKYPORT_STRICT_DPOP_NONCE=1` | refuse responses to DPoP requests without `DPoP-Nonce` |
//! | `SKYPORT_AGENT_PORT` | the agent's port on 127.0.0.1 (default 5783) |
//! | `SKYPORT_LEXICON_AUTHORITY` | development only: the DID that publishes every permission set |
//!
//! `config.toml` takes the same settings as keys: `client_id`, `scope`, `plc_url`,
//! `handle_resolver`, `development`, `extra_ca`, `strict_dpop_nonce` (a boolean), `agent_port` (a number) and
//! `lexicon_authority` (a DID). An
//! environment variable wins over the file; for the two booleans it is `1`/`true`/`yes` or
//! `0`/`false`/`no`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use skyport_oauth::{ClientConfig, NetworkProfile};

use crate::Error;

/// Every scope Skyport may ask for: the client declares all of them, and a login asks for
/// [`DEFAULT_SCOPE`] unless the user requests more ("Request more access" offers the rest
/// in words).
///
/// Besides the transitional scopes: Bluesky's published permission sets for its app and its
/// chat service (atproto permission spec, "Permission Sets"; the audiences are Bluesky's
/// AppView and chat service), and granular record and media permissions, so that a session
/// signed in with less can be given exactly one more thing.
pub const DECLARED_SCOPE: &str = concat!(
    "atproto transition:generic transition:email transition:chat.bsky",
    " include:app.bsky.authFullApp?aud=did:web:api.bsky.app%23bsky_appview",
    " include:chat.bsky.authFullChatClient?aud=did:web:api.bsky.chat%23bsky_chat",
    " repo:app.bsky.feed.post repo:app.bsky.feed.like repo:app.bsky.feed.repost repo:app.bsky.graph.follow",
    " repo:app.bsky.actor.profile blob:image/* blob:video/*",
);

/// What a login asks for by default.
pub const DEFAULT_SCOPE: &str = "atproto transition:generic";

/// The settings Skyport runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The data directory (SQLite, lock files, logs).
    pub home: PathBuf,
    /// A hosted https client_id, or `None` for the loopback client.
    pub client_id: Option<String>,
    /// The scope the client declares.
    pub declared_scope: String,
    /// The PLC directory.
    pub plc_url: Option<String>,
    /// An XRPC handle resolver.
    pub handle_resolver: Option<String>,
    /// The development profile.
    pub development: bool,
    /// Extra trusted root certificates (PEM file).
    pub extra_ca: Option<PathBuf>,
    /// Refuse a response to a DPoP-signed request that has no `DPoP-Nonce` header, as
    /// the atproto OAuth spec requires ("Demonstrating Proof of Possession (DPoP)";
    /// `strict_dpop_nonce = true` in `config.toml`, or
    /// `SKYPORT_STRICT_DPOP_NONCE=1`). Off by default: such a response is accepted and logged
    /// once per server. When on, a server that omits the header cannot be used, and a refused
    /// refresh response can end the session (see
    /// [`OAuthClientBuilder::require_dpop_nonce`](skyport_oauth::OAuthClientBuilder::require_dpop_nonce)).
    pub strict_dpop_nonce: bool,
    /// The agent's port on 127.0.0.1 (`agent_port` in `config.toml`, or
    /// `SKYPORT_AGENT_PORT`); `None` for its default.
    pub agent_port: Option<u16>,
    /// Development networks only: the DID whose repository publishes every permission set,
    /// instead of DNS `_lexicon` records (as the reference PDS's `PDS_LEXICON_AUTHORITY_DID`).
    pub lexicon_authority: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    client_id: Option<String>,
    scope: Option<String>,
    plc_url: Option<String>,
    handle_resolver: Option<String>,
    development: Option<bool>,
    extra_ca: Option<PathBuf>,
    strict_dpop_nonce: Option<bool>,
    agent_port: Option<u16>,
    lexicon_authority: Option<String>,
}

impl Config {
    /// Reads the configuration from the environment and `<home>/config.toml`.
    pub fn from_env() -> Result<Self, Error> {
        let home = match std::env::var_os("SKYPORT_HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h),
            _ => dirs::data_dir()
                .ok_or_else(|| Error::Config("no data directory; set SKYPORT_HOME".into()))?
                .join("skyport"),
        };
        Self::load(&home, |k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Reads `<home>/config.toml` (if present), then applies `env` overrides.
    pub fn load(home: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let path = home.join("config.toml");
        let file: File = match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(e) => return Err(Error::Io { what: format!("read {}", path.display()), source: e }),
        };
        let development = flag(&env, "SKYPORT_DEV", file.development)?;
        let strict_dpop_nonce = flag(&env, "SKYPORT_STRICT_DPOP_NONCE", file.strict_dpop_nonce)?;
        Ok(Self {
            home: home.to_path_buf(),
            client_id: env("SKYPORT_CLIENT_ID").or(file.client_id),
            declared_scope: file.scope.unwrap_or_else(|| DECLARED_SCOPE.to_owned()),
            plc_url: env("SKYPORT_PLC_URL").or(file.plc_url),
            handle_resolver: env("SKYPORT_HANDLE_RESOLVER").or(file.handle_resolver),
            development,
            extra_ca: env("SKYPORT_EXTRA_CA").map(PathBuf::from).or(file.extra_ca),
            strict_dpop_nonce,
            agent_port: match env("SKYPORT_AGENT_PORT") {
                Some(raw) => Some(raw.trim().parse().map_err(|_| {
                    Error::Config(format!("SKYPORT_AGENT_PORT={raw:?} is not a port number (1 to 65535)"))
                })?),
                None => file.agent_port,
            },
            lexicon_authority: env("SKYPORT_LEXICON_AUTHORITY").or(file.lexicon_authority),
        })
    }

    /// The client identity: hosted (custom scheme) if a client_id is set, else loopback.
    pub fn client(&self) -> Result<ClientConfig, Error> {
        let config = match &self.client_id {
            Some(id) => ClientConfig::discoverable(id, &self.declared_scope, self.development),
            None => ClientConfig::loopback(&self.declared_scope),
        };
        config.map_err(|e| Error::Config(e.to_string()))
    }

    /// The permission-set authority override, checked: a DID, and only in the development
    /// profile (elsewhere DNS decides who publishes a set).
    pub fn lexicon_authority(&self) -> Result<Option<skyport_oauth::Did>, Error> {
        let Some(raw) = &self.lexicon_authority else { return Ok(None) };
        if !self.development {
            return Err(Error::Config(
                "lexicon_authority is for development networks only (set development = true)".into(),
            ));
        }
        skyport_oauth::Did::parse(raw)
            .map(Some)
            .map_err(|e| Error::Config(format!("lexicon_authority {raw:?} is not a DID: {e}")))
    }

    /// The network profile.
    pub fn profile(&self) -> Result<NetworkProfile, Error> {
        let mut profile =
            if self.development { NetworkProfile::development() } else { NetworkProfile::production() };
        let cfg = |e: skyport_oauth::ConfigError| Error::Config(e.to_string());
        if let Some(plc) = &self.plc_url {
            profile = profile.with_plc_directory(plc).map_err(cfg)?;
        }
        if let Some(resolver) = &self.handle_resolver {
            profile = profile.with_handle_resolver(resolver).map_err(cfg)?;
        }
        if let Some(ca) = &self.extra_ca {
            let pem = std::fs::read(ca)
                .map_err(|e| Error::Io { what: format!("read {}", ca.display()), source: e })?;
            profile.http.extra_root_certs.push(pem);
        }
        profile.validate().map_err(cfg)?;
        Ok(profile)
    }

    /// The SQLite file.
    pub fn database_path(&self) -> PathBuf {
        self.home.join("skyport.db")
    }
}

/// A boolean setting: the environment variable `name` if set, else the file's value, else off.
fn flag(env: impl Fn(&str) -> Option<String>, name: &str, file: Option<bool>) -> Result<bool, Error> {
    match env(name).as_deref() {
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(other) => Err(Error::Config(format!("{name}={other:?}: use 1 or 0"))),
        None => Ok(file.unwrap_or(false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "client_id = \"https://app.example.dev/c.json\"\ndevelopment = true\n",
        )
        .unwrap();
        let c = Config::load(dir.path(), |_| None).unwrap();
        assert_eq!(c.client_id.as_deref(), Some("https://app.example.dev/c.json"));
        assert!(c.development);
        let c = Config::load(dir.path(), |k| (k == "SKYPORT_DEV").then(|| "0".to_owned())).unwrap();
        assert!(!c.development);
        assert!(Config::load(dir.path(), |k| (k == "SKYPORT_DEV").then(|| "maybe".to_owned())).is_err());
    }

    #[test]
    fn the_readme_example_config_is_read_with_every_key() {
        // The example in README.md, "Configuration".
        let example = r#"
client_id = "https://app.example.com/oauth-client-metadata.json"  # a hosted client_id (see below)
scope = "atproto transition:generic transition:email"             # what the client declares
plc_url = "https://plc.directory"
handle_resolver = "https://bsky.social"   # resolve handles through this service instead of DNS + HTTPS
development = false                       # true: plain http to loopback hosts (local networks)
extra_ca = "/path/to/ca.pem"              # extra trusted roots (development networks)
strict_dpop_nonce = false
agent_port = 5783
"#;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), example).unwrap();
        let c = Config::load(dir.path(), |_| None).unwrap();
        assert_eq!(c.client_id.as_deref(), Some("https://app.example.com/oauth-client-metadata.json"));
        assert_eq!(c.declared_scope, "atproto transition:generic transition:email");
        assert_eq!(c.handle_resolver.as_deref(), Some("https://bsky.social"));
        assert_eq!((c.development, c.strict_dpop_nonce, c.agent_port), (false, false, Some(5783)));
        assert_eq!(c.extra_ca.as_deref(), Some(std::path::Path::new("/path/to/ca.pem")));
        let env = |k: &str| (k == "SKYPORT_AGENT_PORT").then(|| "not a port".to_owned());
        assert!(Config::load(dir.path(), env).is_err(), "a bad port is refused, not ignored");
    }

    #[test]
    fn strict_dpop_nonce_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!Config::load(dir.path(), |_| None).unwrap().strict_dpop_nonce, "off by default");
        std::fs::write(dir.path().join("config.toml"), "strict_dpop_nonce = true\n").unwrap();
        assert!(Config::load(dir.path(), |_| None).unwrap().strict_dpop_nonce);
        let env = |v: &'static str| move |k: &str| (k == "SKYPORT_STRICT_DPOP_NONCE").then(|| v.to_owned());
        assert!(!Config::load(dir.path(), env("0")).unwrap().strict_dpop_nonce, "the environment wins");
        std::fs::remove_file(dir.path().join("config.toml")).unwrap();
        assert!(Config::load(dir.path(), env("1")).unwrap().strict_dpop_nonce);
        let err = Config::load(dir.path(), env("strict")).unwrap_err();
        assert!(err.to_string().contains("SKYPORT_STRICT_DPOP_NONCE"), "{err}");
    }

    #[test]
    fn bad_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "clientid = 3").unwrap();
        let err = Config::load(dir.path(), |_| None).unwrap_err();
        assert!(err.to_string().contains("config.toml"), "{err}");
    }

    #[test]
    fn loopback_plc_needs_the_development_profile() {
        let dir = tempfile::tempdir().unwrap();
        let env = |k: &str| (k == "SKYPORT_PLC_URL").then(|| "http://localhost:2582".to_owned());
        assert!(Config::load(dir.path(), env).unwrap().profile().is_err());
        let env = |k: &str| match k {
            "SKYPORT_PLC_URL" => Some("http://localhost:2582".to_owned()),
            "SKYPORT_DEV" => Some("1".to_owned()),
            _ => None,
        };
        assert!(Config::load(dir.path(), env).unwrap().profile().is_ok());
    }
}
