//! Batch import: pick or drop a CSV/JSONL file, preview it against an
//! account's balance, queue it as one batch (`loova_core::batch_import`).

use crate::error::CommandError;
use crate::queue::overview;
use crate::state::blocking;
use loova_core::batch::order::OrderForecast;
use loova_core::batch::{BatchPreview, BatchRow, QueueOrder, RowError};
use loova_core::batch_import::{self, BatchImport};
use loova_core::overview::QueueOverview;
use loova_core::path_grants::{Granted, PathGrants};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager, State};

/// Opens the system file picker; `None` when the person cancels. The page
/// gets a handle for the file and its name, never its path.
#[tauri::command]
#[specta::specta]
pub async fn pick_batch_file(app: AppHandle) -> Option<Granted> {
    let picked = crate::picks::pick_file(&app, "Import a batch of jobs", "Batch files (CSV, JSON Lines)", &batch_import::EXTENSIONS).await?;
    Some(app.state::<PathGrants>().grant(&picked))
}

/// Rows per page the Import screen asks for (and gets first).
const PAGE: usize = 200;

/// The last file read, for its pages: a 100,000-row file is about 100 MB as
/// JSON, far too much for the window to parse at once on its main thread.
static LAST: Mutex<Option<(String, Arc<BatchImport>)>> = Mutex::new(None);

/// What the Import screen shows of a file: the preview and counts, the
/// first page of rows (the rest by `batch_rows`) and the first problems.
#[derive(Serialize, specta::Type)]
pub struct ImportPreview {
    pub preview: BatchPreview,
    pub suggested_name: String,
    pub can_queue_all: bool,
    pub can_queue_valid: bool,
    /// The file's first [`PAGE`] rows.
    pub first_rows: Vec<BatchRow>,
    /// The file's problems, then the rows', at most [`PAGE`] (`loova
    /// preview --file` lists them all); `error_count` counts them all.
    pub errors: Vec<RowError>,
    pub error_count: u32,
    /// Each valid row's estimate (credits), for the spending preview.
    pub valid_estimates: Vec<Option<u32>>,
    /// When the valid rows would finish in each order (with an account).
    pub forecast: Option<OrderForecast>,
}

impl ImportPreview {
    fn of(b: &BatchImport) -> ImportPreview {
        let f = &b.file;
        let all_errors = f.file_errors.iter().chain(f.rows.iter().flat_map(|r| r.errors.iter()));
        ImportPreview {
            preview: b.preview.clone(),
            suggested_name: b.suggested_name.clone(),
            can_queue_all: b.can_queue_all,
            can_queue_valid: b.can_queue_valid,
            first_rows: f.rows.iter().take(PAGE).cloned().collect(),
            errors: all_errors.clone().take(PAGE).cloned().collect(),
            error_count: all_errors.count() as u32,
            valid_estimates: f.valid().map(|r| r.estimate.as_ref().map(|e| e.credits.min(u64::from(u32::MAX)) as u32)).collect(),
            forecast: b.forecast,
        }
    }
}

/// Reads, checks and prices a batch file (nothing is queued). `file` is the
/// handle the picker or a drop gave.
#[tauri::command]
#[specta::specta]
pub async fn preview_batch(app: AppHandle, grants: State<'_, PathGrants>, file: String, account_id: Option<String>) -> Result<ImportPreview, CommandError> {
    let path = grants.resolve(&file)?;
    blocking(&app, move |state, _| {
        let read = Arc::new(batch_import::preview_file(state.db()?, state.accounts()?, &state.prices, &path, account_id.as_deref())?);
        let answer = ImportPreview::of(&read);
        *LAST.lock().unwrap_or_else(|p| p.into_inner()) = Some((file, read));
        Ok(answer)
    })
    .await
}

/// Rows `offset..offset + limit` (at most [`PAGE`]) of the file last read
/// by `preview_batch`.
#[tauri::command]
#[specta::specta]
pub async fn batch_rows(file: String, offset: u32, limit: u32) -> Result<Vec<BatchRow>, CommandError> {
    let last = LAST.lock().unwrap_or_else(|p| p.into_inner()).clone();
    match last {
        Some((read, b)) if read == file => Ok(b.file.rows.iter().skip(offset as usize).take((limit as usize).min(PAGE)).cloned().collect()),
        _ => Err(CommandError::invalid("file", "This file is no longer open here: choose it again.")),
    }
}

/// Queues the file as one batch: all rows, or only the valid ones if asked.
/// The file is read again, so what is queued is what is on disk now; in
/// `order` (as listed, or longest expected first).
#[tauri::command]
#[specta::specta]
pub async fn queue_batch(
    app: AppHandle,
    grants: State<'_, PathGrants>,
    file: String,
    account_id: String,
    name: Option<String>,
    only_valid: bool,
    order: QueueOrder,
) -> Result<QueueOverview, CommandError> {
    let path = grants.resolve(&file)?;
    blocking(&app, move |state, host| {
        // Queued (or not), the pages of the last preview are not needed.
        *LAST.lock().unwrap_or_else(|p| p.into_inner()) = None;
        batch_import::queue_file(state.db()?, state.accounts()?, &state.prices, &path, &account_id, name.as_deref(), only_valid, order)?;
        host.touch();
        overview(state, host)
    })
    .await
}

/// "Retry N failed…": what retrying the batch's failures costs and what
/// today's budget lets through; queues nothing.
#[tauri::command]
#[specta::specta]
pub async fn batch_retry_preview(app: AppHandle, batch_id: String) -> Result<loova_core::batch::RetryPreview, CommandError> {
    blocking(&app, move |state, _| Ok(loova_core::batch::retry_preview(state.db()?, &state.prices, &batch_id)?)).await
}

/// Queues the batch's failures again as new jobs (each failed job at most
/// once), after the person saw the preview.
#[tauri::command]
#[specta::specta]
pub async fn retry_batch(app: AppHandle, batch_id: String) -> Result<QueueOverview, CommandError> {
    blocking(&app, move |state, host| {
        loova_core::batch::retry_failed(state.db()?, &state.prices, &batch_id)?;
        host.touch();
        overview(state, host)
    })
    .await
}
