//! How this app identifies itself to authorization servers.

use serde_json::{Value, json};
use url::Url;

use super::client_id::ClientId;
use super::loopback_id::{LoopbackClientId, check_loopback_redirect};
use super::metadata_doc::{check_discoverable_client_id, reverse_domain};
use super::redirect_uri::RedirectUri;
use crate::callback::CallbackParams;
use crate::error::ConfigError;
use crate::scope::Scope;

/// The kind of client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientKind {
    /// A hosted https client_id with a custom-scheme redirect `<reversed host>:/callback`.
    Discoverable {
        /// The custom-scheme redirect URI.
        redirect_uri: RedirectUri,
    },
    /// The `http://localhost` development client with an `http://127.0.0.1` redirect
    /// registered without a port, so any ephemeral port is accepted.
    Loopback {
        /// The redirect path (`/callback`).
        path: String,
    },
}

/// The client's identity: one `client_id` string sent identically to PAR, authorize, token,
/// refresh and revoke (atproto OAuth spec, "Clients" and "Request Fields"), the scope it
/// declares, and its redirect.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    client_id: ClientId,
    scope: Scope,
    kind: ClientKind,
}

/// Optional fields of a hosted client-metadata document.
#[derive(Debug, Clone, Default)]
pub struct ClientMetadataOptions {
    /// `client_name` (shown by an authorization server for trusted clients).
    pub client_name: Option<String>,
    /// `client_uri` (same origin as the client_id).
    pub client_uri: Option<String>,
    /// `logo_uri` (https).
    pub logo_uri: Option<String>,
    /// `tos_uri` (https).
    pub tos_uri: Option<String>,
    /// `policy_uri` (https).
    pub policy_uri: Option<String>,
}

/// The path of the callback on both kinds of redirect.
pub const CALLBACK_PATH: &str = "/callback";

impl ClientConfig {
    /// A discoverable native client. `allow_port` accepts a port in the client_id (the
    /// development profile: a local https host listens on a random port).
    pub fn discoverable(client_id: &str, scope: &str, allow_port: bool) -> Result<Self, ConfigError> {
        let url = check_discoverable_client_id(client_id, allow_port).map_err(ConfigError::ClientId)?;
        let client_id = ClientId::parse(client_id).map_err(|e| ConfigError::ClientId(e.to_string()))?;
        let scope = declared_scope(scope)?;
        let host = url.host_str().unwrap_or_default();
        let redirect_uri = RedirectUri::parse(&format!("{}:{CALLBACK_PATH}", reverse_domain(host)))
            .map_err(|e| ConfigError::RedirectUri(e.to_string()))?;
        Ok(Self { client_id, scope, kind: ClientKind::Discoverable { redirect_uri } })
    }

    /// The loopback development client, declaring `scope`.
    pub fn loopback(scope: &str) -> Result<Self, ConfigError> {
        let scope = declared_scope(scope)?;
        let redirect = format!("http://127.0.0.1{CALLBACK_PATH}");
        let client_id = format!(
            "http://localhost?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("redirect_uri", &redirect)
                .append_pair("scope", &scope.to_string())
                .finish()
        );
        // The id we build must pass our own loopback rules.
        LoopbackClientId::parse(&client_id)?;
        let client_id = ClientId::parse(&client_id).map_err(|e| ConfigError::ClientId(e.to_string()))?;
        Ok(Self { client_id, scope, kind: ClientKind::Loopback { path: CALLBACK_PATH.to_owned() } })
    }

    /// The exact client_id string.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The declared scope (what the metadata document lists).
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The kind of client.
    pub fn kind(&self) -> &ClientKind {
        &self.kind
    }

    /// Whether the callback comes through a loopback listener (else a custom-scheme link).
    pub fn is_loopback(&self) -> bool {
        matches!(self.kind, ClientKind::Loopback { .. })
    }

    /// The custom URI scheme of a discoverable client (`dev.example.app`).
    pub fn custom_scheme(&self) -> Option<&str> {
        match &self.kind {
            ClientKind::Discoverable { redirect_uri } => redirect_uri.as_str().split(':').next(),
            ClientKind::Loopback { .. } => None,
        }
    }

