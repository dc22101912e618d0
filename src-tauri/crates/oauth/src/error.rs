//! Errors, kept apart by cause (server OAuth error, transport, invalid response, identity,
//! callback, input, configuration, outbound policy, key material).
//!
//! Call sites use the classifiers ([`Error::is_invalid_grant`], [`Error::is_use_dpop_nonce`],
//! [`Error::is_invalid_token`], [`Error::is_network`], ...) instead of matching strings.
//! Nothing a server sends can make these panic: server text is kept as [`UntrustedText`].

use std::fmt;

use crate::untrusted::UntrustedText;

/// The protocol step an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Handle → DID (DNS TXT, HTTPS well-known, or XRPC `resolveHandle`).
    ResolveHandle,
    /// DID → DID document (PLC directory or did:web).
    ResolveDid,
    /// Protected-resource metadata from the PDS (RFC 9728).
    ProtectedResource,
    /// Authorization-server metadata (RFC 8414).
    AuthorizationServer,
    /// Pushed authorization request (RFC 9126).
    Par,
    /// The redirect back to the app (RFC 6749 §4.1.2, RFC 9207).
    Callback,
    /// Authorization-code exchange (RFC 6749 §4.1.3).
    Token,
    /// Refresh-token grant (RFC 6749 §6).
    Refresh,
    /// Token revocation (RFC 7009).
    Revoke,
    /// A DPoP-bound request to the PDS (RFC 9449 §7).
    Resource,
    /// Fetching or checking a client-metadata document (atproto OAuth spec, "Client ID
    /// Metadata Document").
    ClientMetadata,
    /// Finding and fetching a published lexicon (atproto lexicon spec, "Lexicon Publication
    /// and Resolution").
    ResolveLexicon,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::ResolveHandle => "handle resolution",
            Step::ResolveDid => "DID resolution",
            Step::ProtectedResource => "protected-resource metadata",
            Step::AuthorizationServer => "authorization-server metadata",
            Step::Par => "pushed authorization request",
            Step::Callback => "authorization callback",
            Step::Token => "token request",
            Step::Refresh => "token refresh",
            Step::Revoke => "token revocation",
            Step::Resource => "resource request",
            Step::ClientMetadata => "client metadata",
            Step::ResolveLexicon => "lexicon resolution",
        })
    }
}

/// Every way the OAuth core can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an OAuth error code (RFC 6749 §5.2, §4.1.2.1; RFC 9449 §7).
    #[error("{0}")]
    OAuth(Box<OAuthError>),
    /// The resource server rejected the access token (`invalid_token`, RFC 6750 §3.1).
    /// Refresh once and retry; if that fails too, the session needs a new sign-in.
    #[error("the server rejected the access token{}", describe(.description))]
    InvalidToken {
        /// The server's explanation, if any.
        description: Option<UntrustedText>,
    },
    /// An XRPC call failed with a non-2xx answer other than `invalid_token`.
    #[error("the PDS answered HTTP {status}{}{}", .error.as_ref().map(|e| format!(" {e}")).unwrap_or_default(), describe(.message))]
    Xrpc {
        /// The HTTP status.
        status: u16,
        /// The XRPC `error` name.
        error: Option<String>,
        /// The XRPC `message`, untrusted.
        message: Option<UntrustedText>,
    },
    /// The network failed before a complete answer arrived.
    #[error("{step}: {source}")]
    Transport {
        /// Where it happened.
        step: Step,
        /// What failed.
        source: TransportError,
    },
    /// The server failed (HTTP 5xx without an OAuth error code). Try again later.
    #[error("{step}: the server is unavailable (HTTP {status})")]
    ServerUnavailable {
        /// Where it happened.
        step: Step,
        /// The HTTP status.
        status: u16,
    },
    /// A response broke the protocol profile (status, content type, size, JSON, values).
    #[error("{step}: invalid response: {reason}")]
    InvalidResponse {
        /// Where it happened.
        step: Step,
        /// What was wrong, in words.
        reason: String,
    },
    /// The identity did not check out (atproto OAuth spec, "Identity Authentication").
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The callback URL was not acceptable (RFC 6749 §4.1.2, RFC 9207).
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// What the user typed is not a handle, DID or server URL.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The client's own configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request was refused before it was sent, by the outbound policy (atproto OAuth
    /// spec, "Security Considerations").
    #[error("refused to contact {url}: {reason}")]
    Forbidden {
        /// The URL that was refused.
        url: String,
        /// Why.
        reason: ForbiddenReason,
    },
    /// Key material could not be made or read.
    #[error(transparent)]
    Key(#[from] KeyError),
}

