//! The client facade: login, refresh, revoke and authenticated calls.

use std::sync::Arc;

use crate::callback::AuthorizedCallback;
use crate::client::ClientConfig;
use crate::clock::{Clock, SystemClock};
use crate::dpop::{DpopKey, MemoryNonces, NonceStore};
#[cfg(not(feature = "net"))]
use crate::error::ConfigError;
use crate::error::{Error, IdentityError, InputError};
use crate::http::HttpClient;
#[cfg(feature = "net")]
use crate::http::ReqwestClient;
use crate::identity::IDENTITY_TTL_SECS;
use crate::identity::{
    Did, HandleResolver, IdentityResolver, LoginInput, ResolvedIdentity, XrpcHandleResolver,
};
use crate::login::{LOGIN_TTL_SECS, PendingLogin, PendingSecrets, StartedLogin};
use crate::metadata::{AuthorizationServer, Discovery};
use crate::par::{self, ParRequest};
use crate::pkce::Pkce;
use crate::profile::NetworkProfile;
use crate::random;
use crate::revoke::{self, RevokeOutcome};
use crate::scope::{Scope, ScopeText};
use crate::secret::{AccessToken, RefreshToken};
use crate::session::{HandleChange, Session, SessionInfo, SessionTokens};
use crate::token::{self, TokenSet};
use crate::wire::Wire;
use crate::xrpc::{self, XrpcRequest, XrpcResponse};

/// Options for one login.
#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    /// The scope to ask for; the client's whole declared scope when `None`.
    pub scope: Option<Scope>,
    /// The loopback listener's port (loopback client only).
    pub loopback_port: Option<u16>,
    /// An OIDC-style `prompt` (`login`, `consent`, …), passed through.
    pub prompt: Option<String>,
}

/// An atproto OAuth client: one per app, shared by every account.
pub struct OAuthClient {
    config: ClientConfig,
    profile: NetworkProfile,
    wire: Wire,
    identity: IdentityResolver,
    discovery: Discovery,
}

/// Builds an [`OAuthClient`], with seams for tests.
pub struct OAuthClientBuilder {
    config: ClientConfig,
    profile: NetworkProfile,
    http: Option<Arc<dyn HttpClient>>,
    nonces: Option<Arc<dyn NonceStore>>,
    clock: Option<Arc<dyn Clock>>,
    handle_resolver: Option<Arc<dyn HandleResolver>>,
    require_dpop_nonce: bool,
}

