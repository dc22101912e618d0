//! Key lifetimes as people write them: `90m`, `12h`, `30d`, `2w`.

/// Parses a lifetime into seconds (at least a minute, at most ten years).
pub fn parse_lifetime(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    let bad =
        || format!("{raw:?} is not a lifetime; write a number and a unit, for example 90m, 12h, 30d or 2w");
    let split = raw.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = raw.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let unit_secs = match unit {
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    let secs = n.checked_mul(unit_secs).ok_or_else(bad)?;
    if !(60..=10 * 365 * 86_400).contains(&secs) {
        return Err(format!("{raw:?}: a key's lifetime must be between one minute and ten years"));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::parse_lifetime;

    #[test]
    fn lifetimes_parse_and_nonsense_is_refused() {
        assert_eq!(parse_lifetime("30d"), Ok(30 * 86_400));
        assert_eq!(parse_lifetime("90m"), Ok(5400));
        assert_eq!(parse_lifetime("2w"), Ok(14 * 86_400));
        for bad in ["", "30", "d", "-1d", "1y", "0m", "99999999999999999999d", "11000d"] {
            assert!(parse_lifetime(bad).is_err(), "{bad:?}");
        }
    }
}
