#![forbid(unsafe_code)]
//! Kapstok's domain: the social map's types and the rules over them. No I/O lives here.

pub mod account;
pub mod activity;
pub mod activity_form;
pub mod audit;
pub mod calendar;
pub mod data_file;
pub mod disclosure;
pub mod editing;
pub mod fields;
pub mod geo;
pub mod hsds;
pub mod ids;
pub mod instrument;
pub mod map_table;
pub mod model;
pub mod paging;
pub mod referral;
pub mod referral_figures;
pub mod respite;
pub mod service_level;
pub mod signal;
pub mod tally;
pub mod vocabulary;
