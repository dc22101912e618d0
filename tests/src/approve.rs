//! Approving or rejecting an authorization request without a browser.
//!
//! The PDS's authorization page is a single-page app that talks to a private JSON API
//! under `{issuer}/@atproto/oauth-provider/~api`. This module replays what the page
//! does (checked against `@atproto/oauth-provider` 0.22.9, the one in `@atproto/pds`
//! 0.5.35):
//!
//! 1. `GET {authorize_url}` as a top-level navigation (`Sec-Fetch-Mode: navigate`,
//!    `Sec-Fetch-Dest: document`, `Sec-Fetch-Site: cross-site`). It sets the device
//!    cookies `dev-id`, `ses-id` and the `csrf-token` cookie, and binds the request to
//!    this device.
//! 2. `POST ~api/sign-in` `{locale, username, password, remember: false}` returns the
//!    account's DID and an ephemeral bearer token.
//! 3. `POST ~api/consent` `{did}` with that token (or `POST ~api/reject` `{}`) returns
//!    `{url}`: `{issuer}/oauth/authorize/redirect?...` carrying `code` (or `error`),
//!    `state` and `iss`.
//! 4. `GET` that URL, again as a navigation from the page: `303 Location:` the client's
//!    `redirect_uri` with the same parameters. That location is what this module returns.
//!
//! API calls carry `Sec-Fetch-Mode: same-origin`, `Sec-Fetch-Site: same-origin`,
//! `Origin`, `Referer: {authorize_url}` and `x-csrf-token` equal to the cookie. One
//! User-Agent is used throughout: the provider rotates device sessions when it changes.
//! Cookies are handled by hand because the provider marks `csrf-token` `Secure` even on
//! `http://localhost`, and a strict cookie store would drop it.
//!
//! This API is private to the provider and changes between versions (0.15.x used `sub`
//! instead of `did`); the errors here carry the server's own message to make a change
//! easy to spot.

mod cookies;
mod error;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::json;
use url::Url;

pub use error::{Error, Step};

use cookies::CookieJar;

/// The provider's private API prefix.
const API_PREFIX: &str = "/@atproto/oauth-provider/~api";

/// The single User-Agent used for every request of one approval.
const USER_AGENT: &str = "skyport-tests-approver/1.0";

/// Signs in as `username` (handle or e-mail) and consents to the request.
///
/// Returns the URL the browser would be sent to: the client's `redirect_uri` with `code`,
/// `state` and `iss`. If the provider redirects straight back when the page is opened
/// (for example because the request expired), that redirect is returned as it is, and
/// it carries `error=...` instead of `code`.
pub async fn approve(authorize_url: &str, username: &str, password: &str) -> Result<String, Error> {
    let mut page = Page::open(authorize_url).await?;
    if let Some(callback) = page.early_callback.take() {
        return Ok(callback);
    }
    let signed_in = page.sign_in(username, password).await?;
    let redirect = page.consent(&signed_in).await?;
    page.follow(&redirect).await
}

/// Signs in as `username`, then denies the request, as a user who presses "Deny access"
/// on the consent screen. Returns the callback URL, which carries
/// `error=access_denied`, `state` and `iss`.
///
/// The provider does not require a sign-in to reject (see [`cancel`]); this variant
/// exercises the path a real user takes.
pub async fn reject(authorize_url: &str, username: &str, password: &str) -> Result<String, Error> {
    let mut page = Page::open(authorize_url).await?;
    if let Some(callback) = page.early_callback.take() {
        return Ok(callback);
    }
    page.sign_in(username, password).await?;
    let redirect = page.reject().await?;
    page.follow(&redirect).await
}

/// Denies the request without signing in, as a user who cancels on the sign-in screen.
/// Returns the callback URL carrying `error=access_denied`.
pub async fn cancel(authorize_url: &str) -> Result<String, Error> {
    let mut page = Page::open(authorize_url).await?;
    if let Some(callback) = page.early_callback.take() {
        return Ok(callback);
    }
    let redirect = page.reject().await?;
    page.follow(&redirect).await
}

/// The authorization page, as loaded by one device.
struct Page {
    http: reqwest::Client,
    authorize_url: String,
    origin: String,
    jar: CookieJar,
    /// Set when opening the page redirected straight back to the client.
    early_callback: Option<String>,
}

/// The result of a successful sign-in.
struct SignedIn {
    did: String,
    ephemeral_token: Option<String>,
}

impl Page {
    async fn open(authorize_url: &str) -> Result<Self, Error> {
        let url = Url::parse(authorize_url)
            .map_err(|e| Error::InvalidUrl { url: authorize_url.to_owned(), reason: e.to_string() })?;
        let origin = url.origin().ascii_serialization();
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| Error::Http { step: Step::AuthorizePage, source })?;
        let mut page = Self {
            http,
            authorize_url: authorize_url.to_owned(),
            origin,
            jar: CookieJar::default(),
            early_callback: None,
        };

