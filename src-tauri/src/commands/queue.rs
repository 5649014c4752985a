//! Queue commands: enqueue from the Composer, and the person's actions.

use crate::error::CommandError;
use crate::queue::{overview, QueueHost};
use crate::state::AppState;
use loova_core::engine::{self, JobView};
use loova_core::overview::QueueOverview;
use loova_core::JobSpec;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

#[tauri::command]
#[specta::specta]
pub fn queue_overview(state: State<'_, AppState>, host: State<'_, QueueHost>) -> Result<QueueOverview, CommandError> {
    overview(&state, &host)
}

#[derive(Serialize, specta::Type)]
pub struct Enqueued {
    pub job: JobView,
    pub overview: QueueOverview,
}

#[tauri::command]
#[specta::specta]
pub fn enqueue_job(
    state: State<'_, AppState>,
    host: State<'_, QueueHost>,
    account_id: String,
    spec: JobSpec,
    name: Option<String>,
) -> Result<Enqueued, CommandError> {
    let job = engine::enqueue(state.db()?, &account_id, &spec, name.as_deref(), &state.prices)?;
    host.touch();
    Ok(Enqueued { job, overview: overview(&state, &host)? })
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    Cancel,
    /// A failed, invalid, expired or canceled job: queued again (a new charge).
    Retry,
    /// Outcome unknown: send again, knowing it may be charged twice.
    Resubmit,
    /// Outcome unknown: stop tracking it and free the slot.
    Forget,
    MoveUp,
    MoveDown,
    OpenVideo,
    ShowInFolder,
}

#[tauri::command]
#[specta::specta]
pub fn job_action(
    app: AppHandle,
    state: State<'_, AppState>,
    host: State<'_, QueueHost>,
    id: i64,
    action: JobAction,
) -> Result<QueueOverview, CommandError> {
    let db = state.db()?;
    match action {
        JobAction::Cancel => drop(engine::cancel(db, id)?),
        JobAction::Retry => drop(engine::retry(db, id)?),
        JobAction::Resubmit => drop(engine::resubmit_unknown(db, id)?),
        JobAction::Forget => drop(engine::forget(db, id)?),
        JobAction::MoveUp => drop(engine::move_job(db, id, true)?),
        JobAction::MoveDown => drop(engine::move_job(db, id, false)?),
        JobAction::OpenVideo | JobAction::ShowInFolder => {
            let job = engine::job(db, id)?;
            let path = job.video_path.filter(|p| std::path::Path::new(p).exists()).ok_or_else(|| CommandError {
                code: "no_video".into(),
                field: None,
                message: "This job's video is not on disk (yet). It is saved when the job has finished.".into(),
            })?;
            let opened = match action {
                JobAction::OpenVideo => app.opener().open_path(&path, None::<&str>),
                _ => app.opener().reveal_item_in_dir(&path),
            };
            opened.map_err(|e| CommandError::unavailable(&format!("Could not open {path}: {e}")))?;
        }
    }
    host.touch();
    overview(&state, &host)
}

/// Where finished videos go (one sub-folder per account). Created if needed.
#[tauri::command]
#[specta::specta]
pub fn set_output_dir(state: State<'_, AppState>, host: State<'_, QueueHost>, path: String) -> Result<QueueOverview, CommandError> {
    let path = path.trim();
    let bad = |message: String| CommandError { code: "invalid_input".into(), field: Some("output_dir".into()), message };
    if path.is_empty() || !std::path::Path::new(path).is_absolute() {
        return Err(bad("Enter a full folder path, e.g. /home/you/Videos/Loova Desk.".into()));
    }
    std::fs::create_dir_all(path).map_err(|e| bad(format!("Cannot use {path}: {e}. Choose a folder you can write to.")))?;
    let db = state.db()?;
    db.set_setting(loova_core::engine::OUTPUT_DIR_SETTING, path).map_err(|e| CommandError::unavailable(&e.to_string()))?;
    host.touch();
    overview(&state, &host)
}
