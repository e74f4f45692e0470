//! Shared by the integration tests (and, through a #[path], the fixture_input example).
#![allow(dead_code)]
pub mod models;
