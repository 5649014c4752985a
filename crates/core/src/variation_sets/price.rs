//! An expansion as a batch: every job checked with the Composer's rules and
//! priced by `crate::batch::batch_preview` (the one pricing of a batch:
//! totals in credits and dollars, the balance after, the pack advice), and
//! queued by `crate::batch::enqueue_batch_from` as ONE batch, in order, in
//! one transaction, under the usual at-most-once rules.

use crate::batch::{self, AccountBalance, BatchFile, BatchFormat, BatchPreview, BatchRow, BatchSummary, RowError};
use crate::pricing::LoadedPriceList;
use crate::store::Db;
use crate::variations::{confirm, Expansion, VariationError, VariationJob};
use crate::ErrorCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How many jobs a preview lists (the CLI's text and the Composer).
pub const FIRST_ROWS: usize = 10;

/// The expansion's jobs as the rows of a batch (row `line` = the job's
/// index), validated and priced as a batch file's rows are.
pub fn as_batch(expansion: &Expansion, prices: &LoadedPriceList) -> BatchFile {
    let mut rows: Vec<BatchRow> = expansion
        .jobs
        .iter()
        .map(|j| BatchRow { line: j.index, name: Some(j.name.clone()), account: None, spec: j.spec.clone(), estimate: None, errors: Vec::new() })
        .collect();
    batch::check_rows(&mut rows, prices);
    BatchFile {
        format: BatchFormat::Csv,
        source: PathBuf::from(source_label(expansion)),
        rows,
        file_errors: Vec::new(),
        price_list_warning: prices.warning.clone(),
    }
}

/// What the batch list shows as the batch's source.
fn source_label(expansion: &Expansion) -> String {
    format!("template: {}", expansion.template)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VariationPreview {
    pub name: String,
    pub count: u64,
    pub needs_confirmation: bool,
    /// The first `FIRST_ROWS` jobs (every job when asked for all).
    pub jobs: Vec<VariationJob>,
    /// Totals, dollars, the balance after and the pack advice, over the
    /// jobs that can be queued.
    pub batch: BatchPreview,
    /// Problems of single jobs (a value that breaks a rule only together with
    /// another, a local file): `line` is the job's index.
    pub errors: Vec<RowError>,
    /// The credits of every job that can be queued, in queue order: what the
    /// spending preview counts against the account's budget (the Composer
    /// lists only the first jobs, so it cannot gather them itself).
    pub estimates: Vec<Option<u64>>,
    /// When the jobs would finish in each order (with an account).
    pub forecast: Option<batch::order::OrderForecast>,
}

/// The preview of an expansion, against `account` when given.
pub fn preview(
    expansion: &Expansion,
    prices: &LoadedPriceList,
    account: Option<&AccountBalance>,
    price_per_credit: Option<Decimal>,
    all_jobs: bool,
) -> VariationPreview {
    let file = as_batch(expansion, prices);
    let batch = batch::batch_preview(&file, prices, account, price_per_credit);
    let take = if all_jobs { expansion.jobs.len() } else { FIRST_ROWS };
    VariationPreview {
        name: expansion.name.clone(),
        count: expansion.count,
        needs_confirmation: expansion.needs_confirmation,
        jobs: expansion.jobs.iter().take(take).cloned().collect(),
        batch,
        errors: file.errors(),
        estimates: file.valid().map(|r| r.estimate.as_ref().map(|e| e.credits)).collect(),
        forecast: None,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VariationQueueError {
    #[error(transparent)]
    Variation(#[from] VariationError),
    #[error(transparent)]
    Batch(#[from] batch::BatchError),
    #[error(transparent)]
    Account(#[from] crate::accounts::AccountError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl VariationQueueError {
    pub fn code(&self) -> ErrorCode {
        match self {
            VariationQueueError::Variation(e) => e.code(),
            VariationQueueError::Batch(e) => e.code(),
            VariationQueueError::Account(e) => e.code(),
            VariationQueueError::Store(e) => e.code(),
        }
    }

    /// The field the Composer marks, if one.
    pub fn field(&self) -> Option<&str> {
        match self {
            VariationQueueError::Variation(e) => Some(e.field()),
            VariationQueueError::Account(e) => e.field(),
            _ => None,
        }
    }

    pub fn is_bad_input(&self) -> bool {
        match self {
            VariationQueueError::Variation(e) => e.is_bad_input(),
            VariationQueueError::Batch(e) => e.is_bad_input(),
            VariationQueueError::Account(e) => e.is_bad_input(),
            VariationQueueError::Store(_) => false,
        }
    }

    pub fn errors(&self) -> &[RowError] {
        match self {
            VariationQueueError::Batch(e) => e.errors(),
            _ => &[],
        }
    }
}

/// Queues every job of the expansion on `account_id` as one batch named
/// after it — all or nothing: a job that breaks a rule refuses the batch.
/// More than `CONFIRM_ABOVE` jobs need `confirmed`.
pub fn enqueue(db: &Db, account_id: &str, expansion: &Expansion, prices: &LoadedPriceList, confirmed: bool) -> Result<BatchSummary, VariationQueueError> {
    enqueue_in_order(db, account_id, expansion, prices, confirmed, batch::QueueOrder::Listed)
}

/// [`enqueue`] in `order` ("finish soonest": longest expected first).
pub fn enqueue_in_order(
    db: &Db,
    account_id: &str,
    expansion: &Expansion,
    prices: &LoadedPriceList,
    confirmed: bool,
    order: batch::QueueOrder,
) -> Result<BatchSummary, VariationQueueError> {
    confirm(expansion, confirmed)?;
    let mut file = as_batch(expansion, prices);
    batch::order::order_rows(db, account_id, &mut file.rows, order).map_err(batch::BatchError::from)?;
    Ok(batch::enqueue_batch_from(db, account_id, &file, Some(&expansion.name), false, prices, &source_label(expansion))?)
}
