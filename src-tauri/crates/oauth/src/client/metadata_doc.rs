//! Hosted client-metadata documents: the rules of the atproto OAuth spec ("Client ID Metadata
//! Document", with the redirect rules of "Request Fields"), checked all at once.

use std::net::IpAddr;

use serde_json::{Map, Value};
use url::Url;

use super::loopback_id::check_loopback_redirect;
use crate::error::{Error, Step};
use crate::http::{Fetch, HttpClient, HttpRequest};
use crate::scope::Scope;

/// Top-level domains of local or reserved names, which an authorization server refuses in a
/// client_id: RFC 6761 (`test`, `localhost`, `invalid`, `example`), RFC 6762 (`local`),
/// RFC 9476 (`alt`), RFC 7686 (`onion`), RFC 3172 (`arpa`) and ICANN's private-use
/// `internal`.
const LOCAL_TLDS: &[&str] =
    &["test", "local", "localhost", "invalid", "example", "internal", "onion", "alt", "arpa"];

/// `app.example.com` → `com.example.app` (RFC 8252 §7.1).
pub fn reverse_domain(host: &str) -> String {
    host.split('.').rev().collect::<Vec<_>>().join(".")
}

fn is_local_hostname(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() < 2 || labels.last().is_some_and(|tld| LOCAL_TLDS.contains(tld))
}