fn describe(d: &Option<UntrustedText>) -> String {
    d.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
}

impl Error {
    /// The server said `invalid_grant`: on refresh the session is dead (RFC 6749 §5.2).
    pub fn is_invalid_grant(&self) -> bool {
        self.oauth_code() == Some("invalid_grant")
    }

    /// The server asked for a (new) DPoP nonce (RFC 9449 §8).
    pub fn is_use_dpop_nonce(&self) -> bool {
        self.oauth_code() == Some("use_dpop_nonce")
    }

    /// The resource server rejected the access token: refresh once, then retry.
    pub fn is_invalid_token(&self) -> bool {
        matches!(self, Error::InvalidToken { .. })
    }

    /// The user (or the server's policy) declined the authorization (`access_denied`).
    pub fn is_access_denied(&self) -> bool {
        self.oauth_code() == Some("access_denied")
    }

    /// The network failed (DNS, connect, TLS, timeout); the session, if any, is kept.
    pub fn is_network(&self) -> bool {
        matches!(self, Error::Transport { .. })
    }

    /// The request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source: TransportError::Timeout, .. })
    }

    /// The server failed (HTTP 5xx or `server_error`/`temporarily_unavailable`).
    pub fn is_server_error(&self) -> bool {
        match self {
            Error::OAuth(e) => {
                e.status >= 500 || matches!(e.code.as_str(), "server_error" | "temporarily_unavailable")
            }
            Error::ServerUnavailable { .. } => true,
            _ => false,
        }
    }

    /// The OAuth error code, if the server sent one.
    pub fn oauth_code(&self) -> Option<&str> {
        match self {
            Error::OAuth(e) => Some(&e.code),
            _ => None,
        }
    }

    /// A short, stable, machine-readable name for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::OAuth(e) if e.step == Step::Callback => "authorization_error",
            Error::OAuth(_) => "oauth_error",
            Error::InvalidToken { .. } => "invalid_token",
            Error::Xrpc { .. } => "xrpc_error",
            Error::Transport { .. } => "network",
            Error::ServerUnavailable { .. } => "server_unavailable",
            Error::InvalidResponse { .. } => "invalid_response",
            Error::Identity(_) => "identity_mismatch",
            Error::Callback(_) => "invalid_callback",
            Error::Input(_) => "invalid_input",
            Error::Config(_) => "invalid_config",
            Error::Forbidden { .. } => "forbidden_destination",
            Error::Key(_) => "key_error",
        }
    }

    pub(crate) fn invalid(step: Step, reason: impl Into<String>) -> Self {
        Error::InvalidResponse { step, reason: reason.into() }
    }
}

/// An OAuth error response from the server.
#[derive(Debug, Clone)]
pub struct OAuthError {
    /// The step that got the error.
    pub step: Step,
    /// The HTTP status (0 for a callback redirect).
    pub status: u16,
    /// The `error` code, for example `invalid_grant`.
    pub code: String,
    /// The `error_description`, as untrusted text.
    pub description: Option<UntrustedText>,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: the server answered `{}`{}", self.step, self.code, describe(&self.description))
    }
}

/// A network failure, by what a person can do about it. The `Display` text is written for
/// a person; the operating system's own words are in [`TransportError::detail`].
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No answer in time.
    #[error("the server did not answer in time")]
    Timeout,
    /// DNS answered that the host name does not exist.
    #[error("the host name does not exist")]
    NoSuchHost,
    /// DNS could not be asked or did not answer: usually no network connection.
    #[error("could not look up the host name (no network connection, or no DNS server answers)")]
    DnsUnavailable,
    /// No connection could be made.
    #[error("{}", .kind.describe())]
    Connect {
        /// How it failed.
        kind: ConnectFailure,
        /// The underlying error's text, for diagnostics only.
        detail: String,
    },
    /// The connection broke while sending or receiving.
    #[error("the connection broke before the answer was complete")]
    Io(String),
}

/// Why no connection could be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectFailure {
    /// The host answered that nothing listens there.
    Refused,
    /// There is no route to the host (no network, or it is down).
    Unreachable,
    /// The secure connection (TLS) failed: certificate or handshake.
    Tls,
    /// Anything else.
    Other,
}

