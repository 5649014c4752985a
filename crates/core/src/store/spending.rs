//! Spending: charges (one per task Loova reported a `credits_cost` for),
//! balance reads, budgets and alert thresholds, alerts already sent, and the
//! budget's wait reason on queued jobs. Sums are SQL integers: exact.

use super::{bad_value, now_ms, Db, StoreError};
use crate::ErrorCode;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// Whether the credits of a failed task came back. Loova does not document
/// refunds, so "refunded" is only said when the balance showed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    Refunded,
    NotKnown,
}

impl RefundState {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundState::Refunded => "refunded",
            RefundState::NotKnown => "not_known",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChargeRow {
    pub id: i64,
    pub job_id: i64,
    pub account_id: String,
    pub account_name: String,
    pub batch_id: Option<String>,
    pub task_id: String,
    pub model: String,
    pub seconds: i64,
    pub video_reference: bool,
    pub estimate_credits: Option<i64>,
    /// The price list the estimate came from.
    pub price_list_date: Option<String>,
    /// `credits_cost` as Loova first reported it, and as it last did.
    pub first_credits: i64,
    pub final_credits: i64,
    pub charged_at: i64,
    pub updated_at: i64,
    /// Set when the task failed.
    pub failed_at: Option<i64>,
    /// `None` for a task that did not fail.
    pub refund: Option<RefundState>,
    /// Charged otherwise than estimated: `differs()`, sent so the History
    /// table shows Rust's verdict instead of comparing figures itself.
    pub differs: bool,
}

impl ChargeRow {
    /// Charged otherwise than estimated (a price change, another rate).
    pub fn differs(&self) -> bool {
        self.estimate_credits.is_some_and(|e| e != self.final_credits)
    }
}

const CHARGE_COLUMNS: &str = "id, job_id, account_id, account_name, batch_id, task_id, model, seconds, video_reference, estimate_credits,
    price_list_date, first_credits, final_credits, charged_at, updated_at, failed_at, refund";

fn charge_row(r: &Row<'_>) -> rusqlite::Result<ChargeRow> {
    let refund: Option<String> = r.get(16)?;
    let mut row = ChargeRow {
        id: r.get(0)?,
        job_id: r.get(1)?,
        account_id: r.get(2)?,
        account_name: r.get(3)?,
        batch_id: r.get(4)?,
        task_id: r.get(5)?,
        model: r.get(6)?,
        seconds: r.get(7)?,
        video_reference: r.get(8)?,
        estimate_credits: r.get(9)?,
        price_list_date: r.get(10)?,
        first_credits: r.get(11)?,
        final_credits: r.get(12)?,
        charged_at: r.get(13)?,
        updated_at: r.get(14)?,
        failed_at: r.get(15)?,
        refund: refund
            .map(|s| match s.as_str() {
                "refunded" => Ok(RefundState::Refunded),
                "not_known" => Ok(RefundState::NotKnown),
                _ => Err(bad_value(16, "charges.refund", &s)),
            })
            .transpose()?,
        differs: false,
    };
    row.differs = row.differs();
    Ok(row)
}

/// Which charges: all fields optional; times are ms, `until` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChargeFilter {
    pub account_id: Option<String>,
    pub batch_id: Option<String>,
    pub model: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

const CHARGE_WHERE: &str = "(?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR batch_id = ?2) AND (?3 IS NULL OR model = ?3)
    AND (?4 IS NULL OR charged_at >= ?4) AND (?5 IS NULL OR charged_at < ?5)";

/// Per account: optional daily and monthly caps and a low-balance threshold (credits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Budget {
    pub daily: Option<i64>,
    pub monthly: Option<i64>,
    /// Alert when API Credits fall below this.
    pub below: Option<i64>,
}