/// The client_id (atproto OAuth spec, "Clients"): an https URL with a DNS host (not an IP,
/// not local), no credentials, no fragment, a real path not ending in `/`, in canonical form;
/// a port only if allowed.
pub(crate) fn check_discoverable_client_id(client_id: &str, allow_port: bool) -> Result<Url, String> {
    let url = Url::parse(client_id).map_err(|e| format!("{client_id:?} is not a URL: {e}"))?;
    let mut problems = Vec::new();
    if url.scheme() != "https" {
        problems.push("must use https".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        problems.push("must not contain credentials".to_owned());
    }
    if url.fragment().is_some() {
        problems.push("must not have a fragment".to_owned());
    }
    match url.host_str() {
        None => problems.push("has no host".to_owned()),
        Some(h) if h.parse::<IpAddr>().is_ok() || h.starts_with('[') => {
            problems.push("the host must be a DNS name, not an IP address".to_owned());
        }
        Some(h) if is_local_hostname(h) => problems.push(format!("the host {h:?} is a local name")),
        Some(_) => {}
    }
    if url.port().is_some() && !allow_port {
        problems.push("must not have an explicit port".to_owned());
    }
    if url.path() == "/" || url.path().is_empty() {
        problems.push("must have a path (for example /oauth-client-metadata.json)".to_owned());
    } else if url.path().ends_with('/') {
        problems.push("the path must not end with /".to_owned());
    }
    if url.as_str() != client_id {
        problems.push(format!("is not in canonical form (expected {:?})", url.as_str()));
    }
    if problems.is_empty() {
        Ok(url)
    } else {
        Err(format!("client_id {client_id:?}: {}", problems.join("; ")))
    }
}

/// Checks a client-metadata document fetched from `fetch_url` against every rule of the
/// atproto OAuth spec ("Client ID Metadata Document") that can be read from the document.
/// Returns all violations, not just the first. `allow_port` accepts a port in the client_id
/// (development).
pub fn check_client_metadata(fetch_url: &str, doc: &Value, allow_port: bool) -> Result<(), Vec<String>> {
    let mut v = Vec::new();
    let client_url = match check_discoverable_client_id(fetch_url, allow_port) {
        Ok(u) => Some(u),
        Err(e) => {
            v.push(e);
            None
        }
    };
    let Some(doc) = doc.as_object() else {
        return Err(vec!["the document is not a JSON object".to_owned()]);
    };
    let str_field = |name: &str| doc.get(name).and_then(Value::as_str);
    // `client_id`: exactly the URL the document was fetched from.
    match str_field("client_id") {
        Some(id) if id == fetch_url => {}
        Some(id) => v.push(format!("client_id {id:?} is not the URL it is served at ({fetch_url:?})")),
        None => v.push("client_id is missing".to_owned()),
    }
    // `application_type`: a native client.
    if str_field("application_type") != Some("native") {
        v.push("application_type must be \"native\" (a missing value means \"web\")".to_owned());
    }
    // `token_endpoint_auth_method`: a public client.
    if str_field("token_endpoint_auth_method") != Some("none") {
        v.push("token_endpoint_auth_method must be present and \"none\"".to_owned());
    }
    // No client-authentication keys in a public client's document.
    for key in ["token_endpoint_auth_signing_alg", "jwks", "jwks_uri"] {
        if doc.contains_key(key) {
            v.push(format!("{key} must not be present in a public client's metadata"));
        }
    }
    // `dpop_bound_access_tokens`: DPoP is mandatory.
    if doc.get("dpop_bound_access_tokens") != Some(&Value::Bool(true)) {
        v.push("dpop_bound_access_tokens must be true".to_owned());
    }
    // `grant_types`: the code flow and refresh.
    let grants = strings(doc, "grant_types");
    for needed in ["authorization_code", "refresh_token"] {
        if !grants.contains(&needed) {
            v.push(format!("grant_types must include {needed:?}"));
        }
    }
    if has_duplicates(&grants) {
        v.push("grant_types has duplicates".to_owned());
    }
    if let Some(other) = grants.iter().find(|g| !matches!(**g, "authorization_code" | "refresh_token")) {
        v.push(format!("grant_types has {other:?}; only authorization_code and refresh_token are allowed"));
    }
    // `response_types`.
    if strings(doc, "response_types") != ["code"] {
        v.push("response_types must be [\"code\"]".to_owned());
    }
    // `scope`: every token that may be requested, `atproto` among them.
    match str_field("scope").map(Scope::parse) {
        None => v.push("scope is missing".to_owned()),
        Some(Err(e)) => v.push(format!("scope: {e}")),
        Some(Ok(scope)) if !scope.has_atproto() => v.push("scope must include the token atproto".to_owned()),
        Some(Ok(_)) => {}
    }
    // `redirect_uris`: at least one, each by the rules of "Request Fields".
    let redirects = doc.get("redirect_uris").and_then(Value::as_array);
    match redirects {
        None => v.push("redirect_uris must be an array".to_owned()),
        Some(list) if list.is_empty() => v.push("redirect_uris must not be empty".to_owned()),
        Some(list) => {
            for r in list {
                match r.as_str() {
                    Some(uri) => {
                        if let Err(e) = check_redirect(uri, client_url.as_ref()) {
                            v.push(e);
                        }
                    }
                    None => v.push("redirect_uris must hold strings".to_owned()),
                }
            }
        }
    }
    // `client_uri` on the client_id's origin; `logo_uri`, `tos_uri`, `policy_uri` https.
    if let (Some(uri), Some(client)) = (str_field("client_uri"), client_url.as_ref()) {
        match Url::parse(uri) {
            Ok(u) if u.origin() == client.origin() => {}
            _ => v.push(format!("client_uri {uri:?} must have the client_id's origin")),
        }
    }
    for key in ["logo_uri", "tos_uri", "policy_uri"] {
        if let Some(uri) = str_field(key)
            && !Url::parse(uri).is_ok_and(|u| u.scheme() == "https")
        {
            v.push(format!("{key} {uri:?} must be an https URL"));
        }
    }
    if v.is_empty() { Ok(()) } else { Err(v) }
}

/// One redirect URI of a discoverable native client.
fn check_redirect(uri: &str, client: Option<&Url>) -> Result<(), String> {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(format!("redirect_uri {uri:?} is not a URI"));
    };
    match scheme {
        "https" => {
            let u = Url::parse(uri).map_err(|e| format!("redirect_uri {uri:?}: {e}"))?;
            match client {
                Some(c) if u.origin() != c.origin() => {
                    Err(format!("https redirect_uri {uri:?} must have the client_id's origin"))
                }
                _ => Ok(()),
            }
        }
        "http" => check_loopback_redirect(uri).map(|_| ()),
        _ => {
            // A custom scheme is the client_id host in reverse-domain order (RFC 8252 §7.1),
            // with a dot, not local.
            if !scheme.contains('.') {
                return Err(format!("redirect_uri {uri:?}: a private-use scheme must contain a dot"));
            }
            if let Some(c) = client {
                let expected = reverse_domain(c.host_str().unwrap_or_default());
                if scheme != expected {
                    return Err(format!(
                        "redirect_uri {uri:?}: the scheme must be the client_id host reversed ({expected:?})"
                    ));
                }
            }
            if is_local_hostname(&reverse_domain(scheme)) {
                return Err(format!("redirect_uri {uri:?}: the scheme reverses to a local host name"));
            }
            // `scheme:/path`: one colon, one slash, no authority (atproto OAuth spec, "Request
            // Fields").
            if rest.starts_with("//") || !rest.starts_with('/') {
                return Err(format!(
                    "redirect_uri {uri:?} must have the form {scheme}:/path (one slash, no host)"
                ));
            }
            Ok(())
        }
    }
}

fn strings<'a>(doc: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    doc.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

fn has_duplicates(list: &[&str]) -> bool {
    list.iter().enumerate().any(|(i, a)| list[..i].contains(a))
}

/// Fetches a client-metadata document as an authorization server would (atproto OAuth spec,
/// "Client ID Metadata Document"): no redirects, HTTP 200 exactly, `application/json`, a JSON
/// object.
pub async fn fetch_client_metadata(http: &dyn HttpClient, url: &Url) -> Result<Value, Error> {
    let res = http.fetch(Step::ClientMetadata, HttpRequest::get(url.clone()).accept_json()).await?;
    if res.status != 200 {
        return Err(Error::invalid(
            Step::ClientMetadata,
            format!("HTTP {} (the document must be served with 200, without redirects)", res.status),
        ));
    }
    Ok(Value::Object(res.json_object(Step::ClientMetadata)?))
}
