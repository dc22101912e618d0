//! The one conversion between the OAuth core's [`SessionInfo`] and the stored account row, in
//! both directions. The row keeps plain text at the SQL boundary; the typed values are
//! parsed here, when a row is read back.

use skyport_oauth::{ClientId, Did, Handle, Issuer, ScopeText, SessionInfo};
use skyport_store::table::accounts::{AccountRow, SessionState};
use url::Url;

use crate::Error;

/// The OAuth core's view of a stored account. A DID, PDS URL, token endpoint, issuer,
/// client_id or scope that does not parse is an error; a handle or revocation endpoint that
/// does not parse is dropped (the handle is for display, revocation is best effort).
pub(crate) fn session_info(row: &AccountRow) -> Result<SessionInfo, Error> {
    let bad = |what: &str| Error::Config(format!("stored account {}: invalid {what}", row.did));
    Ok(SessionInfo {
        did: Did::parse(&row.did).map_err(|_| bad("DID"))?,
        handle: row.handle.as_deref().and_then(|h| Handle::parse(h).ok()),
        pds: Url::parse(&row.pds_url).map_err(|_| bad("PDS URL"))?,
        issuer: Issuer::parse(&row.issuer).map_err(|_| bad("issuer"))?,
        token_endpoint: Url::parse(&row.token_endpoint).map_err(|_| bad("token endpoint"))?,
        revocation_endpoint: row.revocation_endpoint.as_deref().and_then(|u| Url::parse(u).ok()),
        client_id: ClientId::parse(&row.client_id).map_err(|_| bad("client_id"))?,
        requested_scope: ScopeText::parse(&row.requested_scope).map_err(|_| bad("requested scope"))?,
        granted_scope: ScopeText::parse(&row.granted_scope).map_err(|_| bad("granted scope"))?,
        expires_at: row.expires_at,
        created_at: row.session_started_at,
        dpop_thumbprint: row.dpop_thumbprint.clone(),
    })
}

/// The row for a session that has just signed in, as of `now`: signed in, first generation,
/// no refresh yet, not yet active, no profile. For a known account,
/// [`upsert_session`](skyport_store::table::accounts::upsert_session) keeps its position,
/// profile and added time and takes only the session's fields.
pub(crate) fn account_row(info: &SessionInfo, now: i64) -> AccountRow {
    AccountRow {
        did: info.did.to_string(),
        handle: info.handle.as_ref().map(ToString::to_string),
        display_name: None,
        has_avatar: false,
        pds_url: info.pds.as_str().trim_end_matches('/').to_owned(),
        issuer: info.issuer.to_string(),
        token_endpoint: info.token_endpoint.to_string(),
        revocation_endpoint: info.revocation_endpoint.as_ref().map(ToString::to_string),
        client_id: info.client_id.to_string(),
        requested_scope: info.requested_scope.to_string(),
        granted_scope: info.granted_scope.to_string(),
        expires_at: info.expires_at,
        session_started_at: info.created_at,
        session_generation: 1,
        last_refresh_at: None,
        last_refresh_result: None,
        state: SessionState::SignedIn,
        status_reason: None,
        active: false,
        position: 0,
        dpop_thumbprint: info.dpop_thumbprint.clone(),
        added_at: now,
        updated_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> SessionInfo {
        SessionInfo {
            did: Did::parse("did:plc:aliceaaaaaaaaaaaaaaaaaaa").unwrap(),
            handle: Some(Handle::parse("alice.test").unwrap()),
            pds: Url::parse("http://localhost:2583").unwrap(),
            issuer: Issuer::parse("http://localhost:2583").unwrap(),
            token_endpoint: Url::parse("http://localhost:2583/oauth/token").unwrap(),
            revocation_endpoint: Some(Url::parse("http://localhost:2583/oauth/revoke").unwrap()),
            client_id: ClientId::parse("http://localhost?scope=atproto").unwrap(),
            requested_scope: ScopeText::parse("atproto transition:generic").unwrap(),
            granted_scope: ScopeText::parse("atproto").unwrap(),
            expires_at: 5_000,
            created_at: 1_000,
            dpop_thumbprint: "thumb".into(),
        }
    }

    #[test]
    fn a_session_survives_the_row_both_ways() {
        let row = account_row(&info(), 1_234);
        assert_eq!(row.pds_url, "http://localhost:2583", "stored without the trailing slash");
        assert_eq!((row.added_at, row.updated_at, row.session_generation), (1_234, 1_234, 1));
        assert_eq!(session_info(&row).unwrap(), info());
    }

    #[test]
    fn a_damaged_row_names_the_field() {
        let mut row = account_row(&info(), 0);
        row.issuer = "https://auth.example.com/not-an-origin".into();
        let err = session_info(&row).unwrap_err().to_string();
        assert!(err.contains("invalid issuer"), "{err}");
        // Display-only and best-effort fields are dropped, not refused.
        let mut row = account_row(&info(), 0);
        row.handle = Some("not a handle".into());
        row.revocation_endpoint = Some("::".into());
        let back = session_info(&row).unwrap();
        assert_eq!((back.handle, back.revocation_endpoint), (None, None));
    }
}
