//! Batch import: pick or drop a CSV/JSONL file, preview it against an
//! account's balance, queue it as one batch (`loova_core::batch_import`).

use crate::error::CommandError;
use crate::queue::overview;
use crate::state::blocking;
use loova_core::batch_import::{self, BatchImport, ImportError};
use loova_core::overview::QueueOverview;
use std::path::PathBuf;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// Opens the system file picker; `None` when the person cancels.
#[tauri::command]
#[specta::specta]
pub async fn pick_batch_file(app: AppHandle) -> Option<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("Import a batch of jobs").add_filter("Batch files (CSV, JSON Lines)", &batch_import::EXTENSIONS).pick_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()));
    });
    rx.await.ok().flatten()
}

impl From<ImportError> for CommandError {
    fn from(e: ImportError) -> CommandError {
        CommandError { field: e.field().map(str::to_string), ..CommandError::new(e.code(), e.to_string()) }
    }
}

/// Reads, checks and prices a batch file (nothing is queued).
#[tauri::command]
#[specta::specta]
pub async fn preview_batch(app: AppHandle, path: String, account_id: Option<String>) -> Result<BatchImport, CommandError> {
    blocking(&app, move |state, _| {
        let file = PathBuf::from(&path);
        Ok(batch_import::preview_file(state.db()?, state.accounts()?, &state.prices, &file, account_id.as_deref())?)
    })
    .await
}

/// Queues the file as one batch: all rows, or only the valid ones if asked.
/// The file is read again, so what is queued is what is on disk now.
#[tauri::command]
#[specta::specta]
pub async fn queue_batch(app: AppHandle, path: String, account_id: String, name: Option<String>, only_valid: bool) -> Result<QueueOverview, CommandError> {
    blocking(&app, move |state, host| {
        let file = PathBuf::from(&path);
        batch_import::queue_file(state.db()?, state.accounts()?, &state.prices, &file, &account_id, name.as_deref(), only_valid)?;
        host.touch();
        overview(state, host)
    })
    .await
}
