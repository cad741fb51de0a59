//! Pure rules of the product: no I/O, no async, no SQL, no HTTP.
//!
//! Everything that arrives from outside is parsed into one of these types first, so that the
//! layers below never see unchecked input (parse, don't validate).

pub mod account;
pub mod id;
pub mod invalid;
pub mod media;
pub mod oauth;
pub mod org;
pub mod program;
pub mod room;
pub mod search;
pub mod status;
pub mod suggestion;
pub mod time;

pub use invalid::Invalid;