    /// Whether a callback arrived at one of this client's redirect URIs (its scheme, authority
    /// and path): the custom-scheme URI of a discoverable client, or
    /// `http://127.0.0.1:<any port><path>` for the loopback client. Check this **before**
    /// looking up the pending login, so a link meant for something else consumes nothing;
    /// [`PendingLogin::accept`](crate::PendingLogin::accept) then checks the exact URI.
    pub fn is_redirect_target(&self, callback: &CallbackParams) -> bool {
        match &self.kind {
            ClientKind::Discoverable { redirect_uri } => {
                crate::login::same_target(&callback.target, redirect_uri.as_str())
            }
            ClientKind::Loopback { path } => Url::parse(&callback.target).is_ok_and(|u| {
                u.scheme() == "http"
                    && u.host_str() == Some("127.0.0.1")
                    && u.port().is_some()
                    && u.path() == path
                    && u.username().is_empty()
                    && u.password().is_none()
            }),
        }
    }

    /// The redirect URI for one login. A loopback client needs the listener's port.
    pub fn redirect_uri(&self, loopback_port: Option<u16>) -> Result<RedirectUri, ConfigError> {
        match (&self.kind, loopback_port) {
            (ClientKind::Discoverable { redirect_uri }, _) => Ok(redirect_uri.clone()),
            (ClientKind::Loopback { path }, Some(port)) => {
                let uri = format!("http://127.0.0.1:{port}{path}");
                check_loopback_redirect(&uri).map_err(ConfigError::RedirectUri)?;
                RedirectUri::parse(&uri).map_err(|e| ConfigError::RedirectUri(e.to_string()))
            }
            (ClientKind::Loopback { .. }, None) => {
                Err(ConfigError::RedirectUri("a loopback client needs the listener's port".into()))
            }
        }
    }

    /// Checks that a requested scope may be asked for: it has `atproto` and every token is
    /// declared in the client metadata (atproto OAuth spec, "Request Fields": `scope`).
    pub fn check_request_scope(&self, requested: &Scope) -> Result<(), ConfigError> {
        if !requested.has_atproto() {
            return Err(ConfigError::Scope("the requested scope must include atproto".into()));
        }
        let undeclared: Vec<&str> =
            requested.tokens().iter().map(|t| t.as_str()).filter(|t| !self.scope.contains(t)).collect();
        if !undeclared.is_empty() {
            return Err(ConfigError::Scope(format!(
                "{} not declared in the client metadata scope ({})",
                undeclared.join(", "),
                self.scope
            )));
        }
        Ok(())
    }

    /// The client-metadata document to host at the client_id URL (discoverable clients).
    pub fn metadata_document(&self, options: &ClientMetadataOptions) -> Result<Value, ConfigError> {
        let ClientKind::Discoverable { redirect_uri } = &self.kind else {
            return Err(ConfigError::ClientMetadata(
                "a loopback client has no hosted metadata document; set a hosted https client_id".into(),
            ));
        };
        let mut doc = json!({
            "client_id": self.client_id,
            "application_type": "native",
            "token_endpoint_auth_method": "none",
            "dpop_bound_access_tokens": true,
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": self.scope.to_string(),
            "redirect_uris": [redirect_uri],
        });
        let fields = [
            ("client_name", &options.client_name),
            ("client_uri", &options.client_uri),
            ("logo_uri", &options.logo_uri),
            ("tos_uri", &options.tos_uri),
            ("policy_uri", &options.policy_uri),
        ];
        for (name, value) in fields {
            if let (Some(v), Some(obj)) = (value, doc.as_object_mut()) {
                obj.insert(name.to_owned(), Value::String(v.clone()));
            }
        }
        Ok(doc)
    }

    /// The client_id as a URL, for a discoverable client.
    pub fn client_id_url(&self) -> Option<Url> {
        match self.kind {
            ClientKind::Discoverable { .. } => Url::parse(self.client_id.as_str()).ok(),
            ClientKind::Loopback { .. } => None,
        }
    }
}

fn declared_scope(scope: &str) -> Result<Scope, ConfigError> {
    let scope = Scope::parse(scope).map_err(|e| ConfigError::Scope(e.to_string()))?;
    if !scope.has_atproto() {
        return Err(ConfigError::Scope("the client scope must include atproto".into()));
    }
    Ok(scope)
}
