//! The engine's side of spending: it records each charge when Loova reports
//! a `credits_cost`, turns spending alerts into notices, and keeps the
//! budget's wait reason on the queued jobs of an account that is at its cap.

use super::{Engine, Inner, NoticeKind};
use crate::spending::{alerts, budget, Alert, BudgetStatus};
use crate::store::{AccountRow, JobRow};
use std::sync::Arc;

impl Engine {
    /// The balance of the account was read outside the engine (the app's
    /// refresher, a Refresh click): the low-balance alert is checked as
    /// after the engine's own reads, once until the balance recovers.
    pub fn balance_read(&self, account_id: &str) {
        self.inner.balance_alerts(account_id);
    }
}

impl Inner {
    /// Loova reported a cost for the job's task (create answer or status),
    /// and/or the task failed. Never fails the job: spending is a record.
    pub(crate) fn charge_reported(self: &Arc<Self>, job: &JobRow, task_id: &str, credits: Option<i64>, failed: bool) {
        let recorded = (|| -> Result<bool, crate::store::StoreError> {
            let changed = match credits {
                Some(c) => self.db.record_charge(job.id, task_id, c)?,
                None => false,
            };
            if failed {
                self.db.charge_failed(job.id, task_id)?;
            }
            Ok(changed)
        })();
        match recorded {
            Ok(true) => match alerts::after_charge(&self.db, &job.account_id, self.config.zone, crate::store::now_ms()) {
                Ok(found) => found.into_iter().for_each(|a| self.alert(NoticeKind::Budget, a)),
                Err(e) => eprintln!("loova-desk: budget alerts of {}: {e}", job.account_id),
            },
            Ok(false) => {}
            Err(e) => eprintln!("loova-desk: job {}: the charge was not recorded: {e}", job.id),
        }
        if failed {
            // A refund shows in the balance (`spending::refunds`): read it.
            self.refresh_balance_soon(&job.account_id);
        }
    }

    /// After a balance read: the low-balance alert, once until it recovers.
    pub(crate) fn balance_alerts(&self, account_id: &str) {
        match alerts::after_balance(&self.db, &self.prices.list, account_id) {
            Ok(Some(a)) => self.alert(NoticeKind::LowBalance, a),
            Ok(None) => {}
            Err(e) => eprintln!("loova-desk: balance alert of {account_id}: {e}"),
        }
    }

    fn alert(&self, kind: NoticeKind, a: Alert) {
        self.notice(kind, a.title, a.body);
    }

    /// The account's budget now, when it has a cap.
    pub(crate) fn budget_now(&self, account: &AccountRow) -> Result<Option<BudgetStatus>, crate::store::StoreError> {
        let s = budget::status(&self.db, &account.id, self.config.zone, crate::store::now_ms())?;
        Ok(s.has_cap().then_some(s))
    }

    /// Shows (or clears, with `None`) the budget's reason on the account's queued jobs.
    pub(crate) fn budget_wait(&self, account_id: &str, reason: Option<&str>) -> Result<(), crate::store::StoreError> {
        let changed = match reason {
            Some(r) => self.db.set_budget_wait(account_id, r)?,
            None => self.db.clear_budget_wait(account_id)?,
        };
        for id in changed {
            self.job_changed(id);
        }
        Ok(())
    }
}
