use url::Url;

use super::*;
use crate::error::{CallbackError, Error};
use crate::login::PendingLogin;
use crate::{ClientId, Issuer, RedirectUri, ScopeText};

fn pending() -> PendingLogin {
    PendingLogin {
        state: "s-123".into(),
        client_id: ClientId::parse("http://localhost").unwrap(),
        redirect_uri: RedirectUri::parse("dev.skyport.app:/callback").unwrap(),
        issuer: Issuer::parse("https://auth.example.com").unwrap(),
        token_endpoint: Url::parse("https://auth.example.com/oauth/token").unwrap(),
        revocation_endpoint: None,
        requested_scope: ScopeText::parse("atproto").unwrap(),
        login_hint: None,
        identity: None,
        created_at: 1000,
        expires_at: 1600,
    }
}

fn accept(url: &str) -> Result<AuthorizedCallback, Error> {
    let params = CallbackParams::parse(url).map_err(Error::from)?;
    pending().accept(params, 1100)
}

#[test]
fn good_callback_is_authorized() {
    let cb = accept("dev.skyport.app:/callback?state=s-123&iss=https%3A%2F%2Fauth.example.com&code=cod-1")
        .unwrap();
    assert_eq!(cb.code.expose(), "cod-1");
}

#[test]
fn state_is_required_first() {
    assert!(matches!(
        CallbackParams::parse("dev.skyport.app:/callback?code=x&iss=y"),
        Err(CallbackError::MissingState)
    ));
    assert!(matches!(
        accept("dev.skyport.app:/callback?state=other&code=x&iss=https%3A%2F%2Fauth.example.com"),
        Err(Error::Callback(CallbackError::UnknownState))
    ));
}

#[test]
fn iss_is_required_and_equal() {
    assert!(matches!(
        accept("dev.skyport.app:/callback?state=s-123&code=x"),
        Err(Error::Callback(CallbackError::MissingIssuer))
    ));
    assert!(matches!(
        accept("dev.skyport.app:/callback?state=s-123&code=x&iss=https%3A%2F%2Fevil.example.com"),
        Err(Error::Callback(CallbackError::IssuerMismatch { .. }))
    ));
    assert!(
        matches!(
            accept("dev.skyport.app:/callback?state=s-123&code=x&iss=https%3A%2F%2Fauth.example.com%2F"),
            Err(Error::Callback(CallbackError::IssuerMismatch { .. }))
        ),
        "plain string equality: a trailing slash is another issuer"
    );
}

#[test]
fn error_callback_is_an_oauth_error_with_untrusted_text() {
    let e = accept("dev.skyport.app:/callback?state=s-123&iss=https%3A%2F%2Fauth.example.com&error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E%1b").unwrap_err();
    assert!(e.is_access_denied());
    let Error::OAuth(o) = e else { panic!() };
    assert_eq!(o.description.unwrap().as_str(), "<b>no</b>\u{FFFD}");
}

#[test]
fn missing_code() {
    assert!(matches!(
        accept("dev.skyport.app:/callback?state=s-123&iss=https%3A%2F%2Fauth.example.com"),
        Err(Error::Callback(CallbackError::MissingCode))
    ));
}

#[test]
fn hostile_shapes_are_rejected() {
    assert!(matches!(
        CallbackParams::parse("dev.skyport.app:/callback?state=a&state=b"),
        Err(CallbackError::BadParameter(_))
    ));
    assert!(matches!(
        CallbackParams::parse("dev.skyport.app:/callback?state=a&response=eyJ"),
        Err(CallbackError::BadParameter(_))
    ));
    assert!(matches!(
        CallbackParams::parse("dev.skyport.app:/callback?state=a&code=%FF%FE"),
        Err(CallbackError::Malformed(_))
    ));
    assert!(matches!(
        CallbackParams::parse(&format!("dev.skyport.app:/callback?state=a&x={}", "y".repeat(9000))),
        Err(CallbackError::Malformed(_))
    ));
    assert!(matches!(CallbackParams::parse("not a url"), Err(CallbackError::Malformed(_))));
    assert!(matches!(
        CallbackParams::parse("dev.skyport.app:/callback#state=a"),
        Err(CallbackError::BadParameter(_))
    ));
}

#[test]
fn other_redirect_targets_are_rejected() {
    for url in [
        "com.evil.app:/callback?state=s-123&code=x&iss=https%3A%2F%2Fauth.example.com",
        "dev.skyport.app:/other?state=s-123&code=x&iss=https%3A%2F%2Fauth.example.com",
        "https://dev.skyport.app/callback?state=s-123&code=x&iss=https%3A%2F%2Fauth.example.com",
    ] {
        assert!(matches!(accept(url), Err(Error::Callback(CallbackError::RedirectMismatch))), "{url}");
    }
}

#[test]
fn expired_login_is_rejected() {
    let params = CallbackParams::parse(
        "dev.skyport.app:/callback?state=s-123&code=x&iss=https%3A%2F%2Fauth.example.com",
    )
    .unwrap();
    assert!(matches!(pending().accept(params, 1600), Err(Error::Callback(CallbackError::Expired))));
}

#[test]
fn debug_output_hides_the_code() {
    let params =
        CallbackParams::parse("dev.skyport.app:/callback?state=s-123&code=secret-code&iss=x").unwrap();
    assert!(!format!("{params:?}").contains("secret-code"));
}
