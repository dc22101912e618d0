//! Secret strings: tokens, codes and verifiers.
//!
//! Each has a redacted `Debug`, no `Display`, no `Serialize` and no derived equality, and its
//! memory is zeroed on drop. The value is reached only through [`expose`](AccessToken::expose),
//! so every place a secret leaves its box is easy to find.

use zeroize::Zeroizing;

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(Zeroizing::new(value.into()))
            }

            /// The secret itself. Never log it or hand it to a UI.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret_string!(
    /// An OAuth access token (RFC 6749 §1.4), DPoP-bound (RFC 9449). Opaque to the client.
    AccessToken
);
secret_string!(
    /// An OAuth refresh token (RFC 6749 §1.5). Single use: each refresh rotates it.
    RefreshToken
);
secret_string!(
    /// An authorization code from the callback (RFC 6749 §4.1.2). Single use.
    AuthorizationCode
);
secret_string!(
    /// A PKCE `code_verifier` (RFC 7636 §4.1): 43–128 characters from the unreserved set.
    PkceVerifier
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let t = AccessToken::new("eyJhbGciOiJFUzI1NiJ9.secret.sig");
        let shown = format!("{t:?}");
        assert_eq!(shown, "AccessToken(<redacted>)");
        assert!(!shown.contains("secret"));
        assert_eq!(t.expose(), "eyJhbGciOiJFUzI1NiJ9.secret.sig");
    }
}
