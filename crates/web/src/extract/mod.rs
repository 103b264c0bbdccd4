//! Extractors: what handlers read from a request (the visitor, query pairs, the signed-in user).

pub mod params;
pub mod signed_in;
pub mod visitor;

pub use params::Pairs;
pub use signed_in::SignedIn;
pub use visitor::Visitor;
