//! The Loova Desk test kit: what every suite (core, CLI, benchmark,
//! end-to-end) needs, in one place, so each rule of the test rig has one home.
//!
//! - [`start_sim`] / [`spawn_sim`]: loova-sim in-process on `127.0.0.1` and a
//!   port the OS picks; [`above_our_cap`] lifts the simulator's own limit far
//!   above the app's, so "at most 6 at once" measures the app.
//! - [`data_dir`]: a temporary data folder, removed when dropped.
//! - [`keyring_service`]: a keychain service name no other test uses.
//! - [`wait_for`] (and its async and explicit-timeout variants): wait on a
//!   condition, never a sleep; on timeout panic with the last thing seen.
//! - [`files_under`], [`part_files`], [`files_containing`]: directory walks
//!   for "nothing partial left" and "the key is in no file" checks.
//! - [`rng`]: randomness seeded from `LOOVA_TEST_SEED` (or at random), with
//!   the seed printed so a failing run can be replayed.
//! - [`png_colours`]: tells a real screenshot from a blank (one-colour) one.
//! - [`start_postgres`]: a throwaway PostgreSQL cluster (the studio suites).
//! - [`Recorder`]: a loopback HTTP server that records what remote notices deliver.

mod files;
mod keychain;
mod picture;
mod postgres;
mod recorder;
mod seed;
mod sim;
mod wait;

pub use files::{files_containing, files_under, part_files};
pub use keychain::{accounts, add_account, keychain_entries, keyring_service};
pub use picture::png_colours;
pub use postgres::{postgres_bin, start_postgres, Postgres, PG_PASSWORD, PG_USER};
pub use rand::Rng;
pub use recorder::{dead_endpoint, Received, Recorder};
pub use seed::{rng, rng_from, seed, SEED_ENV};
pub use sim::{above_our_cap, free_port, serve_sandbox, sim_config, spawn_sim, start_sim, ServedSandbox, SIM_LIMIT_ABOVE_OUR_CAP};
pub use wait::{wait_for, wait_for_async, wait_for_async_within, wait_for_future_within, wait_for_within, Condition, TIMEOUT};

/// A fresh temporary data folder (removed when the value is dropped).
pub fn data_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("loova-test-").tempdir().expect("create a temporary data folder")
}
