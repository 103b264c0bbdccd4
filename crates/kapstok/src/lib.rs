#![forbid(unsafe_code)]
//! The `kapstok` program: configuration and the commands behind the command line.

pub mod commands;
pub mod config;
pub mod demo_activities;
pub mod demo_history;
pub mod demo_map;
pub mod demo_referrals;
pub mod demo_signals;
/// The CSV readers live in the application layer (the beheerder's areas page reads CSV too).
pub use kapstok_app::tables as postcode_table;
