//! The impls every protocol-string newtype shares ([`Did`](crate::Did),
//! [`Handle`](crate::Handle), [`Issuer`](crate::Issuer), [`ClientId`](crate::ClientId),
//! [`RedirectUri`](crate::RedirectUri), [`ScopeText`](crate::ScopeText)), written once so they
//! cannot drift apart.

/// For a `struct $name(String)` with `fn parse(&str) -> Result<Self, InputError>`, implements:
/// `as_str` (documented by `$doc`), `AsRef<str>`, `Display` (the string itself), `Debug`
/// (`$name(string)`), `TryFrom<String>` and `From<$name> for String` (the pair serde's
/// `#[serde(try_from = "String", into = "String")]` uses, so the JSON form is the bare string
/// and every deserialised value passed `parse`), and equality with `str`, `&str` and `String`.
macro_rules! string_newtype {
    ($name:ident, $doc:literal) => {
        impl $name {
            #[doc = $doc]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::InputError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.0 == *other
            }
        }
    };
}

pub(crate) use string_newtype;

#[cfg(test)]
mod tests;
