//! Extractors: what handlers read from a request (the visitor, query pairs; later the signed-in
//! user and their capabilities).

pub mod params;
pub mod visitor;

pub use params::Pairs;
pub use visitor::Visitor;
