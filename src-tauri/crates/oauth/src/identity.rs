//! Who the user is: handles, DIDs, DID documents, and resolving one to the other
//! (atproto OAuth spec, "Identity Authentication"; atproto handle and DID specifications).

mod did;
mod did_doc;
mod handle;
mod handle_resolver;
mod input;
mod resolver;

pub use did::Did;
pub use did_doc::DidDocument;
pub use handle::Handle;
#[cfg(feature = "net")]
pub use handle_resolver::SystemDns;
pub use handle_resolver::{
    DnsHttpsHandleResolver, DnsUnavailable, HandleResolver, TxtLookup, XrpcHandleResolver,
};
pub use input::LoginInput;
pub use resolver::{IDENTITY_TTL_SECS, IdentityResolver, ResolvedIdentity};

#[cfg(test)]
mod tests;
