//! What was charged, grouped: per local day, week (starting Monday) or
//! month, or per model, account or batch, each group optionally split by
//! model or account (the History chart's stacks). Every figure is a sum of
//! the stored charges, so the totals equal the jobs' charges exactly.

use super::zone::{parse_day, Zone};
use crate::store::{ChargeFilter, ChargeRow, Db, RefundState, StoreError};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    #[default]
    Day,
    Week,
    Month,
    Model,
    Account,
    Batch,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        Some(match s {
            "day" => GroupBy::Day,
            "week" => GroupBy::Week,
            "month" => GroupBy::Month,
            "model" => GroupBy::Model,
            "account" => GroupBy::Account,
            "batch" => GroupBy::Batch,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Stack {
    Model,
    Account,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UsageQuery {
    pub account_id: Option<String>,
    pub batch_id: Option<String>,
    pub model: Option<String>,
    /// First and last local day, "YYYY-MM-DD", both included.
    pub since: Option<String>,
    pub until: Option<String>,
    pub by: GroupBy,
    pub stack: Option<Stack>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Totals {
    /// Charged (final `credits_cost`), refunded charges included.
    pub credits: i64,
    pub estimate_credits: i64,
    pub jobs: u64,
    pub refunded_credits: i64,
    /// Charges that differ from their estimate.
    pub differing: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StackPart {
    pub key: String,
    pub credits: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UsageGroup {
    /// "2026-12-02", "2026-11-30" (the week's Monday), "2026-12", a model
    /// id, an account name or a batch name ("" for jobs outside a batch).
    pub key: String,
    #[serde(flatten)]
    pub totals: Totals,
    /// Per model or account, when asked.
    pub stacks: Vec<StackPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UsageReport {
    pub groups: Vec<UsageGroup>,
    pub total: Totals,
}

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("\"{0}\" is not a date: write YYYY-MM-DD, e.g. 2026-12-01.")]
    BadDay(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UsageError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            UsageError::BadDay(_) => crate::ErrorCode::InvalidInput,
            UsageError::Store(e) => e.code(),
        }
    }
}

/// The filter in ms for local days `since..=until`.
pub fn filter_of(q: &UsageQuery, zone: Zone) -> Result<ChargeFilter, UsageError> {
    let day = |s: &Option<String>| s.as_deref().map(|d| parse_day(d).ok_or_else(|| UsageError::BadDay(d.to_string()))).transpose();
    let (since, until) = (day(&q.since)?, day(&q.until)?);
    Ok(ChargeFilter {
        account_id: q.account_id.clone(),
        batch_id: q.batch_id.clone(),
        model: q.model.clone(),
        since: since.map(|d| zone.start_of(d)),
        until: until.map(|d| zone.start_of(d.succ_opt().unwrap_or(d))),
    })
}

pub fn usage(db: &Db, q: &UsageQuery, zone: Zone) -> Result<UsageReport, UsageError> {
    let filter = filter_of(q, zone)?;
    let rows = db.charges(&filter, 0, i64::MAX as u64)?;
    let batch_names: BTreeMap<String, String> = db.batches()?.into_iter().map(|b| (b.id, b.name)).collect();
    let key_of = |c: &ChargeRow| -> String {
        match q.by {
            GroupBy::Day => zone.date_of(c.charged_at).format("%Y-%m-%d").to_string(),
            GroupBy::Week => Zone::week_of(zone.date_of(c.charged_at)).format("%Y-%m-%d").to_string(),
            GroupBy::Month => zone.date_of(c.charged_at).format("%Y-%m").to_string(),
            GroupBy::Model => c.model.clone(),
            GroupBy::Account => c.account_name.clone(),
            GroupBy::Batch => c.batch_id.as_ref().map(|b| batch_names.get(b).cloned().unwrap_or_else(|| b.clone())).unwrap_or_default(),
        }
    };
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    let mut all_jobs = Vec::new();
    let mut total = Totals::default();
    for c in &rows {
        let (t, jobs, stacks) = groups.entry(key_of(c)).or_default();
        for t in [&mut *t, &mut total] {
            add(t, c);
        }
        jobs.push(c.job_id);
        all_jobs.push(c.job_id);
        if let Some(s) = q.stack {
            let k = match s {
                Stack::Model => c.model.clone(),
                Stack::Account => c.account_name.clone(),
            };
            *stacks.entry(k).or_default() += c.final_credits;
        }
    }
    total.jobs = distinct(all_jobs);
    let range = (day_of(&q.since), day_of(&q.until));
    fill_quiet_periods(&mut groups, q.by, range);
    let groups = groups
        .into_iter()
        .map(|(key, (mut totals, jobs, stacks))| {
            totals.jobs = distinct(jobs);
            UsageGroup { key, totals, stacks: stacks.into_iter().map(|(key, credits)| StackPart { key, credits }).collect() }
        })
        .collect();
    Ok(UsageReport { groups, total })
}

fn day_of(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(parse_day)
}

/// A chart over time shows a quiet day, week or month as a zero, not as a
/// gap the axis skips: every period from the range's start (or the first
/// charge) to its end (or the last charge) gets a group. A range of more
/// than `MAX_FILLED` periods is left sparse (a chart of it would be
/// unreadable anyway, and the table would be mostly zeros).
fn fill_quiet_periods(groups: &mut BTreeMap<String, Acc>, by: GroupBy, (since, until): (Option<NaiveDate>, Option<NaiveDate>)) {
    const MAX_FILLED: usize = 400;
    let (fmt, first_of): (&str, fn(NaiveDate) -> NaiveDate) = match by {
        GroupBy::Day => ("%Y-%m-%d", |d| d),
        GroupBy::Week => ("%Y-%m-%d", Zone::week_of),
        GroupBy::Month => ("%Y-%m", |d| d.with_day(1).unwrap_or(d)),
        _ => return,
    };
    let parse = |k: &String| if by == GroupBy::Month { parse_day(&format!("{k}-01")) } else { parse_day(k) };
    let present = || groups.keys().filter_map(parse);
    let (Some(start), Some(end)) = (since.or_else(|| present().min()), until.or_else(|| present().max())) else {
        return;
    };
    let mut period = first_of(start);
    let mut keys = Vec::new();
    while period <= end {
        if keys.len() == MAX_FILLED {
            return;
        }
        keys.push(period.format(fmt).to_string());
        period = match by {
            GroupBy::Day => period + Days::new(1),
            GroupBy::Week => period + Days::new(7),
            _ => period + Months::new(1),
        };
    }
    for key in keys {
        groups.entry(key).or_default();
    }
}

/// One group while it is summed: totals, its job ids, its stacks.
type Acc = (Totals, Vec<i64>, BTreeMap<String, i64>);

fn add(t: &mut Totals, c: &ChargeRow) {
    t.credits += c.final_credits;
    t.estimate_credits += c.estimate_credits.unwrap_or(0);
    if c.refund == Some(RefundState::Refunded) {
        t.refunded_credits += c.final_credits;
    }
    if c.differs() {
        t.differing += 1;
    }
}

/// A retried job has two charges but is one job.
fn distinct(mut ids: Vec<i64>) -> u64 {
    ids.sort_unstable();
    ids.dedup();
    ids.len() as u64
}

/// One page of the charges table, newest first, and how many match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChargesPage {
    pub rows: Vec<ChargeRow>,
    pub total: u64,
}

pub fn charges_page(db: &Db, q: &UsageQuery, zone: Zone, offset: u64, limit: u64) -> Result<ChargesPage, UsageError> {
    let filter = filter_of(q, zone)?;
    Ok(ChargesPage { rows: db.charges(&filter, offset, limit.min(10_000))?, total: db.count_charges(&filter)? })
}

/// The balance over time (API Credits reads and App Credits entries) in the
/// query's range, oldest first.
pub fn balance_history(db: &Db, q: &UsageQuery, zone: Zone) -> Result<Vec<crate::store::BalanceRead>, UsageError> {
    let f = filter_of(q, zone)?;
    Ok(db.balance_reads(q.account_id.as_deref(), f.since, f.until)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_after(present: &[&str], by: GroupBy, since: Option<&str>, until: Option<&str>) -> Vec<String> {
        let mut groups: BTreeMap<String, Acc> = present.iter().map(|k| (k.to_string(), Acc::default())).collect();
        fill_quiet_periods(&mut groups, by, (since.and_then(parse_day), until.and_then(parse_day)));
        groups.into_keys().collect()
    }

    #[test]
    fn quiet_days_weeks_and_months_show_as_zero_groups() {
        assert_eq!(keys_after(&["2026-11-29", "2026-12-02"], GroupBy::Day, None, None), ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]);
        assert_eq!(keys_after(&["2026-12-01"], GroupBy::Day, Some("2026-11-30"), Some("2026-12-02")), ["2026-11-30", "2026-12-01", "2026-12-02"]);
        assert_eq!(keys_after(&["2026-11-16", "2026-11-30"], GroupBy::Week, None, None), ["2026-11-16", "2026-11-23", "2026-11-30"]);
        assert_eq!(keys_after(&["2026-10", "2026-12"], GroupBy::Month, None, None), ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(keys_after(&["seedance_2_0"], GroupBy::Model, Some("2026-11-01"), None), ["seedance_2_0"], "not a time grouping");
        assert!(keys_after(&[], GroupBy::Day, None, None).is_empty(), "no charges and no range: nothing to fill");
        assert_eq!(keys_after(&["2020-01-01"], GroupBy::Day, None, Some("2026-12-01")).len(), 1, "a range too long stays sparse");
    }
}
