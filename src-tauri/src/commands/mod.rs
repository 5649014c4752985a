//! Tauri commands: argument mapping and one call into loova-core each.

mod accounts;
mod batch;
mod library;
mod media;
mod notices;
mod pricing;
mod queue;
mod settings;
mod spending;
mod studio;
mod variations;

pub use accounts::*;
pub use batch::*;
pub use library::*;
pub use media::*;
pub use notices::*;
pub use pricing::*;
pub use queue::*;
pub use settings::*;
pub use spending::*;
pub use studio::*;
pub use variations::*;
