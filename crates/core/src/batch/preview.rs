//! The batch cost preview: what the valid rows cost together, against the
//! account's API Credits, and what to buy if that is not enough. Pure
//! arithmetic on exact integers (credits) and decimals (dollars).

use super::BatchFile;
use crate::pricing::estimate::{dollars, POOL_NOTE};
use crate::pricing::packs::{advise_packs, PackAdvice};
use crate::pricing::{LoadedPriceList, PriceListInfo};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How "reserved" credits are defined; shown with every balance check.
pub const RESERVED_RULE: &str = "Reserved = the estimates of this account's jobs that are queued, being submitted, or whose \
outcome is unknown: the balance read from Loova does not reflect them yet (an unknown outcome may or may not have been \
charged, so it is counted to be safe). Running and finished jobs are not counted: Loova charged them when it accepted them.";

pub const APP_CREDITS_NOTE: &str = "App Credits cannot be used: jobs sent through the API are paid from API Credits only. Buy an API credit pack.";

/// One model × with/without video reference group of the valid rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BreakdownLine {
    pub model: String,
    pub model_name: String,
    pub video_reference: bool,
    pub credits_per_second: u32,
    /// Jobs in this group.
    pub count: u64,
    pub seconds: u64,
    pub credits: u64,
}

/// The account side of a preview (gathered by `queue::reserved_credits` and
/// the account view; passed in so the preview stays a pure function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountBalance {
    pub account_id: String,
    pub account_name: String,
    /// API Credits available as last read; None when never read.
    pub api_available_credits: Option<i64>,
    pub api_credits_read_at: Option<i64>,
    pub reserved_credits: u64,
    pub reserved_jobs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BalanceCheck {
    pub account_id: String,
    pub account_name: String,
    pub api_available_credits: Option<i64>,
    pub api_credits_read_at: Option<i64>,
    /// See `reserved_rule`.
    pub reserved_credits: u64,
    pub reserved_jobs: u64,
    pub reserved_rule: String,
    /// available − reserved (None when the balance is unknown).
    pub available_after_reserved: Option<i64>,
    /// available − reserved − the batch (None when the balance is unknown).
    pub balance_after: Option<i64>,
    /// Credits missing (0 when enough; None when the balance is unknown).
    pub shortfall: Option<u64>,
    /// The cheapest API credit packs covering the shortfall.
    pub pack_advice: Option<PackAdvice>,
    /// Set with a shortfall: App Credits cannot fill it.
    pub app_credits_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchDollars {
    /// The person's own price per credit (settings), if set.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub price_per_credit: Option<Decimal>,
    /// The batch at that price, to the cent.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub usd: Option<Decimal>,
    /// The batch at the cheapest pack's price per credit.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub usd_min: Decimal,
    /// The batch at the dearest pack's price per credit.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub usd_max: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchPreview {
    pub rows: u64,
    pub valid_rows: u64,
    pub invalid_rows: u64,
    /// Lines of the rows that would be left out (invalid).
    pub invalid_lines: Vec<u64>,
    /// Problems of the file itself: nothing can be queued until fixed.
    pub file_errors: u64,
    /// Totals are over the valid rows: what would be queued.
    pub total_credits: u64,
    pub total_seconds: u64,
    pub breakdown: Vec<BreakdownLine>,
    pub dollars: BatchDollars,
    /// With an account: its balance against the batch.
    pub balance: Option<BalanceCheck>,
    pub pool_note: String,
    pub price_list: PriceListInfo,
    pub price_list_warning: Option<String>,
}

/// The preview of `file`'s valid rows, priced with `prices`, against
/// `account` if given, in dollars at `price_per_credit` if set.
pub fn batch_preview(file: &BatchFile, prices: &LoadedPriceList, account: Option<&AccountBalance>, price_per_credit: Option<Decimal>) -> BatchPreview {
    let list = &prices.list;
    let mut breakdown: Vec<BreakdownLine> = Vec::new();
    let mut priced = super::Priced::default();
    for row in file.valid() {
        let Some(est) = priced.of(&row.spec, prices) else {
            continue;
        };
        let line = match breakdown.iter_mut().find(|b| b.model == est.model && b.video_reference == est.video_reference) {
            Some(l) => l,
            None => {
                breakdown.push(BreakdownLine {
                    model: est.model.clone(),
                    model_name: est.model_name.clone(),
                    video_reference: est.video_reference,
                    credits_per_second: est.credits_per_second,
                    count: 0,
                    seconds: 0,
                    credits: 0,
                });
                breakdown.last_mut().expect("just pushed")
            }
        };
        line.count += 1;
        line.seconds += u64::from(est.seconds);
        line.credits += est.credits;
    }
    // The price list's model order, plain before video reference.
    let rank = |b: &BreakdownLine| (list.models.iter().position(|m| m.id == b.model).unwrap_or(usize::MAX), b.video_reference);
    breakdown.sort_by_key(rank);

    let total_credits: u64 = breakdown.iter().map(|b| b.credits).sum();
    let total_seconds: u64 = breakdown.iter().map(|b| b.seconds).sum();
    let (min_rate, max_rate) = list.price_per_credit_range();
    let dollars = BatchDollars {
        price_per_credit,
        usd: price_per_credit.map(|p| dollars(total_credits, p)),
        usd_min: dollars(total_credits, min_rate),
        usd_max: dollars(total_credits, max_rate),
    };
    let balance = account.map(|a| balance_check(a, total_credits, prices));
    let invalid_lines: Vec<u64> = file.invalid().map(|r| r.line).collect();
    BatchPreview {
        rows: file.rows.len() as u64,
        valid_rows: file.valid().count() as u64,
        invalid_rows: invalid_lines.len() as u64,
        invalid_lines,
        file_errors: file.file_errors.len() as u64,
        total_credits,
        total_seconds,
        breakdown,
        dollars,
        balance,
        pool_note: POOL_NOTE.to_string(),
        price_list: prices.info.clone(),
        price_list_warning: prices.warning.clone(),
    }
}

fn balance_check(a: &AccountBalance, batch: u64, prices: &LoadedPriceList) -> BalanceCheck {
    let reserved = i64::try_from(a.reserved_credits).unwrap_or(i64::MAX);
    let batch_i = i64::try_from(batch).unwrap_or(i64::MAX);
    let after_reserved = a.api_available_credits.map(|av| av.saturating_sub(reserved));
    let balance_after = after_reserved.map(|r| r.saturating_sub(batch_i));
    let shortfall = balance_after.map(|b| if b < 0 { b.unsigned_abs() } else { 0 });
    let missing = shortfall.filter(|s| *s > 0);
    BalanceCheck {
        account_id: a.account_id.clone(),
        account_name: a.account_name.clone(),
        api_available_credits: a.api_available_credits,
        api_credits_read_at: a.api_credits_read_at,
        reserved_credits: a.reserved_credits,
        reserved_jobs: a.reserved_jobs,
        reserved_rule: RESERVED_RULE.to_string(),
        available_after_reserved: after_reserved,
        balance_after,
        shortfall,
        pack_advice: missing.map(|s| advise_packs(&prices.list, s)),
        app_credits_note: missing.map(|_| APP_CREDITS_NOTE.to_string()),
    }
}
