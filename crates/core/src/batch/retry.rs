//! "Retry 7 failed": a batch's definite failures (failed, refused,
//! expired; never an unknown outcome) queued again as new jobs of the same
//! batch, each linked to the job it retries. Priced before anything is
//! queued, with today's price list, the dollars it may cost and how many
//! fit the account's budget today; each failed job is retried at most once.

use super::preview::BatchDollars;
use super::queue::price_per_credit;
use super::BatchError;
use crate::media;
use crate::pricing::estimate::dollars;
use crate::pricing::LoadedPriceList;
use crate::spending::Zone;
use crate::store::{Db, NewJob};
use serde::{Deserialize, Serialize};

/// What "Retry failed" would do, before it does it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetryPreview {
    pub batch_id: String,
    /// The jobs it retries, in queue order.
    pub failed: Vec<i64>,
    /// Their new estimates together (today's price list).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub credits: u64,
    pub dollars: BatchDollars,
    /// How many of them today's budget lets through after the jobs already
    /// waiting (`None`: the account has no cap).
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub fit_budget: Option<u64>,
    /// "Retry 7 failed — 525 credits ($33.60–$84.00), fits today's budget: 4 of 7".
    pub summary: String,
}

/// Prices retrying the batch's failures; queues nothing.
pub fn retry_preview(db: &Db, prices: &LoadedPriceList, batch_id: &str) -> Result<RetryPreview, BatchError> {
    db.batch(batch_id)?.ok_or_else(|| BatchError::NoSuchBatch(batch_id.to_string()))?;
    let failed = db.retryable_in_batch(batch_id)?;
    let estimates: Vec<Option<i64>> = failed.iter().map(|j| crate::estimate(&j.spec, &prices.list, &prices.info).map(|e| e.credits as i64)).collect();
    let credits: u64 = estimates.iter().map(|e| e.unwrap_or(0) as u64).sum();
    let (min_rate, max_rate) = prices.list.price_per_credit_range();
    let own = price_per_credit(db)?;
    let dollars =
        BatchDollars { price_per_credit: own, usd: own.map(|p| dollars(credits, p)), usd_min: dollars(credits, min_rate), usd_max: dollars(credits, max_rate) };
    // A batch is queued on one account (its jobs carry it).
    let fit_budget = match failed.first() {
        Some(first) => fit_today(db, &first.account_id, &estimates)?,
        None => None,
    };
    let n = failed.len();
    let money = match dollars.usd {
        Some(usd) => format!("${usd:.2}"),
        None => format!("${:.2}–${:.2}", dollars.usd_min, dollars.usd_max),
    };
    let summary = if n == 0 {
        "Nothing to retry: no job of this batch failed for good (an unknown outcome is resolved on its own row), or each was retried already.".to_string()
    } else {
        let fit = match fit_budget {
            Some(f) => format!(", fits today's budget: {f} of {n}"),
            None => String::new(),
        };
        format!("Retry {n} failed — {credits} credits ({money}){fit}")
    };
    Ok(RetryPreview { batch_id: batch_id.to_string(), failed: failed.iter().map(|j| j.id).collect(), credits, dollars, fit_budget, summary })
}

/// How many of `estimates`, queued last, the account's budget lets through
/// today after the jobs already waiting (their estimates summed in SQL, as
/// the spending preview counts them); `None` without a cap.
fn fit_today(db: &Db, account_id: &str, estimates: &[Option<i64>]) -> Result<Option<u64>, BatchError> {
    Ok(crate::preview::spending_preview(db, account_id, Zone::Local, estimates)?.jobs_that_fit)
}

/// Queues a new job for each of the batch's definite failures not retried
/// yet, at the end of the queue, priced now; local files are copied again
/// from the failed job's copies. Returns (failed id, new id) per job made.
pub fn retry_failed(db: &Db, prices: &LoadedPriceList, batch_id: &str) -> Result<Vec<(i64, i64)>, BatchError> {
    db.batch(batch_id)?.ok_or_else(|| BatchError::NoSuchBatch(batch_id.to_string()))?;
    let failed = db.retryable_in_batch(batch_id)?;
    let priced: Vec<(Option<i64>, Option<String>)> = failed
        .iter()
        .map(|j| {
            let e = crate::estimate(&j.spec, &prices.list, &prices.info);
            (e.as_ref().map(|e| e.credits as i64), e.map(|e| e.price_list.effective_date.to_string()))
        })
        .collect();
    let retries: Vec<(i64, NewJob<'_>)> = failed
        .iter()
        .zip(&priced)
        .map(|(j, (credits, date))| {
            let new =
                NewJob { account_id: &j.account_id, name: j.name.as_deref(), spec: &j.spec, estimate_credits: *credits, price_list_date: date.as_deref() };
            (j.id, new)
        })
        .collect();
    let data_dir = db.data_dir();
    let mut copied = Vec::new();
    let made = db.insert_retries(batch_id, &retries, |id, i| {
        if !failed[i].spec.has_local_files() {
            return Ok(None);
        }
        copied.push(id);
        media::copy_into(&data_dir, id, &failed[i].spec).map(Some).map_err(BatchError::Media)
    });
    if made.is_err() {
        for id in copied {
            media::remove_copies(&data_dir, id);
        }
    }
    made
}
