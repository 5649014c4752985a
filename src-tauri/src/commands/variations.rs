//! The Composer's Variations toggle: highlight a template, preview its
//! expansion against an account, queue it as one batch
//! (`loova_core::variations`; one call each).

use crate::error::CommandError;
use crate::queue::overview;
use crate::state::blocking;
use loova_core::batch::QueueOrder;
use loova_core::overview::QueueOverview;
use loova_core::path_grants::PathGrants;
use loova_core::variation_sets::{self, VariationPreview};
use loova_core::variations::{self, Segment, VariationRequest};
use tauri::{AppHandle, State};

/// The template cut into text, groups and wildcards, for highlighting (pure:
/// answered on the main thread).
#[tauri::command]
#[specta::specta]
pub fn template_segments(template: String) -> Result<Vec<Segment>, CommandError> {
    Ok(variations::segments(&template)?)
}

/// Expands and prices a variation set (nothing is queued); with an
/// account, against its balance.
#[tauri::command]
#[specta::specta]
pub async fn preview_variations(
    app: AppHandle,
    grants: State<'_, PathGrants>,
    mut request: VariationRequest,
    account_id: Option<String>,
) -> Result<VariationPreview, CommandError> {
    request.base = grants.paths_in(request.base)?;
    blocking(&app, move |state, _| Ok(variation_sets::preview_request(state.db()?, state.accounts()?, &state.prices, &request, account_id.as_deref())?)).await
}

/// Queues every job of the set on the account as one batch, in `order` (as
/// listed, or longest expected first).
#[tauri::command]
#[specta::specta]
pub async fn queue_variations(
    app: AppHandle,
    grants: State<'_, PathGrants>,
    mut request: VariationRequest,
    account_id: String,
    confirmed: bool,
    order: QueueOrder,
) -> Result<QueueOverview, CommandError> {
    request.base = grants.paths_in(request.base)?;
    blocking(&app, move |state, host| {
        variation_sets::queue_request(state.db()?, state.accounts()?, &state.prices, &request, &account_id, confirmed, order)?;
        host.touch();
        overview(state, host)
    })
    .await
}
