//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1), as resource servers send them for DPoP
//! (RFC 9449 §7.1): `DPoP error="use_dpop_nonce", error_description="…"`.

/// One challenge: an auth scheme and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme (`DPoP`, `Bearer`), as sent.
    pub scheme: String,
    /// `name=value` parameters, names lower-cased, quoted values unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The most challenges and parameters kept from one header (hostile headers can be huge).
const MAX_ITEMS: usize = 32;

/// Parses a `WWW-Authenticate` value into challenges. Malformed parts are skipped; it never
/// fails and never panics.
pub fn parse(header: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let mut p = Parser { s: header.as_bytes(), i: 0 };
    let mut items = 0;
    while p.i < p.s.len() && items < MAX_ITEMS * 4 {
        items += 1;
        p.skip(|b| b == b' ' || b == b'\t' || b == b',');
        let Some(word) = p.token() else {
            p.i += 1;
            continue;
        };
        p.skip(|b| b == b' ' || b == b'\t');
        if p.peek() == Some(b'=') && !(p.next_is_token68_padding()) {
            // A parameter of the current challenge.
            p.i += 1;
            p.skip(|b| b == b' ' || b == b'\t');
            let value = if p.peek() == Some(b'"') { p.quoted() } else { p.token().unwrap_or_default() };
            if let Some(last) = out.last_mut()
                && last.params.len() < MAX_ITEMS
            {
                last.params.push((word.to_ascii_lowercase(), value));
            }
        } else if out.len() < MAX_ITEMS {
            out.push(Challenge { scheme: word, params: Vec::new() });
        }
    }
    out
}

/// The `error` of the first `DPoP` challenge, if any.
pub fn dpop_error(header: &str) -> Option<(String, Option<String>)> {
    parse(header).into_iter().find(|c| c.scheme.eq_ignore_ascii_case("dpop")).and_then(|c| {
        let error = c.param("error")?.to_owned();
        Some((error, c.param("error_description").map(str::to_owned)))
    })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip(&mut self, f: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&f) {
            self.i += 1;
        }
    }

    /// `token68`-style padding (`abc==`) is not a parameter.
    fn next_is_token68_padding(&self) -> bool {
        matches!(self.s.get(self.i + 1), None | Some(b'=') | Some(b',') | Some(b' '))
    }

    fn token(&mut self) -> Option<String> {
        let start = self.i;
        self.skip(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/".contains(&b));
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn quoted(&mut self) -> String {
        self.i += 1; // opening quote
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(next) = self.peek() {
                        out.push(next);
                        self.i += 1;
                    }
                }
                _ => out.push(b),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpop_nonce_challenge() {
        let h = r#"DPoP algs="RS256 ES256", error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#;
        assert_eq!(
            dpop_error(h),
            Some(("use_dpop_nonce".into(), Some("Resource server requires nonce in DPoP proof".into())))
        );
    }

    #[test]
    fn several_challenges() {
        let c =
            parse(r#"Bearer realm="x", DPoP error="invalid_token", error_description="a \"quoted\" word""#);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].scheme, "Bearer");
        assert_eq!(c[0].param("realm"), Some("x"));
        assert_eq!(c[1].param("error"), Some("invalid_token"));
        assert_eq!(c[1].param("error_description"), Some(r#"a "quoted" word"#));
    }

    #[test]
    fn token_error_without_quotes_and_odd_spacing() {
        assert_eq!(dpop_error("dpop   error=invalid_token").map(|e| e.0), Some("invalid_token".into()));
        assert_eq!(dpop_error("Bearer error=\"invalid_token\""), None);
    }

    #[test]
    fn garbage_never_panics() {
        for h in [
            "",
            "=",
            "\"",
            "DPoP error=\"unterminated",
            ",,,,",
            "DPoP ==== error",
            "\u{0}\u{1}DPoP",
            "a=b=c=d",
        ] {
            let _ = parse(h);
            let _ = dpop_error(h);
        }
        let long = "DPoP ".to_owned() + &"x=y, ".repeat(10_000);
        assert!(parse(&long)[0].params.len() <= MAX_ITEMS);
    }
}
