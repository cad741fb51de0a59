//! Sotong (소통): a self-hostable communication platform for public institutions.
//!
//! Layout (see ARCHITECTURE.md for the map and the invariants):
//! - `domain`: pure rules and checked input types; no I/O.
//! - `db`: the only module with SQL; one code path for SQLite and PostgreSQL.
//! - `app`: `App`, the one door for every operation; one transaction per operation.
//! - `http`: the router the binary serves; Mastodon API, OAuth, web pages.
//! - `cli`: the `sotong` command line (serve, demo, config, admin).
//! - `backup`: the whole instance into one archive and back, onto either database.
//! - `server`, `config`, `telemetry`, `i18n`: start-up, settings, logs, messages.

pub mod app;
pub mod backup;
pub mod bench_data;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod export;
pub mod http;
pub mod i18n;
pub mod live;
pub mod media_store;
pub mod server;
pub mod telemetry;
