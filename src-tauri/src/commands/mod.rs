//! Tauri commands: argument mapping and one call into loova-core each.

mod pricing;

pub use pricing::*;
