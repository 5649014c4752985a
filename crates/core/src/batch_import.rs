//! The Import screen's two requests, each one call: read, check and price a
//! batch file against an account ([`preview_file`]), and queue it
//! ([`queue_file`]) — plus which dropped files are batch files.

use crate::accounts::{AccountError, Accounts};
use crate::batch::{self, BatchError, BatchFile, BatchPreview, BatchSummary};
use crate::pricing::LoadedPriceList;
use crate::store::{Db, StoreError};
use crate::ErrorCode;
use serde::Serialize;
use std::path::Path;

/// Batch files by name (the picker's filter, and what a drop opens in the
/// Import screen); the format itself is detected from the content too.
pub const EXTENSIONS: [&str; 3] = ["csv", "jsonl", "ndjson"];

pub fn is_batch_file(path: &str) -> bool {
    Path::new(path).extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Files dropped on the window, sorted: a batch file opens the Import
/// screen (the other files are left alone); otherwise every file is a
/// reference for the job being composed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dropped {
    pub batch_file: Option<String>,
    pub media: Vec<String>,
}

pub fn sort_dropped(paths: Vec<String>) -> Dropped {
    match paths.iter().find(|p| is_batch_file(p)) {
        Some(file) => Dropped { batch_file: Some(file.clone()), media: Vec::new() },
        None => Dropped { batch_file: None, media: paths },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchImport {
    pub file: BatchFile,
    pub preview: BatchPreview,
    /// The batch's name unless the person types another: the file's name.
    pub suggested_name: String,
    /// Every row can be queued as it is.
    pub can_queue_all: bool,
    /// "Queue only the valid rows" would queue something.
    pub can_queue_valid: bool,
    /// When the valid rows would finish in each order (with an account).
    pub forecast: Option<batch::order::OrderForecast>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("Cannot read {path}: {reason}. Choose a readable .csv or .jsonl file.")]
    Unreadable { path: String, reason: String },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Refused as a whole; `located` lists the first problems as
    /// `FILE:LINE: column: message`.
    #[error("{error}{}", .located.iter().map(|l| format!(" {l}")).collect::<String>())]
    Refused { error: BatchError, located: Vec<String> },
}

impl ImportError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Unreadable { .. } => ErrorCode::BatchUnreadable,
            ImportError::Account(e) => e.code(),
            ImportError::Store(e) => e.code(),
            ImportError::Refused { error, .. } => error.code(),
        }
    }

    /// The field the Import screen marks, if one.
    pub fn field(&self) -> Option<&'static str> {
        matches!(self, ImportError::Unreadable { .. }).then_some("file")
    }
}

/// How many row problems a refusal lists in its sentence.
const LOCATED: usize = 5;

fn load(db: &Db, accounts: &Accounts, prices: &LoadedPriceList, path: &Path, account_id: Option<&str>) -> Result<(BatchFile, BatchPreview), ImportError> {
    let mut file = batch::load_batch(path, prices).map_err(|e| ImportError::Unreadable { path: path.display().to_string(), reason: e.to_string() })?;
    let balance = match account_id {
        Some(id) => {
            let account = accounts.get(id)?;
            file.check_account(&account.name, &account.id);
            Some(batch::account_balance(db, &account)?)
        }
        None => None,
    };
    // Without a price per credit the preview shows the packs' range instead.
    let ppc = batch::price_per_credit(db).ok().flatten();
    let preview = batch::batch_preview(&file, prices, balance.as_ref(), ppc);
    Ok((file, preview))
}

/// Reads, checks and prices a batch file (nothing is queued); with an
/// account, also against its balance and the rows' `account` cells.
pub fn preview_file(db: &Db, accounts: &Accounts, prices: &LoadedPriceList, path: &Path, account_id: Option<&str>) -> Result<BatchImport, ImportError> {
    let (file, preview) = load(db, accounts, prices, path, account_id)?;
    let forecast = match account_id {
        Some(id) => Some(batch::order::forecast(db, prices, id, file.valid().map(|r| &r.spec))?),
        None => None,
    };
    let suggested_name = path.file_stem().map_or_else(|| "batch".to_string(), |s| s.to_string_lossy().into_owned());
    let usable = preview.file_errors == 0 && preview.valid_rows > 0;
    Ok(BatchImport { can_queue_all: usable && preview.invalid_rows == 0, can_queue_valid: usable, suggested_name, file, preview, forecast })
}

/// Queues the file as one batch: every row, or only the valid ones if asked.
/// The file is read again, so what is queued is what is on disk now; in
/// `order` ("finish soonest": longest expected first).
#[allow(clippy::too_many_arguments)]
pub fn queue_file(
    db: &Db,
    accounts: &Accounts,
    prices: &LoadedPriceList,
    path: &Path,
    account_id: &str,
    name: Option<&str>,
    only_valid: bool,
    order: batch::QueueOrder,
) -> Result<BatchSummary, ImportError> {
    let (mut file, _) = load(db, accounts, prices, path, Some(account_id))?;
    batch::order::order_rows(db, account_id, &mut file.rows, order)?;
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    batch::enqueue_batch(db, account_id, &file, name, only_valid, prices).map_err(|error| {
        let shown = path.display().to_string();
        let located = error.errors().iter().take(LOCATED).map(|r| r.located(&shown)).collect();
        ImportError::Refused { error, located }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_files_are_known_by_name_and_win_a_drop() {
        assert!(is_batch_file("/x/shots.CSV") && is_batch_file("a.jsonl") && is_batch_file("b.ndjson"));
        assert!(!is_batch_file("/x/clip.mp4") && !is_batch_file("/x/csv"));
        let both = sort_dropped(vec!["/a/cat.png".into(), "/a/shots.csv".into()]);
        assert_eq!(both, Dropped { batch_file: Some("/a/shots.csv".into()), media: vec![] });
        let media = sort_dropped(vec!["/a/cat.png".into(), "/a/clip.mp4".into()]);
        assert_eq!(media, Dropped { batch_file: None, media: vec!["/a/cat.png".into(), "/a/clip.mp4".into()] });
    }
}
