//! # skyport-oauth
//!
//! The atproto OAuth profile for a **native public client**: no client secret, PAR + PKCE
//! (S256) + DPoP (ES256), a custom-scheme redirect for a hosted `client_id`, and the
//! `http://localhost` loopback client for development. It follows the atproto OAuth
//! specification and Bluesky's reference authorization server; where older guides disagree,
//! those win.
//!
//! ## The flow
//!
//! 1. **Identity** ([`identity`]): a handle, DID or server URL → DID → DID document → PDS.
//!    Handles are verified both ways.
//! 2. **Discovery** ([`metadata`]): the PDS's protected-resource metadata names exactly one
//!    authorization server, whose metadata must pass every check of the profile.
//! 3. **PAR** ([`OAuthClient::start_login`]): a fresh DPoP key and PKCE verifier per login,
//!    a random `state`, one retry on `use_dpop_nonce`. The browser URL carries only
//!    `client_id` and `request_uri`.
//! 4. **Callback** ([`CallbackParams`], [`PendingLogin::accept`]): `state` first (the caller
//!    deletes its pending record: single use), then `error`, `code`, and `iss`.
//! 5. **Token** ([`OAuthClient::complete_login`]): strict response checks, then `sub` →
//!    PDS → issuer must match the issuer the login went to; otherwise the tokens are revoked.
//! 6. **Use** ([`OAuthClient::xrpc`], [`OAuthClient::refresh`], [`OAuthClient::revoke`]).
//!
//! The order is enforced by types: only [`PendingLogin::accept`] makes an
//! [`AuthorizedCallback`], and only an `AuthorizedCallback` can be exchanged.
//!
//! ## Features
//!
//! `net` (on by default): the production HTTP client ([`http::ReqwestClient`], reqwest with
//! rustls), the system's DNS ([`identity::SystemDns`], hickory) and [`LoopbackListener`]
//! (hyper). Without it only the protocol core is built (the fuzz targets), and
//! [`OAuthClientBuilder::build`] needs an HTTP client and a handle resolver given to it.
//!
//! ## Quickstart
//!
//! ```no_run
//! use skyport_oauth::{ClientConfig, LoginInput, LoginOptions, NetworkProfile, OAuthClient};
//! use skyport_oauth::{CallbackParams, LoopbackListener};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ClientConfig::loopback("atproto transition:generic")?;
//! let client = OAuthClient::builder(config, NetworkProfile::production()).build()?;
//! let listener = LoopbackListener::bind().await?;
//! let options = LoginOptions { loopback_port: Some(listener.port()), ..Default::default() };
//! let started = client.start_login(&LoginInput::parse("alice.bsky.social")?, &options).await?;
//! println!("open {}", started.authorization_url);
//! let url = listener.wait_for("/callback", &started.pending.state).await?;
//! let callback = CallbackParams::parse(&url)?;
//! let authorized = started.pending.accept(callback, /* now */ 0)?;
//! let session = client.complete_login(started.pending, started.secrets, authorized).await?;
//! println!("signed in as {}", session.info.did);
//! # Ok(()) }
//! ```
//!
//! ## Security notes
//!
//! * Secrets ([`AccessToken`], [`RefreshToken`], [`PkceVerifier`], [`DpopKey`]) have a
//!   redacted `Debug`, no `Serialize`, and are zeroed on drop. The DPoP key leaves its type
//!   only through [`DpopKey::to_secret_bytes`], meant for the OS keychain.
//! * Server text (error descriptions) is [`UntrustedText`]: show it as text.
//! * Every fetch goes through the outbound policy ([`http::OutboundPolicy`]): https and
//!   public addresses only, checked after DNS; loopback needs the development profile.

pub mod client;
pub mod dpop;
pub mod error;
pub mod http;
pub mod identity;
pub mod lexicon;
pub mod metadata;
pub mod scope;
pub mod www_authenticate;

mod cache;
mod callback;
mod clock;
mod forward;
mod http_date;
mod login;
#[cfg(feature = "net")]
mod loopback;
mod newtype;
mod oauth_client;
mod par;
mod pkce;
mod profile;
mod random;
mod revoke;
mod secret;
mod session;
mod token;
mod untrusted;
mod wire;
mod xrpc;

#[cfg(test)]
mod testdata;

pub use callback::{AuthorizedCallback, CallbackParams};
pub use client::{ClientConfig, ClientId, ClientMetadataOptions, RedirectUri};
pub use clock::{Clock, FixedClock, SystemClock};
pub use dpop::DpopKey;
pub use error::{
    CallbackError, ConfigError, ConnectFailure, Error, IdentityError, InputError, Step, TransportError,
};
pub use forward::ForwardRequest;
pub use identity::{Did, Handle, LoginInput, ResolvedIdentity};
pub use login::{LOGIN_TTL_SECS, PendingLogin, PendingSecrets, StartedLogin};
#[cfg(feature = "net")]
pub use loopback::LoopbackListener;
pub use metadata::Issuer;
pub use oauth_client::{LoginOptions, OAuthClient, OAuthClientBuilder};
pub use pkce::{Pkce, challenge as pkce_challenge};
pub use profile::{NetworkProfile, PLC_DIRECTORY};
pub use revoke::RevokeOutcome;
pub use scope::{Scope, ScopeText};
pub use secret::{AccessToken, AuthorizationCode, PkceVerifier, RefreshToken};
pub use session::{HandleChange, PUBLIC_CLIENT_SESSION_SECS, Session, SessionInfo, SessionTokens};
pub use token::TokenSet;
pub use untrusted::UntrustedText;
pub use xrpc::{XrpcRequest, XrpcResponse};
