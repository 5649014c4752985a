//! Tauri commands: argument mapping and one call into loova-core each.

mod accounts;
mod batch;
mod media;
mod pricing;
mod queue;
mod settings;

pub use accounts::*;
pub use batch::*;
pub use media::*;
pub use pricing::*;
pub use queue::*;
pub use settings::*;
