//! Loova Desk's rules as pure code: the error codes, a job and its rules,
//! prices and the pack advisor, the run-time model, the variations language
//! and what kinds of media a job takes.
//!
//! No I/O, no async, no SQLite: every function here computes from its
//! arguments, so each rule is tested in microseconds and shared by
//! loova-core (which reads files, talks to Loova and keeps the queue), the
//! desktop app and the CLI. Whatever must read a file, the clock, the
//! environment or the database lives in loova-core, which re-exports these
//! modules under their former paths (`loova_core::pricing`, …).

mod coded;
pub mod error_code;
pub mod job;
pub mod media;
pub mod pricing;
pub mod runtime_model;
pub mod variations;

pub use error_code::{Coded, ErrorCode};
pub use job::{JobSpec, Violation};
