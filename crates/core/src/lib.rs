//! Loova Desk's product logic. No Tauri and no UI live here, so every rule can
//! be tested without a window and shared by the desktop app and the `loova` CLI.
//! The pure rules (no I/O, no async, no SQLite) are the loova-domain crate;
//! its modules are re-exported here under their former paths, so
//! `loova_core::job`, `loova_core::pricing::…` and the rest keep working.

pub mod accounts;
pub mod api;
pub mod batch;
pub mod batch_import;
pub mod catalog;
mod coded;
pub mod csv_cell;
pub mod dialect;
pub mod engine;
pub mod failpoint;
pub mod file_name;
pub mod fs_retry;
pub mod library;
pub mod media;
// Parts of `media`, also reachable by their former names.
pub use media::{duration as media_duration, error as media_error, reference_limits};
pub mod media_info;
#[cfg(test)]
mod module_graph;
pub mod notice;
pub mod output_dir;
pub mod overview;
pub mod path_grants;
pub mod paths;
pub mod platform;
pub mod preview;
pub mod pricing;
pub mod recipe;
pub mod remote_notices;
pub mod sandbox;
pub mod secret;
pub mod settings;
pub mod spending;
pub mod store;
pub mod studio;
pub mod variation_sets;
pub mod variations;
pub mod vault;

pub use loova_domain::{error_code, job, runtime_model};
pub use loova_domain::{Coded, ErrorCode};

/// Loova Desk's version: the app's About box and `loova --version` both
/// print this (the shell's tests check tauri.conf.json says the same).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use job::{JobSpec, Violation};
pub use preview::{preview, Preview};
pub use pricing::{
    estimate::{estimate, estimate_parts, CreditPool, Estimate, POOL_NOTE},
    install_price_list, load_price_list,
    packs::{advise_packs, PackAdvice, PackCount},
    LoadedPriceList, PriceList, PriceListError, PriceListInfo, PriceListOrigin,
};