        let step = Step::AuthorizePage;
        let res = page
            .navigate(authorize_url, "cross-site", false)
            .await
            .map_err(|source| Error::Http { step, source })?;
        let status = res.status();
        if status == StatusCode::SEE_OTHER {
            page.early_callback = Some(location(step, &res)?);
            return Ok(page);
        }
        let body = res.text().await.map_err(|source| Error::Http { step, source })?;
        if status != StatusCode::OK {
            return Err(Error::from_response(step, status, &body));
        }
        if page.jar.get(cookies::CSRF_COOKIE).is_none() {
            return Err(Error::NoCsrfCookie);
        }
        Ok(page)
    }

    async fn sign_in(&mut self, username: &str, password: &str) -> Result<SignedIn, Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            account: AccountRef,
            ephemeral_token: Option<String>,
        }
        #[derive(Deserialize)]
        struct AccountRef {
            did: String,
        }
        let body = json!({
            "locale": "en",
            "username": username,
            "password": password,
            "remember": false,
        });
        let answer: Answer = self.api(Step::SignIn, "/sign-in", None, &body).await?;
        Ok(SignedIn { did: answer.account.did, ephemeral_token: answer.ephemeral_token })
    }

    async fn consent(&mut self, signed_in: &SignedIn) -> Result<String, Error> {
        let body = json!({ "did": signed_in.did });
        let bearer = signed_in.ephemeral_token.as_deref();
        let answer: RedirectUrl = self.api(Step::Consent, "/consent", bearer, &body).await?;
        Ok(answer.url)
    }

    async fn reject(&mut self) -> Result<String, Error> {
        let answer: RedirectUrl = self.api(Step::Reject, "/reject", None, &json!({})).await?;
        Ok(answer.url)
    }

    /// Step 4: the provider's redirect endpoint answers 303 to the client's redirect URI.
    async fn follow(&mut self, redirect_url: &str) -> Result<String, Error> {
        let step = Step::Redirect;
        let res = self
            .navigate(redirect_url, "same-origin", true)
            .await
            .map_err(|source| Error::Http { step, source })?;
        let status = res.status();
        if status == StatusCode::SEE_OTHER {
            return location(step, &res);
        }
        let body = res.text().await.unwrap_or_default();
        Err(Error::from_response(step, status, &body))
    }

    /// A top-level navigation, as a browser sends it.
    async fn navigate(
        &mut self,
        url: &str,
        fetch_site: &'static str,
        from_page: bool,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut headers = self.cookie_headers();
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/html"));
        headers.insert("sec-fetch-site", HeaderValue::from_static(fetch_site));
        headers.insert("sec-fetch-mode", HeaderValue::from_static("navigate"));
        headers.insert("sec-fetch-dest", HeaderValue::from_static("document"));
        if from_page && let Ok(referer) = HeaderValue::from_str(&self.authorize_url) {
            headers.insert(header::REFERER, referer);
        }
        let res = self.http.get(url).headers(headers).send().await?;
        self.jar.store(res.headers());
        Ok(res)
    }

    /// A call to the provider's private API from the authorization page.
    async fn api<T: for<'de> Deserialize<'de>>(
        &mut self,
        step: Step,
        endpoint: &str,
        bearer: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<T, Error> {
        let mut headers = self.cookie_headers();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        headers.insert("sec-fetch-mode", HeaderValue::from_static("same-origin"));
        headers.insert("sec-fetch-dest", HeaderValue::from_static("empty"));
        for (name, value) in [
            (header::ORIGIN, Some(self.origin.clone())),
            (header::REFERER, Some(self.authorize_url.clone())),
            (
                header::HeaderName::from_static(cookies::CSRF_HEADER),
                self.jar.get(cookies::CSRF_COOKIE).map(str::to_owned),
            ),
            (header::AUTHORIZATION, bearer.map(|t| format!("Bearer {t}"))),
        ] {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                headers.insert(name, value);
            }
        }
        let url = format!("{}{API_PREFIX}{endpoint}", self.origin);
        let res = self
            .http
            .post(&url)
            .headers(headers)
            .json(body)
            .send()
            .await
            .map_err(|source| Error::Http { step, source })?;
        self.jar.store(res.headers());
        let status = res.status();
        let text = res.text().await.map_err(|source| Error::Http { step, source })?;
        if status != StatusCode::OK {
            return Err(Error::from_response(step, status, &text));
        }
        serde_json::from_str(&text).map_err(|e| Error::UnexpectedBody {
            step,
            reason: e.to_string(),
            body: text,
        })
    }

    fn cookie_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(cookie) = self.jar.header().and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::COOKIE, cookie);
        }
        headers
    }
}

/// `{"url": ...}` from `~api/consent` and `~api/reject`.
#[derive(Deserialize)]
struct RedirectUrl {
    url: String,
}

fn location(step: Step, res: &reqwest::Response) -> Result<String, Error> {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or(Error::NoLocation { step })
}
