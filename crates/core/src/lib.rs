//! Loova Desk's product logic. No Tauri and no UI live here, so every rule can
//! be tested without a window and shared by the desktop app and the `loova` CLI.

pub mod accounts;
pub mod batch;
pub mod engine;
pub mod job;
pub mod media;
pub mod media_duration;
pub mod api;
pub mod overview;
pub mod paths;
pub mod preview;
pub mod pricing;
pub mod sandbox;
pub mod secret;
pub mod store;
pub mod vault;

pub use job::{JobSpec, Violation};
pub use preview::{preview, Preview};
pub use pricing::{
    estimate::{estimate, estimate_parts, CreditPool, Estimate, POOL_NOTE},
    packs::{advise_packs, PackAdvice, PackCount},
    install_price_list, load_price_list, LoadedPriceList, PriceList, PriceListError, PriceListInfo, PriceListOrigin,
};
