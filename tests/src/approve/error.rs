//! Why an approval failed, with the server's own words.

use std::fmt;

use reqwest::StatusCode;
use serde::Deserialize;

/// The step of the approval that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// `GET {authorize_url}`.
    AuthorizePage,
    /// `POST ~api/sign-in`.
    SignIn,
    /// `POST ~api/consent`.
    Consent,
    /// `POST ~api/reject`.
    Reject,
    /// `GET /oauth/authorize/redirect`.
    Redirect,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::AuthorizePage => "authorization page",
            Step::SignIn => "sign-in",
            Step::Consent => "consent",
            Step::Reject => "reject",
            Step::Redirect => "redirect to the client",
        })
    }
}

/// Every way an approval can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The authorize URL does not parse.
    #[error("invalid authorize URL {url}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The request could not be sent or its answer not read.
    #[error("{step}: request failed: {source}")]
    Http {
        /// Where.
        step: Step,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The provider refused, with an OAuth-style `{error, error_description}`.
    #[error("{step}: HTTP {status}: {error}: {description}")]
    Server {
        /// Where.
        step: Step,
        /// HTTP status.
        status: u16,
        /// The `error` code, e.g. `invalid_request`.
        error: String,
        /// The `error_description`, e.g. `Invalid identifier or password`.
        description: String,
    },
    /// The provider answered something else than expected (status or body).
    #[error("{step}: unexpected HTTP {status}: {body}")]
    UnexpectedStatus {
        /// Where.
        step: Step,
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// A 200 answer whose body is not the expected JSON.
    #[error("{step}: unexpected body ({reason}): {body}")]
    UnexpectedBody {
        /// Where.
        step: Step,
        /// The parse error.
        reason: String,
        /// The body.
        body: String,
    },
    /// The authorization page set no `csrf-token` cookie.
    #[error("the authorization page set no csrf-token cookie")]
    NoCsrfCookie,
    /// A redirect without a `Location` header.
    #[error("{step}: redirect without a Location header")]
    NoLocation {
        /// Where.
        step: Step,
    },
}

impl Error {
    /// The step that failed, when known.
    pub fn step(&self) -> Option<Step> {
        match self {
            Error::Http { step, .. }
            | Error::Server { step, .. }
            | Error::UnexpectedStatus { step, .. }
            | Error::UnexpectedBody { step, .. }
            | Error::NoLocation { step } => Some(*step),
            Error::InvalidUrl { .. } | Error::NoCsrfCookie => None,
        }
    }

    /// The server's `error_description`, if it sent one.
    pub fn server_description(&self) -> Option<&str> {
        match self {
            Error::Server { description, .. } => Some(description),
            _ => None,
        }
    }

    /// True when the sign-in was refused (wrong username or password).
    pub fn is_sign_in_refused(&self) -> bool {
        matches!(self, Error::Server { step: Step::SignIn, status, .. } if (400..500).contains(status))
    }

    /// Builds the error for a refusal: the API answers `{error, error_description}` as
    /// JSON; the HTML error page embeds the same object in `window["__errorData"]`.
    pub(super) fn from_response(step: Step, status: StatusCode, body: &str) -> Self {
        let payload = serde_json::from_str::<Payload>(body).ok().or_else(|| html_error_data(body));
        match payload {
            Some(p) => Error::Server {
                step,
                status: status.as_u16(),
                error: p.error,
                description: p.error_description,
            },
            None => Error::UnexpectedStatus {
                step,
                status: status.as_u16(),
                body: body.chars().take(500).collect(),
            },
        }
    }
}

/// An OAuth-style error body.
#[derive(Deserialize)]
struct Payload {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The error page carries `window["__errorData"]=JSON.parse("<JSON as a string>")`.
fn html_error_data(html: &str) -> Option<Payload> {
    const MARKER: &str = "window[\"__errorData\"]=JSON.parse(";
    let start = html.find(MARKER)? + MARKER.len();
    let literal: String =
        serde_json::Deserializer::from_str(&html[start..]).into_iter::<String>().next()?.ok()?;
    serde_json::from_str(&literal).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_error_embedded_in_the_html_error_page() {
        let html = r#"<div id="root"></div><script>window["__errorData"]=JSON.parse("{\"error\":\"invalid_request\",\"error_description\":\"Unknown \\\"request_uri\\\"\"}");</script>"#;
        let err = Error::from_response(Step::AuthorizePage, StatusCode::BAD_REQUEST, html);
        assert_eq!(err.server_description(), Some("Unknown \"request_uri\""));
    }

    #[test]
    fn keeps_the_start_of_an_unknown_body() {
        let err = Error::from_response(Step::Redirect, StatusCode::BAD_GATEWAY, "oops");
        assert!(matches!(err, Error::UnexpectedStatus { status: 502, .. }), "{err:?}");
    }
}
