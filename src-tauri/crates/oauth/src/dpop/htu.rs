//! The `htu` claim: the request URL without query and fragment (RFC 9449 §4.2).

use url::Url;

/// Normalises a request URL for `htu`: scheme and host lower case, default port dropped,
/// path as sent, no query, no fragment.
pub fn htu(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    // `url` already lowercases scheme and host and drops default ports.
    u.to_string()
}
