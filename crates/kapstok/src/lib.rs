#![forbid(unsafe_code)]
//! The `kapstok` program: configuration and the commands behind the command line.

pub mod commands;
pub mod config;
pub mod postcode_table;
