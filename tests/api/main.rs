//! The REST API, driven over HTTP against a real server with its own database.
//!
//! SQLite by default; set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432 to run the
//! same tests on PostgreSQL (each test creates and drops its own database).

mod accounts;
mod admin;
mod cli;
mod delivery;
mod deploy;
mod federation;
mod feeds;
mod fuzz_corpus;
mod groups;
mod health;
mod health_view;
mod inbound;
mod installable;
mod languages;
mod languages_pages;
mod limits;
mod mail;
mod media;
mod members;
mod moderation;
mod openapi;
mod outbox;
mod pages;
mod payloads;
mod posts;
mod processes;
mod questions;
mod registration;
mod replies;
mod search;
mod search_pages;
mod sso;
mod upgrade;
mod votes;
