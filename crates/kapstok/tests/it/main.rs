//! Kapstok's integration tests: one binary (link time on 2 cores), one module per area.

mod access_table;
mod accounts_story;
mod activities;
mod admin;
mod api;
mod api_shapes;
mod audit;
mod booklet;
mod cli;
mod crash;
mod guides;
mod hardening;
mod hostile;
mod hsds;
mod hsds_formats;
mod map_editing;
mod pages;
mod postgres;
mod referral_story;
mod referrals;
mod search_cases;
mod sign_in;
mod snapshot;
mod store_story;
mod support;
mod vocabulary;
