use crate::state::AppState;
use loova_core::catalog::Catalog;
use loova_core::{PackAdvice, Preview};
use tauri::State;

// These compute from the price list in memory (no file, no SQLite): quick
// enough to answer on the main thread.

/// Validates and prices a job offline; the UI shows exactly this.
#[tauri::command]
#[specta::specta]
pub fn preview_job(state: State<'_, AppState>, spec: loova_core::JobSpec) -> Preview {
    loova_core::preview(&spec, &state.prices)
}

/// The cheapest API credit packs covering `credits`.
#[tauri::command]
#[specta::specta]
pub fn advise_packs(state: State<'_, AppState>, credits: u32) -> PackAdvice {
    loova_core::advise_packs(&state.prices.list, u64::from(credits))
}

/// Every model, mode, ratio, duration range and limit a job may use, and
/// which price list is in force: the Composer and the Queue list these.
#[tauri::command]
#[specta::specta]
pub fn catalog(state: State<'_, AppState>) -> Catalog {
    loova_core::catalog::catalog(&state.prices)
}
