//! Batch import: pick or drop a CSV/JSONL file, preview it against an
//! account's balance, queue it as one batch.

use crate::error::CommandError;
use crate::queue::{overview, QueueHost};
use crate::state::AppState;
use loova_core::batch::{self, BatchFile, BatchPreview};
use loova_core::overview::QueueOverview;
use serde::Serialize;
use std::path::Path;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

/// Opens the system file picker; `None` when the person cancels.
#[tauri::command]
#[specta::specta]
pub async fn pick_batch_file(app: AppHandle) -> Option<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Import a batch of jobs")
        .add_filter("Batch files (CSV, JSON Lines)", &["csv", "jsonl", "ndjson"])
        .pick_file(move |picked| {
            let _ = tx.send(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()));
        });
    rx.await.ok().flatten()
}

#[derive(Serialize, specta::Type)]
pub struct BatchImport {
    pub file: BatchFile,
    pub preview: BatchPreview,
}

fn load(state: &AppState, path: &str, account_id: Option<&str>) -> Result<(BatchFile, BatchPreview), CommandError> {
    let bad = |message: String| CommandError { code: "invalid_input".into(), field: Some("file".into()), message };
    let mut file = batch::load_batch(Path::new(path), &state.prices).map_err(|e| bad(format!("Cannot read {path}: {e}. Choose a readable .csv or .jsonl file.")))?;
    let db = state.db()?;
    let balance = match account_id {
        Some(id) => {
            let account = state.accounts()?.get(id)?;
            file.check_account(&account.name, &account.id);
            Some(batch::account_balance(db, &account).map_err(|e| CommandError::unavailable(&e.to_string()))?)
        }
        None => None,
    };
    let ppc = batch::price_per_credit(db).ok().flatten();
    let preview = batch::batch_preview(&file, &state.prices, balance.as_ref(), ppc);
    Ok((file, preview))
}

/// Reads, checks and prices a batch file (nothing is queued).
#[tauri::command]
#[specta::specta]
pub fn preview_batch(state: State<'_, AppState>, path: String, account_id: Option<String>) -> Result<BatchImport, CommandError> {
    let (file, preview) = load(&state, &path, account_id.as_deref())?;
    Ok(BatchImport { file, preview })
}

/// Queues the file as one batch: all rows, or only the valid ones if asked.
/// The file is read again, so what is queued is what is on disk now.
#[tauri::command]
#[specta::specta]
pub fn queue_batch(
    state: State<'_, AppState>,
    host: State<'_, QueueHost>,
    path: String,
    account_id: String,
    name: Option<String>,
    only_valid: bool,
) -> Result<QueueOverview, CommandError> {
    let (file, _) = load(&state, &path, Some(&account_id))?;
    let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    batch::enqueue_batch(state.db()?, &account_id, &file, name, only_valid, &state.prices).map_err(|e| {
        let details: Vec<String> = e.errors().iter().take(5).map(|r| r.located(&path)).collect();
        let more = if details.is_empty() { String::new() } else { format!(" {}", details.join(" ")) };
        CommandError { code: "batch_refused".into(), field: None, message: format!("{e}{more}") }
    })?;
    host.touch();
    overview(&state, &host)
}