impl ConnectFailure {
    fn describe(self) -> &'static str {
        match self {
            ConnectFailure::Refused => "the server refused the connection (nothing is listening there)",
            ConnectFailure::Unreachable => {
                "the server cannot be reached (no network connection, or no route to it)"
            }
            ConnectFailure::Tls => {
                "the secure connection to the server failed (its certificate or TLS setup)"
            }
            ConnectFailure::Other => "could not connect to the server",
        }
    }
}

impl TransportError {
    /// The underlying error's own words (an OS or TLS message), for Details and logs.
    pub fn detail(&self) -> Option<&str> {
        match self {
            TransportError::Connect { detail, .. } | TransportError::Io(detail) => Some(detail),
            _ => None,
        }
    }

    /// Whether this says the host does not exist (rather than that it could not be asked).
    pub fn is_no_such_host(&self) -> bool {
        matches!(self, TransportError::NoSuchHost)
    }
}

/// An identity that did not check out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The handle did not resolve to a DID.
    #[error("the handle {handle} does not resolve to a DID")]
    HandleNotFound {
        /// The handle.
        handle: String,
    },
    /// The DID does not exist (the PLC directory or did:web host answered 404).
    #[error("the DID {did} was not found")]
    DidNotFound {
        /// The DID.
        did: String,
    },
    /// DNS and HTTPS handle resolution named different DIDs.
    #[error("the handle {handle} resolves to different DIDs by DNS ({dns}) and by HTTPS ({https})")]
    HandleAmbiguous {
        /// The handle.
        handle: String,
        /// DID from `_atproto` TXT.
        dns: String,
        /// DID from `/.well-known/atproto-did`.
        https: String,
    },
    /// The DID document's first valid `alsoKnownAs` handle is not the handle typed.
    #[error("the DID document of {did} claims the handle {claimed:?}, not {expected}")]
    HandleMismatch {
        /// The DID.
        did: String,
        /// The handle the user typed.
        expected: String,
        /// What the document claims (None: no valid handle).
        claimed: Option<String>,
    },
    /// The DID document has no `#atproto_pds` service.
    #[error("the DID document of {did} names no PDS (#atproto_pds)")]
    NoPds {
        /// The DID.
        did: String,
    },
    /// The DID document's `id` is not the DID that was asked for.
    #[error("the DID document for {expected} carries the id {actual}")]
    DocumentIdMismatch {
        /// The DID asked for.
        expected: String,
        /// The `id` in the document.
        actual: String,
    },
    /// The token's `sub` is not the account the login started with (atproto OAuth
    /// spec, "Identity Authentication").
    #[error("the server signed in {actual}, but the login was for {expected}")]
    SubjectMismatch {
        /// The DID the login expected.
        expected: String,
        /// The `sub` the server returned.
        actual: String,
    },
    /// The account's PDS is protected by another authorization server than the session's.
    #[error("{did} is served by the authorization server {actual}, not {expected}")]
    IssuerMismatch {
        /// The DID.
        did: String,
        /// The session's issuer.
        expected: String,
        /// The issuer found by resolving the DID.
        actual: String,
    },
    /// A metadata document names an issuer other than where it was fetched, or than the
    /// protected resource names (RFC 8414 §3.3; atproto OAuth spec,
    /// "Server Metadata").
    #[error("the authorization server metadata names the issuer {actual}, expected {expected}")]
    MetadataIssuerMismatch {
        /// The issuer expected (fetch origin / `authorization_servers[0]`).
        expected: String,
        /// The issuer in the document.
        actual: String,
    },
}

