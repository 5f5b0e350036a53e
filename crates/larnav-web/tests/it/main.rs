//! Lärnav's HTTP suite: a real server on a free port with a fresh database per test, driven by
//! a real HTTP client. Every test runs on SQLite and, when `LARNAV_TEST_DATABASE_URL` is set,
//! on PostgreSQL too.

mod admission;
mod api;
mod auth;
mod authz;
mod catalogue;
mod development;
mod enrolments;
mod helpers;
mod material;
mod meetings;
mod mentorship;
mod organisations;
mod pages;
mod reference;
mod registry;
mod semaforen;
mod translations;
