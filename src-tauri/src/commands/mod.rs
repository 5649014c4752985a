//! Tauri commands: argument mapping and one call into loova-core each.

mod accounts;
mod pricing;
mod queue;

pub use accounts::*;
pub use pricing::*;
pub use queue::*;
