//! Text that came from a server and must be shown as data, never as markup or code.

use std::fmt;

/// The most characters of server-provided text we keep.
const MAX_CHARS: usize = 512;

/// Text a server sent (an `error_description`, a `WWW-Authenticate` message).
///
/// It is untrusted: control characters are replaced, length is capped, and it must be shown
/// as plain text (never interpreted as HTML). RFC 6749 §4.1.2.1 lets any authorization server
/// put any text in `error_description`; a hostile one may put markup or terminal escapes there.
#[derive(Clone, PartialEq, Eq)]
pub struct UntrustedText(String);

impl UntrustedText {
    /// Cleans `raw`: control characters become U+FFFD and the text is cut at 512 characters.
    pub fn new(raw: &str) -> Self {
        let mut out = String::with_capacity(raw.len().min(MAX_CHARS * 4));
        for (count, c) in raw.chars().enumerate() {
            if count == MAX_CHARS {
                out.push('…');
                break;
            }
            out.push(if c.is_control() { '\u{FFFD}' } else { c });
        }
        Self(out)
    }

    /// The cleaned text. Render it as text, not markup.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UntrustedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UntrustedText({:?})", self.0)
    }
}

impl fmt::Display for UntrustedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        let t = UntrustedText::new("bad\u{1b}[31mred\r\nline");
        assert_eq!(t.as_str(), "bad\u{FFFD}[31mred\u{FFFD}\u{FFFD}line");
    }

    #[test]
    fn long_text_is_cut() {
        let t = UntrustedText::new(&"x".repeat(5000));
        assert_eq!(t.as_str().chars().count(), MAX_CHARS + 1);
        assert!(t.as_str().ends_with('…'));
    }

    #[test]
    fn markup_is_kept_as_text() {
        let t = UntrustedText::new("<script>alert(1)</script>");
        assert_eq!(t.to_string(), "<script>alert(1)</script>");
    }
}
