//! The product, tested through the router the binary serves: a real server on a free port,
//! a real database (SQLite file, or PostgreSQL when `SOTONG_TEST_DATABASE=postgres`), real
//! HTTP, and real clients written by others (Mastodon.py).

// Tests unwrap: a panic is the failure they report. A test tells one story from start to
// finish, so its length is not a function's to shorten.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod accounts;
mod announcements;
mod app_replay;
mod archive;
mod audit;
mod backup;
mod bad_text;
mod blocks;
mod browser;
mod cli;
mod clients;
mod cluster;
mod complaints;
mod contract;
mod conversations;
mod demo;
mod deploy;
mod emojis;
mod erasure;
mod federation;
mod filters;
mod harness;
mod instance;
mod lists;
mod media;
mod notifications;
mod oauth;
mod org_export;
mod people;
mod polls;
mod practice;
mod process;
mod programs;
mod push;
mod reports;
mod retention;
mod rooms;
mod scheduled;
mod schema;
mod search;
mod sessions;
mod social;
mod status_actions;
mod streaming;
mod suggestions;
mod tags;
mod tidy;
mod web;
mod web_app;
