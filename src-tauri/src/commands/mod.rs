//! Tauri commands: argument mapping and one call into loova-core each.

mod accounts;
mod pricing;

pub use accounts::*;
pub use pricing::*;
