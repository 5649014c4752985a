//! Events Rust pushes to the UI (typed for TypeScript by tauri-specta).

use crate::commands::AccountsOverview;
use serde::{Deserialize, Serialize};

/// Accounts or balances changed (a command, or the background refresher).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct AccountsChanged(pub AccountsOverview);

/// The queue changed (coalesced: at most every 200 ms).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct QueueChanged(pub loova_core::overview::QueueOverview);

/// Files dropped onto the window (the import screen takes a batch file).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct FilesDropped {
    pub paths: Vec<String>,
}