/// [`Db::budget_figures`]: one snapshot of what a budget adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetFigures {
    pub spent_today: i64,
    pub spent_this_month: i64,
    pub in_flight: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BalanceRead {
    pub account_id: String,
    pub read_at: i64,
    pub api_available: Option<i64>,
    pub api_total: Option<i64>,
    /// An App Credits entry (typed by the person, or reported by the service).
    pub app_credits: Option<i64>,
}

/// Alerts that are sent once per period (or, for a low balance, once until
/// the balance recovers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    Daily80,
    Daily100,
    Monthly80,
    Monthly100,
    LowBalance,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Daily80 => "daily_80",
            AlertKind::Daily100 => "daily_100",
            AlertKind::Monthly80 => "monthly_80",
            AlertKind::Monthly100 => "monthly_100",
            AlertKind::LowBalance => "low_balance",
        }
    }
}

impl Db {
    /// Loova reported `credits` for the job's task: the first report makes
    /// the charge (copying what it was for from the job), later ones update
    /// the final figure. True when something changed.
    pub fn record_charge(&self, job_id: i64, task_id: &str, credits: i64) -> Result<bool, StoreError> {
        let now = now_ms();
        let n = self.conn().execute(
            "INSERT INTO charges (job_id, account_id, account_name, batch_id, task_id, model, seconds, video_reference, estimate_credits,
                price_list_date, first_credits, final_credits, charged_at, updated_at)
             SELECT j.id, j.account_id, a.name, j.batch_id, ?2, j.model, j.duration,
                CASE WHEN json_array_length(j.spec, '$.video_urls') > 0 OR json_array_length(j.spec, '$.video_files') > 0 THEN 1 ELSE 0 END,
                j.estimate_credits, j.price_list_date, ?3, ?3, ?4, ?4
             FROM jobs j JOIN accounts a ON a.id = j.account_id WHERE j.id = ?1
             ON CONFLICT (job_id, task_id) DO UPDATE SET final_credits = excluded.final_credits, updated_at = excluded.updated_at
             WHERE final_credits != excluded.final_credits",
            params![job_id, task_id, credits, now],
        )?;
        Ok(n > 0)
    }

    /// The task failed: whether its charge comes back is not known until a
    /// balance read shows it.
    pub fn charge_failed(&self, job_id: i64, task_id: &str) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "UPDATE charges SET failed_at = ?3, refund = 'not_known', updated_at = ?3 WHERE job_id = ?1 AND task_id = ?2 AND failed_at IS NULL",
            params![job_id, task_id, now_ms()],
        )?;
        Ok(n > 0)
    }

    /// Newest first, a page at a time.
    pub fn charges(&self, f: &ChargeFilter, offset: u64, limit: u64) -> Result<Vec<ChargeRow>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare(&format!("SELECT {CHARGE_COLUMNS} FROM charges WHERE {CHARGE_WHERE} ORDER BY charged_at DESC, id DESC LIMIT ?6 OFFSET ?7"))?;
        let rows = stmt.query_map(params![f.account_id, f.batch_id, f.model, f.since, f.until, limit as i64, offset as i64], charge_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn count_charges(&self, f: &ChargeFilter) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row(
            &format!("SELECT COUNT(*) FROM charges WHERE {CHARGE_WHERE}"),
            params![f.account_id, f.batch_id, f.model, f.since, f.until],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// What a budget adds up: charges in the day and the month (`[start,
    /// end)`, refunds left out) and the estimates of in-flight jobs no charge
    /// covers yet (`submitting`, `outcome_unknown`, `running` without a cost).
    /// One transaction, one snapshot: read apart, a charge recorded between
    /// the reads counted nowhere and a job got through over its cap.
    pub fn budget_figures(&self, account_id: &str, day: (i64, i64), month: (i64, i64)) -> Result<BudgetFigures, StoreError> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        let spent = |(since, until): (i64, i64)| -> rusqlite::Result<i64> {
            tx.query_row(
                "SELECT COALESCE(SUM(final_credits), 0) FROM charges
                 WHERE account_id = ?1 AND charged_at >= ?2 AND charged_at < ?3 AND refund IS NOT 'refunded'",
                params![account_id, since, until],
                |r| r.get(0),
            )
        };
        let (spent_today, spent_this_month) = (spent(day)?, spent(month)?);
        let in_flight = tx.query_row(
            "SELECT COALESCE(SUM(j.estimate_credits), 0) FROM jobs j
             WHERE j.account_id = ?1 AND (j.state IN ('submitting', 'outcome_unknown')
                OR (j.state = 'running' AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.job_id = j.id AND c.task_id = j.task_id)))",
            [account_id],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(BudgetFigures { spent_today, spent_this_month, in_flight })
    }

    /// The estimates of the account's queued jobs, summed.
    pub fn queued_estimates(&self, account_id: &str) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT COALESCE(SUM(estimate_credits), 0) FROM jobs WHERE account_id = ?1 AND state = 'queued'", [account_id], |r| r.get(0))?)
    }

    pub fn budget(&self, account_id: &str) -> Result<Budget, StoreError> {
        let b = self
            .conn()
            .query_row("SELECT daily_credits, monthly_credits, below_credits FROM budgets WHERE account_id = ?1", [account_id], |r| {
                Ok(Budget { daily: r.get(0)?, monthly: r.get(1)?, below: r.get(2)? })
            })
            .optional()?;
        Ok(b.unwrap_or_default())
    }

    /// Replaces the account's caps (the alert threshold is kept).
    pub fn set_budget(&self, account_id: &str, daily: Option<i64>, monthly: Option<i64>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO budgets (account_id, daily_credits, monthly_credits) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id) DO UPDATE SET daily_credits = ?2, monthly_credits = ?3",
            params![account_id, daily, monthly],
        )?;
        Ok(())
    }

    pub fn set_alert_below(&self, account_id: &str, below: Option<i64>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO budgets (account_id, below_credits) VALUES (?1, ?2) ON CONFLICT (account_id) DO UPDATE SET below_credits = ?2",
            params![account_id, below],
        )?;
        Ok(())
    }

    /// Records that an alert is sent for `period`; false when it already was.
    pub fn mark_alert_sent(&self, account_id: &str, kind: AlertKind, period: &str) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO alerts_sent (account_id, kind, period, sent_at) VALUES (?1, ?2, ?3, ?4)",
            params![account_id, kind.as_str(), period, now_ms()],
        )?;
        Ok(n > 0)
    }

    /// The condition ended (the balance recovered): the alert may be sent again.
    pub fn clear_alert(&self, account_id: &str, kind: AlertKind) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM alerts_sent WHERE account_id = ?1 AND kind = ?2", params![account_id, kind.as_str()])?;
        Ok(())
    }

    /// One balance read (the history). Called by `record_balance` and
    /// `set_app_credits`; the refund check a read allows is the caller's
    /// (`spending::record_balance`).
    pub(crate) fn record_balance_read(&self, r: &BalanceRead) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO balance_reads (account_id, read_at, api_available, api_total, app_credits) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![r.account_id, r.read_at, r.api_available, r.api_total, r.app_credits],
        )?;
        Ok(())
    }

    /// The account's balance history (all accounts when `None`), oldest first.
    pub fn balance_reads(&self, account_id: Option<&str>, since: Option<i64>, until: Option<i64>) -> Result<Vec<BalanceRead>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT account_id, read_at, api_available, api_total, app_credits FROM balance_reads
             WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR read_at >= ?2) AND (?3 IS NULL OR read_at < ?3) ORDER BY read_at, id",
        )?;
        let rows = stmt.query_map(params![account_id, since, until], |r| {
            Ok(BalanceRead { account_id: r.get(0)?, read_at: r.get(1)?, api_available: r.get(2)?, api_total: r.get(3)?, app_credits: r.get(4)? })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The account's latest API balance read before `before` (ms):
    /// `(read_at, available, total)`.
    pub(crate) fn api_read_before(&self, account_id: &str, before: i64) -> Result<Option<(i64, i64, Option<i64>)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT read_at, api_available, api_total FROM balance_reads WHERE account_id = ?1 AND api_available IS NOT NULL AND read_at < ?2
                 ORDER BY read_at DESC, id DESC LIMIT 1",
                params![account_id, before],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Charges first reported after `after` that are already known refunded.
    pub(crate) fn refunded_since(&self, account_id: &str, after: i64) -> Result<i64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(final_credits), 0) FROM charges WHERE account_id = ?1 AND charged_at > ?2 AND refund = 'refunded'",
            params![account_id, after],
            |r| r.get(0),
        )?)
    }

    /// Charges first reported in `(after, upto]`, summed.
    pub(crate) fn charged_between_reads(&self, account_id: &str, after: i64, upto: i64) -> Result<i64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(first_credits), 0) FROM charges WHERE account_id = ?1 AND charged_at > ?2 AND charged_at <= ?3",
            params![account_id, after, upto],
            |r| r.get(0),
        )?)
    }

    /// Failed charges whose refund is not known, that failed no more than
    /// `reads` balance reads ago, oldest first: `(id, credits, charged_at)`.
    pub(crate) fn refund_candidates(&self, account_id: &str, reads: i64) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT c.id, c.final_credits, c.charged_at FROM charges c WHERE c.account_id = ?1 AND c.refund = 'not_known'
               AND (SELECT COUNT(*) FROM balance_reads b WHERE b.account_id = c.account_id AND b.api_available IS NOT NULL AND b.read_at >= c.failed_at) <= ?2
             ORDER BY c.failed_at, c.id",
        )?;
        let rows = stmt.query_map(params![account_id, reads], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub(crate) fn mark_refunded(&self, ids: &[i64]) -> Result<(), StoreError> {
        let conn = self.conn();
        for id in ids {
            conn.execute("UPDATE charges SET refund = 'refunded', updated_at = ?2 WHERE id = ?1", params![id, now_ms()])?;
        }
        Ok(())
    }

    /// True when a create of the account may be on its way: its debit may
    /// already be in a balance read while its charge is not recorded yet.
    pub(crate) fn creates_in_flight(&self, account_id: &str) -> Result<bool, StoreError> {
        Ok(self.conn().query_row("SELECT EXISTS (SELECT 1 FROM jobs WHERE account_id = ?1 AND state = 'submitting')", [account_id], |r| r.get(0))?)
    }

    /// Shows `reason` on every queued job of the account (the queue waits for
    /// the budget). Returns the jobs whose reason changed.
    pub fn set_budget_wait(&self, account_id: &str, reason: &str) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "UPDATE jobs SET last_error = ?2, last_error_code = ?3, trace_id = NULL, updated_at = ?4
             WHERE account_id = ?1 AND state = 'queued' AND (last_error IS NOT ?2 OR last_error_code IS NOT ?3) RETURNING id",
        )?;
        let ids = stmt.query_map(params![account_id, reason, ErrorCode::BudgetReached.as_str(), now_ms()], |r| r.get(0))?;
        Ok(ids.collect::<Result<Vec<_>, _>>()?)
    }

    /// The budget allows the account's queue again: its wait reasons go.
    pub fn clear_budget_wait(&self, account_id: &str) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "UPDATE jobs SET last_error = NULL, last_error_code = NULL, updated_at = ?3
             WHERE account_id = ?1 AND state = 'queued' AND last_error_code = ?2 RETURNING id",
        )?;
        let ids = stmt.query_map(params![account_id, ErrorCode::BudgetReached.as_str(), now_ms()], |r| r.get(0))?;
        Ok(ids.collect::<Result<Vec<_>, _>>()?)
    }
}
