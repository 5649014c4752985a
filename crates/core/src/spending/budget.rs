//! The budget rule the queue obeys: a job is sent only if the account's
//! charges in the period (at the charged amount) + the estimates of its jobs
//! in flight + this job's estimate stay within each cap. Otherwise it waits,
//! with a reason, until the period turns or the cap is raised.

use super::zone::{Period, Zone};
use crate::store::{Db, StoreError};
use serde::{Deserialize, Serialize};

/// An account's budget now: caps, what counts against them, what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BudgetStatus {
    pub account_id: String,
    pub daily: Option<i64>,
    pub monthly: Option<i64>,
    /// Charged today / this month (local time), refunds excepted.
    pub spent_today: i64,
    pub spent_this_month: i64,
    /// Estimates of jobs in flight whose charge is not known yet.
    pub in_flight: i64,
    /// cap − spent − in flight (never below 0); `None` without a cap.
    pub left_today: Option<i64>,
    pub left_this_month: Option<i64>,
    /// When today and this month end (ms): the budget resets then.
    pub day_ends_at: i64,
    pub month_ends_at: i64,
}

/// Why a job waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub period: Period,
    pub cap: i64,
    /// When the period turns (ms): the queue looks again then.
    pub resumes_at: i64,
    pub message: String,
}

pub fn status(db: &Db, account_id: &str, zone: Zone, now: i64) -> Result<BudgetStatus, StoreError> {
    let budget = db.budget(account_id)?;
    let (day, month) = (zone.span(Period::Day, now), zone.span(Period::Month, now));
    let figures = db.budget_figures(account_id, (day.start, day.end), (month.start, month.end))?;
    let (spent_today, spent_this_month, in_flight) = (figures.spent_today, figures.spent_this_month, figures.in_flight);
    let left = |cap: Option<i64>, spent: i64| cap.map(|c| (c - spent - in_flight).max(0));
    Ok(BudgetStatus {
        account_id: account_id.to_string(),
        daily: budget.daily,
        monthly: budget.monthly,
        spent_today,
        spent_this_month,
        in_flight,
        left_today: left(budget.daily, spent_today),
        left_this_month: left(budget.monthly, spent_this_month),
        day_ends_at: day.end,
        month_ends_at: month.end,
    })
}

impl BudgetStatus {
    pub fn has_cap(&self) -> bool {
        self.daily.is_some() || self.monthly.is_some()
    }

    /// How many credits can still be started now (`None`: no cap).
    pub fn room(&self) -> Option<i64> {
        match (self.left_today, self.left_this_month) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Why a job with this estimate may not be sent now, if it may not.
    pub fn refusal(&self, estimate: Option<i64>) -> Option<Refusal> {
        if !self.has_cap() {
            return None;
        }
        let checks = [(Period::Day, self.daily, self.left_today, self.day_ends_at), (Period::Month, self.monthly, self.left_this_month, self.month_ends_at)];
        for (period, cap, left, ends) in checks {
            let (Some(cap), Some(left)) = (cap, left) else { continue };
            let (whose, when) = match period {
                Period::Day => ("today's", "after midnight"),
                Period::Month => ("this month's", "on the 1st"),
            };
            let message = match estimate {
                None => format!(
                    "Waiting: this job has no estimate (its model is not on the price list), so it cannot be checked against {whose} budget of {cap} credits — update the price list, or clear the budget"
                ),
                Some(cost) if cost <= left => continue,
                Some(_) if left == 0 => format!("Waiting: {whose} budget of {cap} credits is used — it resumes {when}, or raise the budget"),
                Some(cost) => {
                    format!("Waiting: {whose} budget of {cap} credits has {left} left and this job needs {cost} — it resumes {when}, or raise the budget")
                }
            };
            return Some(Refusal { period, cap, resumes_at: ends, message });
        }
        None
    }

    /// The job is being sent: its estimate is reserved from now on.
    pub fn reserve(&mut self, estimate: i64) {
        self.in_flight += estimate;
        self.left_today = self.left_today.map(|l| (l - estimate).max(0));
        self.left_this_month = self.left_this_month.map(|l| (l - estimate).max(0));
    }

    /// How many of these jobs (in queue order) fit what is left, the way
    /// the queue would send them: it stops at the first that does not fit.
    pub fn fits(&self, estimates: &[Option<i64>]) -> usize {
        let mut me = self.clone();
        let mut n = 0;
        for e in estimates {
            if me.refusal(*e).is_some() {
                break;
            }
            me.reserve(e.unwrap_or(0));
            n += 1;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(daily: Option<i64>, spent: i64, in_flight: i64) -> BudgetStatus {
        BudgetStatus {
            account_id: "a".into(),
            daily,
            monthly: None,
            spent_today: spent,
            spent_this_month: spent,
            in_flight,
            left_today: daily.map(|c| (c - spent - in_flight).max(0)),
            left_this_month: None,
            day_ends_at: 1,
            month_ends_at: 2,
        }
    }

    #[test]
    fn four_jobs_of_75_fit_300_and_the_fifth_waits_with_the_reason() {
        let s = status(Some(300), 0, 0);
        assert_eq!(s.fits(&[Some(75); 10]), 4);
        let full = status(Some(300), 150, 150);
        let r = full.refusal(Some(75)).unwrap();
        assert_eq!(r.message, "Waiting: today's budget of 300 credits is used — it resumes after midnight, or raise the budget");
        assert_eq!(r.resumes_at, 1);
        let some = status(Some(300), 250, 0).refusal(Some(75)).unwrap().message;
        assert!(some.contains("has 50 left and this job needs 75"), "{some}");
        assert_eq!(status(None, 10_000, 0).refusal(Some(75)), None, "no cap, no wait");
        assert!(status(Some(300), 0, 0).refusal(None).is_some(), "an unpriced job cannot be checked");
    }
}
