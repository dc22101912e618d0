//! The HTTP `Date` header (RFC 9110 §5.6.7, IMF-fixdate), for clock-skew detection.

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into seconds since the epoch.
pub fn parse(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day = digits(parts.next()?)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = digits(parts.next()?)?;
    let mut hms = parts.next()?.split(':');
    let (h, m, sec) = (digits(hms.next()?)?, digits(hms.next()?)?, digits(hms.next()?)?);
    if hms.next().is_some() {
        return None;
    }
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 || year < 1970 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

/// A numeric field: 1 to 4 ASCII digits. No sign (a negative hour would move the date
/// back) and no huge years (whose day count overflows).
fn digits(s: &str) -> Option<i64> {
    if !(1..=4).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc_example() {
        assert_eq!(super::parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(super::parse("Fri, 27 Nov 2026 08:11:05 GMT"), Some(1_795_767_065));
        assert_eq!(super::parse("garbage"), None);
        assert_eq!(super::parse("Sun, 06 Nov 1994 25:49:37 GMT"), None);
    }

    /// Seen while writing the `www_authenticate` fuzz target: a huge year overflowed the day
    /// count (a panic with overflow checks, a wrapped clock offset without), and signed
    /// fields gave dates before 1970. The fuzz target found the trailing time parts.
    #[test]
    fn hostile_numbers() {
        assert_eq!(super::parse("Sun, 06 Nov 99999999999999999 08:49:37 GMT"), None);
        assert_eq!(super::parse("Sun, 06 Nov 9223372036854775807 08:49:37 GMT"), None);
        assert_eq!(super::parse("Thu, 01 Jan 1970 -5:00:00 GMT"), None);
        assert_eq!(super::parse("Thu, 01 Jan 1970 00:-1:00 GMT"), None);
        assert_eq!(super::parse("Thu, +1 Jan 1970 00:00:00 GMT"), None);
        assert_eq!(super::parse("Thu, 01 Jan +1970 00:00:00 GMT"), None);
        assert_eq!(super::parse("Thu, 02 May 2024 13:50:0:0+ GMT"), None);
        assert_eq!(super::parse("Thu, 02 May 2024 13:50:00: GMT"), None);
        assert_eq!(super::parse("Fri, 31 Dec 9999 23:59:59 GMT"), Some(253_402_300_799));
    }
}
