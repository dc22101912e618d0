//! Response headers a server controls: `WWW-Authenticate` (`www_authenticate::parse`,
//! `www_authenticate::dpop_error`), `DPoP-Nonce` (`dpop::is_valid_nonce`) and `Date`
//! (`http::parse_http_date`). Input: one header value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skyport_oauth::dpop::is_valid_nonce;
use skyport_oauth::http::parse_http_date;
use skyport_oauth::www_authenticate::{dpop_error, parse};

/// RFC 9449 §8.1: `nonce = 1*NQCHAR`, `NQCHAR = %x21 / %x23-5B / %x5D-7E`; Skyport caps it.
fn nonce_rule(s: &str) -> bool {
    (1..=1024).contains(&s.len()) && s.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `t` as an IMF-fixdate (the weekday is not checked by the parser).
fn imf_fixdate(t: i64) -> String {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "Thu, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        MONTHS[(m - 1) as usize],
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);

    // WWW-Authenticate: bounded, well-formed challenges, consistent with `dpop_error`.
    let challenges = parse(&raw);
    assert!(challenges.len() <= 32);
    for c in &challenges {
        assert!(!c.scheme.is_empty() && c.scheme.is_ascii() && !c.scheme.contains([' ', ',', '=', '"']));
        assert!(c.params.len() <= 32);
        for (k, _) in &c.params {
            assert!(!k.is_empty() && *k == k.to_ascii_lowercase(), "{k:?}");
        }
    }
    let expected = challenges
        .iter()
        .find(|c| c.scheme.eq_ignore_ascii_case("dpop"))
        .and_then(|c| Some((c.param("error")?.to_owned(), c.param("error_description").map(str::to_owned))));
    assert_eq!(dpop_error(&raw), expected);

    // DPoP-Nonce: accepted exactly when it follows the rule (so never a control character,
    // a space, a quote, or more than 1 KiB).
    for s in [&*raw, raw.trim()] {
        assert_eq!(is_valid_nonce(s), nonce_rule(s), "{s:?}");
    }

    // Date: a parsed date is not before 1970, has unsigned fields and a 4-digit year, and
    // survives a round trip through IMF-fixdate.
    if let Some(t) = parse_http_date(&raw) {
        assert!(t >= 0, "{raw:?} → {t}");
        // `Sun, 06 Nov 1994 08:49:37 GMT`: day, year and time are plain digits (no sign).
        let fields: Vec<&str> = raw.split_whitespace().collect();
        for f in [fields[1], fields[3], fields[4]] {
            assert!(f.bytes().all(|b| b.is_ascii_digit() || b == b':'), "{raw:?}: {f:?}");
        }
        assert!(fields[3].len() <= 4, "{raw:?}: year {:?}", fields[3]);
        let again = imf_fixdate(t);
        assert_eq!(parse_http_date(&again), Some(t), "{raw:?} → {t} → {again:?}");
    }
});
