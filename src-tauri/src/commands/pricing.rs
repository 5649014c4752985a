use crate::state::AppState;
use loova_core::{PackAdvice, Preview, PriceListInfo};
use serde::Serialize;
use tauri::State;

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

#[derive(Serialize, specta::Type)]
pub struct PriceListSummary {
    pub info: PriceListInfo,
    pub warning: Option<String>,
    pub models: Vec<ModelSummary>,
    pub concurrency_limit: u32,
}

#[derive(Serialize, specta::Type)]
pub struct ModelSummary {
    pub id: String,
    pub name: String,
}

/// Which price list is in force (and why a person's file was refused, if so).
#[tauri::command]
#[specta::specta]
pub fn price_list(state: State<'_, AppState>) -> PriceListSummary {
    let p = &state.prices;
    PriceListSummary {
        info: p.info.clone(),
        warning: p.warning.clone(),
        models: p.list.models.iter().map(|m| ModelSummary { id: m.id.clone(), name: m.name.clone() }).collect(),
        concurrency_limit: p.list.concurrency_limit,
    }
}
