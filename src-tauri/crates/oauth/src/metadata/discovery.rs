//! Fetching and caching server metadata; server-first login (atproto OAuth spec, "Identity
//! Authentication" and "Server Metadata").

use std::sync::Arc;

use url::Url;

use super::{AuthorizationServer, ProtectedResource, origin};
use crate::cache::TtlCache;
use crate::clock::Clock;
use crate::error::{Error, Step};
use crate::http::{HttpClient, get_metadata};

/// How long server metadata is reused.
pub const METADATA_TTL_SECS: i64 = 10 * 60;

/// Fetches protected-resource and authorization-server metadata, with caches.
pub struct Discovery {
    http: Arc<dyn HttpClient>,
    allow_http: bool,
    resources: TtlCache<String, ProtectedResource>,
    servers: TtlCache<String, AuthorizationServer>,
}

impl Discovery {
    /// Discovery over `http`; `allow_http` accepts http origins (development profile).
    pub fn new(http: Arc<dyn HttpClient>, allow_http: bool, clock: Arc<dyn Clock>) -> Self {
        Self {
            http,
            allow_http,
            resources: TtlCache::new(METADATA_TTL_SECS, clock.clone()),
            servers: TtlCache::new(METADATA_TTL_SECS, clock),
        }
    }

    /// The protected-resource metadata of a PDS.
    pub async fn protected_resource(&self, pds: &Url) -> Result<ProtectedResource, Error> {
        let pds_origin = origin(pds);
        if let Some((hit, _)) = self.resources.get(&pds_origin) {
            return Ok(hit);
        }
        let url = well_known(&pds_origin, "oauth-protected-resource")?;
        let doc = get_metadata(self.http.as_ref(), Step::ProtectedResource, url).await?;
        let prm = ProtectedResource::from_document(&pds_origin, &doc, self.allow_http)?;
        self.resources.put(pds_origin, prm.clone());
        Ok(prm)
    }

    /// The metadata of `issuer`, reached from `resource` if given.
    pub async fn authorization_server(
        &self,
        issuer: &str,
        resource: Option<&str>,
    ) -> Result<AuthorizationServer, Error> {
        if let Some((hit, _)) = self.servers.get(&issuer.to_owned()) {
            return Ok(hit);
        }
        let url = well_known(issuer, "oauth-authorization-server")?;
        let doc = get_metadata(self.http.as_ref(), Step::AuthorizationServer, url).await?;
        let server = AuthorizationServer::from_document(issuer, resource, &doc, self.allow_http)?;
        self.servers.put(issuer.to_owned(), server.clone());
        Ok(server)
    }

    /// PDS → protected resource → its one authorization server.
    pub async fn for_pds(&self, pds: &Url) -> Result<AuthorizationServer, Error> {
        let prm = self.protected_resource(pds).await?;
        self.authorization_server(&prm.authorization_server, Some(&prm.resource)).await
    }

    /// Server-first login: the URL is a PDS (protected-resource metadata) or, failing that,
    /// an authorization server itself (an entryway).
    pub async fn for_server_url(&self, url: &Url) -> Result<AuthorizationServer, Error> {
        match self.for_pds(url).await {
            Ok(server) => Ok(server),
            Err(first) => match self.authorization_server(&origin(url), None).await {
                Ok(server) => Ok(server),
                Err(_) => Err(first),
            },
        }
    }
}

fn well_known(origin: &str, name: &str) -> Result<Url, Error> {
    Url::parse(&format!("{origin}/.well-known/{name}"))
        .map_err(|e| Error::invalid(Step::ProtectedResource, format!("bad origin {origin:?}: {e}")))
}
