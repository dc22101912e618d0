//! [`Secret`]: the bytes a keychain item holds.

use zeroize::Zeroizing;

/// The bytes of one keychain item: tokens, a DPoP key, a PKCE verifier.
///
/// It has a redacted `Debug`, no `Display`, no `Serialize` and no equality, and its memory is
/// zeroed on drop. The bytes are reached only through [`expose`](Secret::expose), so every
/// place a secret leaves its box is easy to find.
///
/// Copies made inside the platform libraries (D-Bus buffers, the Secret Service transport)
/// are outside this type's reach and are not zeroed.
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(Zeroizing::new(bytes.into()))
    }

    /// The secret bytes. Never log them or hand them to a UI.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl From<Zeroizing<Vec<u8>>> for Secret {
    fn from(bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new(b"refresh-token-value".to_vec());
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret(<redacted>)");
        assert_eq!(secret.expose(), b"refresh-token-value");
    }

    #[test]
    fn holds_binary_bytes() {
        let bytes = [0u8, 0xff, 0x00, 0x7f, b'\n'];
        assert_eq!(Secret::new(bytes.to_vec()).expose(), &bytes);
        assert_eq!(Secret::from(Zeroizing::new(bytes.to_vec())).expose(), &bytes);
    }
}