impl OAuthClientBuilder {
    /// Uses this HTTP client instead of one built from the profile.
    pub fn http(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// Uses this nonce store (for example a persistent one).
    pub fn nonces(mut self, nonces: Arc<dyn NonceStore>) -> Self {
        self.nonces = Some(nonces);
        self
    }

    /// Uses this clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Uses this handle resolver instead of the profile's.
    pub fn handle_resolver(mut self, resolver: Arc<dyn HandleResolver>) -> Self {
        self.handle_resolver = Some(resolver);
        self
    }

    /// Refuses a response to a DPoP-signed request (PAR, token, refresh, revoke, XRPC) that
    /// carries no valid `DPoP-Nonce` header, as the atproto OAuth spec requires ("Demonstrating
    /// Proof of Possession (DPoP)": clients must reject responses missing a `DPoP-Nonce`
    /// header), with [`Error::InvalidResponse`]. Off by default: the reference TypeScript client
    /// does not enforce it, so a server may omit the header and still work with other
    /// clients; without this setting such a response is accepted and logged once per origin.
    ///
    /// **Risk when on:** a refused token or refresh response is dropped with the tokens in
    /// it. After a refresh the server may already have rotated the refresh token, so a
    /// server that omits the header ends its sessions here (they need a new sign-in).
    pub fn require_dpop_nonce(mut self, require: bool) -> Self {
        self.require_dpop_nonce = require;
        self
    }

    /// Builds the client. Fails if the profile's services break its own policy.
    pub fn build(self) -> Result<OAuthClient, Error> {
        self.profile.validate()?;
        let http: Arc<dyn HttpClient> = match self.http {
            Some(h) => h,
            #[cfg(feature = "net")]
            None => Arc::new(ReqwestClient::new(self.profile.http.clone())?),
            #[cfg(not(feature = "net"))]
            None => return Err(ConfigError::NoNetwork.into()),
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let nonces = self.nonces.unwrap_or_else(|| Arc::new(MemoryNonces::default()));
        let handles: Arc<dyn HandleResolver> = match (self.handle_resolver, &self.profile.handle_resolver) {
            (Some(r), _) => r,
            (None, Some(service)) => Arc::new(XrpcHandleResolver::new(http.clone(), service.clone())),
            #[cfg(feature = "net")]
            (None, None) => Arc::new(crate::identity::DnsHttpsHandleResolver::new(http.clone())),
            #[cfg(not(feature = "net"))]
            (None, None) => return Err(ConfigError::NoNetwork.into()),
        };
        let identity = IdentityResolver::new(
            http.clone(),
            self.profile.plc_directory.clone(),
            handles,
            clock.clone(),
            self.profile.development,
        );
        let discovery = Discovery::new(http.clone(), self.profile.development, clock.clone());
        let wire = Wire::new(http, nonces, clock, self.require_dpop_nonce);
        Ok(OAuthClient { config: self.config, profile: self.profile, wire, identity, discovery })
    }
}

impl OAuthClient {
    /// A builder for a client with this identity and network profile.
    pub fn builder(config: ClientConfig, profile: NetworkProfile) -> OAuthClientBuilder {
        OAuthClientBuilder {
            config,
            profile,
            http: None,
            nonces: None,
            clock: None,
            handle_resolver: None,
            require_dpop_nonce: false,
        }
    }

    /// The client identity.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The network profile.
    pub fn profile(&self) -> &NetworkProfile {
        &self.profile
    }

    /// The identity resolver (shared caches).
    pub fn identity(&self) -> &IdentityResolver {
        &self.identity
    }

    /// Server metadata discovery (shared caches).
    pub fn discovery(&self) -> &Discovery {
        &self.discovery
    }

    /// The HTTP client.
    pub fn http(&self) -> &Arc<dyn HttpClient> {
        &self.wire.http
    }

    /// Server time minus local time in seconds, from the last `Date` header of a DPoP
    /// exchange, if any.
    pub fn clock_offset(&self) -> Option<i64> {
        *self.wire.clock_offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Resolves what the user typed to an identity (handle or DID) or, for a server URL,
    /// nothing; and finds the authorization server.
    pub async fn discover(
        &self,
        input: &LoginInput,
    ) -> Result<(Option<ResolvedIdentity>, AuthorizationServer), Error> {
        match input {
            LoginInput::Handle(h) => {
                let id = self.identity.resolve_from_handle(h).await?;
                let server = self.discovery.for_pds(&id.pds).await?;
                Ok((Some(id), server))
            }
            LoginInput::Did(d) => {
                let id = self.identity.resolve_from_did(d, false).await?;
                let server = self.discovery.for_pds(&id.pds).await?;
                Ok((Some(id), server))
            }
            LoginInput::Server(url) => Ok((None, self.discovery.for_server_url(url).await?)),
        }
    }

    /// Starts a login: resolve, discover, PKCE, a fresh DPoP key, PAR. Returns the browser
    /// URL and the pending record with its secrets.
    pub async fn start_login(
        &self,
        input: &LoginInput,
        options: &LoginOptions,
    ) -> Result<StartedLogin, Error> {
        let scope = options.scope.clone().unwrap_or_else(|| self.config.scope().clone());
        self.config.check_request_scope(&scope)?;
        let redirect_uri = self.config.redirect_uri(options.loopback_port)?;
        let (identity, server) = self.discover(input).await?;
        let pkce = Pkce::generate()?;
        let dpop_key = DpopKey::generate()?;
        let state = random::token()?;
        let login_hint = input.login_hint();
        let scope_text = ScopeText::from_scope(&scope)?;
        let request_uri = par::push(
            &self.wire,
            &server,
            &dpop_key,
            &ParRequest {
                client_id: self.config.client_id(),
                redirect_uri: &redirect_uri,
                scope: &scope_text,
                state: &state,
                code_challenge: &pkce.challenge,
                login_hint: login_hint.as_deref(),
                prompt: options.prompt.as_deref(),
            },
        )
        .await?;
        let now = self.wire.clock.now();
        Ok(StartedLogin {
            authorization_url: par::authorization_url(&server, self.config.client_id(), &request_uri),
            pending: PendingLogin {
                state,
                client_id: self.config.client_id().clone(),
                redirect_uri,
                issuer: server.issuer.clone(),
                token_endpoint: server.token_endpoint.clone(),
                revocation_endpoint: server.revocation_endpoint.clone(),
                requested_scope: scope_text,
                login_hint,
                identity,
                created_at: now,
                expires_at: now + LOGIN_TTL_SECS,
            },
            secrets: PendingSecrets { verifier: pkce.verifier, dpop_key },
        })
    }

    /// Completes a login: exchanges the code (same `redirect_uri`), then verifies the
    /// identity (atproto OAuth spec, "Identity Authentication"). On any failure after tokens
    /// arrived, they are revoked (best effort) and the error is returned.
    pub async fn complete_login(
        &self,
        pending: PendingLogin,
        secrets: PendingSecrets,
        callback: AuthorizedCallback,
    ) -> Result<Session, Error> {
        let tokens = token::exchange(
            &self.wire,
            &pending.token_endpoint,
            &secrets.dpop_key,
            &pending.client_id,
            &pending.redirect_uri,
            &callback.code,
            &secrets.verifier,
        )
        .await?;
        match self.verify_identity(&pending, &tokens.sub).await {
            Ok(identity) => {
                let now = self.wire.clock.now();
                let handle_change = pending
                    .identity
                    .as_ref()
                    .and_then(|began| began.handle.clone())
                    .filter(|before| identity.handle.as_ref() != Some(before))
                    .map(|before| HandleChange { before, after: identity.handle.clone() });
                if let Some(change) = &handle_change {
                    tracing::info!(
                        did = %identity.did,
                        before = %change.before,
                        after = ?change.after.as_ref().map(ToString::to_string),
                        "the account's handle changed during the login"
                    );
                }
                Ok(Session {
                    info: SessionInfo {
                        did: identity.did,
                        handle: identity.handle,
                        pds: identity.pds,
                        issuer: pending.issuer,
                        token_endpoint: pending.token_endpoint,
                        revocation_endpoint: pending.revocation_endpoint,
                        client_id: pending.client_id,
                        requested_scope: pending.requested_scope,
                        granted_scope: tokens.scope,
                        expires_at: tokens.expires_at,
                        created_at: now,
                        dpop_thumbprint: secrets.dpop_key.thumbprint(),
                    },
                    dpop_key: secrets.dpop_key,
                    tokens: SessionTokens {
                        access_token: tokens.access_token,
                        refresh_token: tokens.refresh_token,
                    },
                    handle_change,
                })
            }
            Err(e) => {
                let _ = revoke::revoke(
                    &self.wire,
                    pending.revocation_endpoint.as_ref(),
                    &secrets.dpop_key,
                    &pending.client_id,
                    &tokens.refresh_token,
                    Some(&tokens.access_token),
                )
                .await;
                Err(e)
            }
        }
    }

    /// `sub` is the expected account, and `sub` → PDS → authorization server is the issuer
    /// the login went to. A fresh resolution from the start of the same login is reused.
    async fn verify_identity(&self, pending: &PendingLogin, sub: &Did) -> Result<ResolvedIdentity, Error> {
        if let Some(expected) = &pending.identity {
            if expected.did != *sub {
                return Err(IdentityError::SubjectMismatch {
                    expected: expected.did.to_string(),
                    actual: sub.to_string(),
                }
                .into());
            }
            if self.wire.clock.now() - expected.resolved_at < IDENTITY_TTL_SECS {
                return Ok(expected.clone());
            }
        }
        let resolved = self.identity.resolve_from_did(sub, true).await?;
        let server = self.discovery.for_pds(&resolved.pds).await?;
        if server.issuer != pending.issuer {
            return Err(IdentityError::IssuerMismatch {
                did: sub.to_string(),
                expected: pending.issuer.to_string(),
                actual: server.issuer.into(),
            }
            .into());
        }
        Ok(resolved)
    }

    /// Refreshes a session's tokens (RFC 6749 §6). The response's `sub` must be the
    /// session's DID. `invalid_grant` ([`Error::is_invalid_grant`]) means the session is over.
    pub async fn refresh(
        &self,
        info: &SessionInfo,
        key: &DpopKey,
        refresh_token: &RefreshToken,
    ) -> Result<TokenSet, Error> {
        let tokens =
            token::refresh(&self.wire, &info.token_endpoint, key, &info.client_id, refresh_token).await?;
        if tokens.sub != info.did {
            return Err(IdentityError::SubjectMismatch {
                expected: info.did.to_string(),
                actual: tokens.sub.to_string(),
            }
            .into());
        }
        Ok(tokens)
    }

    /// Revokes a session at its authorization server, best effort (RFC 7009).
    pub async fn revoke(
        &self,
        info: &SessionInfo,
        key: &DpopKey,
        refresh_token: &RefreshToken,
        access_token: Option<&AccessToken>,
    ) -> RevokeOutcome {
        revoke::revoke(
            &self.wire,
            info.revocation_endpoint.as_ref(),
            key,
            &info.client_id,
            refresh_token,
            access_token,
        )
        .await
    }

    /// An authenticated XRPC call to the session's PDS.
    pub async fn xrpc(
        &self,
        info: &SessionInfo,
        key: &DpopKey,
        access_token: &AccessToken,
        request: &XrpcRequest,
    ) -> Result<XrpcResponse, Error> {
        xrpc::call(&self.wire, info, key, access_token.expose(), request).await
    }

    /// Forwards a call to the session's PDS with its DPoP proof, streaming both bodies.
    pub async fn forward(
        &self,
        info: &SessionInfo,
        key: &DpopKey,
        access_token: &AccessToken,
        request: &crate::forward::ForwardRequest,
    ) -> Result<crate::http::StreamResponse, Error> {
        crate::forward::forward(&self.wire, info, key, access_token.expose(), request).await
    }

    /// Parses what the user typed.
    pub fn parse_input(raw: &str) -> Result<LoginInput, InputError> {
        LoginInput::parse(raw)
    }
}
