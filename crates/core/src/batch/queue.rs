//! Queueing a batch (all or nothing, in one transaction), its progress, the
//! credits an account already has reserved, and the person's price per credit.

use super::{account_error, fields::PRICE_PER_CREDIT_SETTING, BatchFile, RowError};
use crate::pricing::LoadedPriceList;
use crate::store::{now_ms, Db, NewBatch, NewJob, StoreError, StoredBatch};
use crate::ErrorCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("Nothing was queued: {} row(s) have errors ({} problem(s)). Fix the file and import it again, or queue only the valid rows.", .invalid_lines.len(), .errors.len())]
    InvalidRows { errors: Vec<RowError>, invalid_lines: Vec<u64> },
    #[error("Nothing was queued: the file itself has problems ({}). Fix the header and import it again.", .0.iter().map(|e| e.message()).collect::<Vec<_>>().join("; "))]
    FileErrors(Vec<RowError>),
    #[error("Nothing was queued: the file has no valid rows.")]
    NoValidRows { errors: Vec<RowError> },
    #[error("There is no account \"{0}\". Run `loova accounts list` to see the accounts.")]
    NoSuchAccount(String),
    #[error("There is no batch \"{0}\". Run `loova batches` to see the batches and their ids.")]
    NoSuchBatch(String),
    #[error("\"{0}\" is not a price per credit; write a positive number of dollars such as 0.064.")]
    BadPricePerCredit(String),
    #[error("Nothing was queued: {0}")]
    Media(crate::media::MediaError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BatchError {
    pub fn code(&self) -> ErrorCode {
        match self {
            BatchError::InvalidRows { .. } => ErrorCode::BatchInvalidRows,
            BatchError::FileErrors(_) => ErrorCode::BatchFileErrors,
            BatchError::NoValidRows { .. } => ErrorCode::BatchNoValidRows,
            BatchError::NoSuchAccount(_) => ErrorCode::AccountNotFound,
            BatchError::NoSuchBatch(_) => ErrorCode::BatchNotFound,
            BatchError::BadPricePerCredit(_) => ErrorCode::BadPricePerCredit,
            BatchError::Media(m) => m.code(),
            BatchError::Store(s) => s.code(),
        }
    }

    /// Every row/file error behind this refusal (empty for the others).
    pub fn errors(&self) -> &[RowError] {
        match self {
            BatchError::InvalidRows { errors, .. } | BatchError::FileErrors(errors) | BatchError::NoValidRows { errors } => errors,
            _ => &[],
        }
    }

    pub fn is_bad_input(&self) -> bool {
        !matches!(self, BatchError::Store(_))
    }
}

/// A row left out by "queue only the valid rows", with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeftOut {
    pub line: u64,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchProgress {
    pub total: u64,
    /// Downloaded.
    pub done: u64,
    /// Submitting, running, outcome unknown, succeeded or downloading.
    pub running: u64,
    /// Queued.
    pub waiting: u64,
    /// Failed, invalid or expired.
    pub failed: u64,
    pub canceled: u64,
    /// What the service charged so far (sum of the jobs' charges).
    pub credits_charged: u64,
    /// The estimates of all its jobs.
    pub credits_estimated: u64,
    /// `done` of `total` in whole percent (rounded down), for a progress bar.
    pub percent_done: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchView {
    pub id: String,
    pub name: String,
    pub source_file: String,
    pub account_id: Option<String>,
    pub created_at: i64,
    pub progress: BatchProgress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchSummary {
    pub batch: BatchView,
    /// In row order.
    pub job_ids: Vec<i64>,
    pub queued: u64,
    pub total_credits: u64,
    /// Rows not queued (only with "only valid rows"), in file order.
    pub left_out: Vec<LeftOut>,
}

/// Credits already spoken for on an account (see `preview::RESERVED_RULE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Reserved {
    pub credits: u64,
    pub jobs: u64,
    /// Reserved jobs without an estimate (not in `credits`).
    pub unpriced_jobs: u64,
}

/// Sum of the estimates of the account's queued, submitting and
/// outcome-unknown jobs: what the last balance read does not reflect yet.
/// Running jobs are left out: the service charged them when it accepted them.
pub fn reserved_credits(db: &Db, account_id: &str) -> Result<Reserved, StoreError> {
    let (credits, jobs, unpriced) = db.reserved(account_id)?;
    Ok(Reserved { credits: credits.max(0) as u64, jobs: jobs as u64, unpriced_jobs: unpriced as u64 })
}

/// Queues `file`'s rows on `account_id` as one batch, in one transaction: all
/// of them, or (with `only_valid`) the valid ones, reporting the rest. Jobs
/// keep the row order (consecutive positions after every existing job), the
/// row's name and the batch id. The batch is named `name`, else after the file.
pub fn enqueue_batch(
    db: &Db,
    account_id: &str,
    file: &BatchFile,
    name: Option<&str>,
    only_valid: bool,
    prices: &LoadedPriceList,
) -> Result<BatchSummary, BatchError> {
    let source_file = std::path::absolute(&file.source).unwrap_or_else(|_| file.source.clone()).display().to_string();
    enqueue_batch_from(db, account_id, file, name, only_valid, prices, &source_file)
}

/// `enqueue_batch` with the batch's source as the batch list shows it (a
/// file's absolute path, or what a variation set was expanded from).
pub fn enqueue_batch_from(
    db: &Db,
    account_id: &str,
    file: &BatchFile,
    name: Option<&str>,
    only_valid: bool,
    prices: &LoadedPriceList,
    source_file: &str,
) -> Result<BatchSummary, BatchError> {
    let account = db.account(account_id)?.ok_or_else(|| BatchError::NoSuchAccount(account_id.to_string()))?;
    if !file.file_errors.is_empty() {
        return Err(BatchError::FileErrors(file.file_errors.clone()));
    }
    let mut queue = Vec::new();
    let mut left_out = Vec::new();
    for row in &file.rows {
        let mut errors = row.errors.clone();
        if let Some(e) = account_error(row, &account.name, &account.id) {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            queue.push(row);
        } else {
            left_out.push(LeftOut { line: row.line, errors });
        }
    }
    let all_errors = || left_out.iter().flat_map(|l| l.errors.iter().cloned()).collect::<Vec<_>>();
    if !left_out.is_empty() && !only_valid {
        return Err(BatchError::InvalidRows { errors: all_errors(), invalid_lines: left_out.iter().map(|l| l.line).collect() });
    }
    if queue.is_empty() {
        return Err(BatchError::NoValidRows { errors: all_errors() });
    }

    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .unwrap_or_else(|| file.source.file_stem().map_or("batch".into(), |s| s.to_string_lossy().into_owned()));
    let now = now_ms();
    let id = format!("b{now:x}{:06x}", rand::random::<u32>() & 0xff_ffff);

    let data_dir = db.data_dir();
    let estimates: Vec<_> = queue.iter().map(|row| crate::estimate(&row.spec, &prices.list, &prices.info)).collect();
    let dates: Vec<Option<String>> = estimates.iter().map(|e| e.as_ref().map(|e| e.price_list.effective_date.clone())).collect();
    let total_credits: u64 = estimates.iter().map(|e| e.as_ref().map_or(0, |e| e.credits)).sum();
    let jobs: Vec<NewJob<'_>> = queue
        .iter()
        .zip(&estimates)
        .zip(&dates)
        .map(|((row, est), date)| NewJob {
            account_id: &account.id,
            name: row.name.as_deref().map(str::trim).filter(|n| !n.is_empty()),
            spec: &row.spec,
            estimate_credits: est.as_ref().map(|e| e.credits as i64),
            price_list_date: date.as_deref(),
        })
        .collect();
    let batch = NewBatch { id: &id, name: &name, source_file, account_id: &account.id };
    let mut made = Vec::with_capacity(jobs.len());
    let inserted = db.insert_jobs(Some(&batch), &jobs, |job_id, i| {
        made.push(job_id);
        let spec = &queue[i].spec;
        if !spec.has_local_files() {
            return Ok(None);
        }
        // The job's own copies, stored before anyone can see the job.
        crate::media::copy_into(&data_dir, job_id, spec).map(Some).map_err(BatchError::Media)
    });
    let job_ids = match inserted {
        Ok(ids) => ids,
        Err(e) => {
            for j in &made {
                crate::media::remove_copies(&data_dir, *j);
            }
            return Err(e);
        }
    };
    let batch = batch_view(db, &id)?.expect("just inserted");
    Ok(BatchSummary { batch, queued: job_ids.len() as u64, job_ids, total_credits, left_out })
}

/// Counts of a batch's jobs by where they are, and credits charged so far.
pub fn batch_progress(db: &Db, batch_id: &str) -> Result<BatchProgress, StoreError> {
    let c = db.batch_counts(batch_id)?;
    Ok(BatchProgress {
        total: c.total,
        done: c.downloaded,
        running: c.running,
        waiting: c.queued,
        failed: c.failed,
        canceled: c.canceled,
        credits_charged: c.credits_charged,
        credits_estimated: c.credits_estimated,
        percent_done: (c.downloaded * 100).checked_div(c.total).unwrap_or(0) as u32,
    })
}

fn view_of(db: &Db, b: StoredBatch) -> Result<BatchView, StoreError> {
    let progress = batch_progress(db, &b.id)?;
    Ok(BatchView { id: b.id, name: b.name, source_file: b.source_file, account_id: b.account_id, created_at: b.created_at, progress })
}

fn batch_view(db: &Db, id: &str) -> Result<Option<BatchView>, StoreError> {
    db.batch(id)?.map(|b| view_of(db, b)).transpose()
}

/// Every batch, newest first, with its progress.
pub fn list_batches(db: &Db) -> Result<Vec<BatchView>, StoreError> {
    db.batches()?.into_iter().map(|b| view_of(db, b)).collect()
}

/// The person's own price per credit, if set (settings key `price_per_credit`).
/// An unreadable stored value counts as not set.
pub fn price_per_credit(db: &Db) -> Result<Option<Decimal>, StoreError> {
    Ok(db.setting(PRICE_PER_CREDIT_SETTING)?.and_then(|s| Decimal::from_str(s.trim()).ok()).filter(|d| *d > Decimal::ZERO))
}

/// Sets (a positive decimal, in dollars) or clears (`None`) the price per credit.
pub fn set_price_per_credit(db: &Db, value: Option<&str>) -> Result<Option<Decimal>, BatchError> {
    match value {
        None => {
            db.delete_setting(PRICE_PER_CREDIT_SETTING)?;
            Ok(None)
        }
        Some(text) => {
            let d = Decimal::from_str(text.trim().trim_start_matches('$'))
                .ok()
                .filter(|d| *d > Decimal::ZERO && *d < Decimal::from(1000))
                .ok_or_else(|| BatchError::BadPricePerCredit(text.to_string()))?;
            let d = d.normalize();
            db.set_setting(PRICE_PER_CREDIT_SETTING, &d.to_string())?;
            Ok(Some(d))
        }
    }
}

/// What a batch preview needs to know of an account: its API Credits as last
/// read and the credits its unsent jobs will still take.
pub fn account_balance(db: &Db, account: &crate::accounts::AccountView) -> Result<super::AccountBalance, StoreError> {
    let reserved = reserved_credits(db, &account.id)?;
    Ok(super::AccountBalance {
        account_id: account.id.clone(),
        account_name: account.name.clone(),
        api_available_credits: account.api_available_credits,
        api_credits_read_at: account.api_credits_read_at,
        reserved_credits: reserved.credits,
        reserved_jobs: reserved.jobs,
    })
}
