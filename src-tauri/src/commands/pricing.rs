use crate::state::AppState;
use loova_core::catalog::Catalog;
use loova_core::path_grants::PathGrants;
use loova_core::{ErrorCode, PackAdvice, Preview, Violation};
use tauri::State;

// These compute from the price list in memory (no file, no SQLite): quick
// enough to answer on the main thread.

/// Validates and prices a job offline; the UI shows exactly this. Its
/// local files are handles; one this run did not give out is a violation.
#[tauri::command]
#[specta::specta]
pub fn preview_job(state: State<'_, AppState>, grants: State<'_, PathGrants>, spec: loova_core::JobSpec) -> Preview {
    match grants.paths_in(spec.clone()) {
        Ok(resolved) => loova_core::preview(&resolved, &state.prices),
        Err(e) => {
            let without_files = loova_core::JobSpec { image_files: vec![], video_files: vec![], audio_files: vec![], ..spec };
            let mut preview = loova_core::preview(&without_files, &state.prices);
            preview.violations.push(Violation::new(ErrorCode::InvalidInput, e.field, e.to_string(), "Add the file again."));
            preview
        }
    }
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