/// A callback URL that cannot complete a login (RFC 6749 §4.1.2, RFC 9207).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// Not a URL, or not one this client could have registered.
    #[error("the callback is not a valid URL: {0}")]
    Malformed(String),
    /// The URL has no `state`.
    #[error("the callback has no state")]
    MissingState,
    /// No pending login has this `state` (unknown, already used, or expired).
    #[error("no sign-in is waiting for this callback (unknown, used or expired state)")]
    UnknownState,
    /// The pending login for this `state` expired.
    #[error("this sign-in expired; start again")]
    Expired,
    /// The callback has no `code` (and no `error`).
    #[error("the callback has no authorization code")]
    MissingCode,
    /// The callback has no `iss` (RFC 9207 §2.4).
    #[error("the callback has no iss (issuer) parameter")]
    MissingIssuer,
    /// The callback's `iss` is not the issuer the login was sent to.
    #[error("the callback came from issuer {actual}, expected {expected}")]
    IssuerMismatch {
        /// The issuer of the pending login.
        expected: String,
        /// The `iss` in the callback.
        actual: String,
    },
    /// A parameter appears more than once, or a JARM `response` parameter is present.
    #[error("the callback repeats or carries an unsupported parameter: {0}")]
    BadParameter(String),
    /// The callback does not go to the redirect URI of the pending login.
    #[error("the callback does not match the redirect URI of this sign-in")]
    RedirectMismatch,
}

/// What the user typed is not usable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// Empty input.
    #[error("enter a handle (alice.bsky.social), a DID (did:plc:…) or a server URL")]
    Empty,
    /// Not a valid handle.
    #[error("{0:?} is not a valid handle")]
    Handle(String),
    /// Not a valid DID (or a DID method we cannot resolve).
    #[error("{0:?} is not a DID Skyport can resolve (did:plc or did:web)")]
    Did(String),
    /// A `did:web` names a port (`did:web:host%3A1234`). The atproto DID specification
    /// (did:web section) says port numbers are not allowed except for `localhost` in
    /// development, so only `did:web:localhost%3A<port>` under the development profile is
    /// resolved; anywhere else the DID is refused before anything is fetched.
    #[error("{0:?}: a did:web may name a port only for localhost, in the development profile")]
    DidWebPort(String),
    /// Not a usable server URL.
    #[error("{0:?} is not a usable server URL: {1}")]
    Url(String, String),
    /// A scope string is not valid (atproto permission spec).
    #[error("invalid scope: {0}")]
    Scope(String),
    /// Not an authorization server issuer (an https origin, or http in development).
    #[error("{0:?} is not an issuer (an origin URL such as https://example.com)")]
    Issuer(String),
    /// Not a client_id (an https URL, or the `http://localhost` development client).
    #[error("{0:?} is not a client_id (an https URL, or http://localhost)")]
    ClientId(String),
    /// Not a redirect URI (an absolute URI without a fragment).
    #[error("{0:?} is not a redirect URI (an absolute URI without a fragment)")]
    RedirectUri(String),
}

/// The client's configuration breaks the profile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The client_id is not a valid discoverable or loopback client id (atproto
    /// OAuth spec, "Clients" and "Localhost Client Development").
    #[error("invalid client_id: {0}")]
    ClientId(String),
    /// A redirect URI is invalid for this client.
    #[error("invalid redirect_uri: {0}")]
    RedirectUri(String),
    /// The scope asked for is not declared by the client, or lacks `atproto`.
    #[error("invalid scope: {0}")]
    Scope(String),
    /// A client-metadata document breaks a rule (atproto OAuth spec, "Client ID Metadata
    /// Document").
    #[error("client metadata: {0}")]
    ClientMetadata(String),
    /// A URL in the network settings is invalid.
    #[error("invalid network setting: {0}")]
    Network(String),
    /// Built without the `net` feature (the fuzz targets), and given no HTTP client or no
    /// handle resolver of its own.
    #[cfg(not(feature = "net"))]
    #[error("built without the net feature: give the client an HTTP client and a handle resolver")]
    NoNetwork,
}

/// Why the outbound policy refused a destination (atproto OAuth spec, "Security
/// Considerations").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForbiddenReason {
    /// Plain http outside the development profile (or to a non-loopback host).
    #[error("plain http is allowed only to loopback hosts in the development profile")]
    InsecureScheme,
    /// The host is, or resolves to, a private, loopback, link-local or multicast address.
    #[error("the host resolves to a non-public address ({0})")]
    PrivateAddress(String),
    /// The host name is a local-only name (`localhost`, `.local`, `.test`, ...).
    #[error("the host name is local-only")]
    LocalName,
    /// The URL has credentials, or an unsupported scheme.
    #[error("the URL is not an http(s) URL without credentials")]
    BadUrl,
}

/// Key material could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The OS random source failed.
    #[error("the system random number generator failed")]
    Random,
    /// Stored key bytes are not a valid P-256 private key.
    #[error("the stored DPoP key is not a valid P-256 key")]
    Invalid,
}
