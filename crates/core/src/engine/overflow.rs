//! Overflow: when an account is out of API credits or over its budget, its
//! waiting jobs go to the account the person named (`loova accounts
//! overflow A --to B`, off by default). They move only while B can send
//! them (active, not held by its own budget); from then on they are B's
//! jobs, under B's budget and limit, and charged to B. Never from or to a
//! Sandbox, never a job that may have been sent (see `Db::overflow_jobs`).

use super::{EngineError, Inner, NoticeKind};
use crate::store::{now_ms, AccountRow, AccountStatus, MoveReason};
use std::sync::Arc;

impl Inner {
    /// Moves the dry account's waiting jobs to its overflow account if that
    /// one can take them now. True when jobs moved.
    pub(crate) fn overflow(self: &Arc<Self>, account: &AccountRow, why: MoveReason) -> Result<bool, EngineError> {
        let Some(to) = self.overflow_target(account)? else {
            return Ok(false);
        };
        let skip: Vec<i64> = self.active.lock().unwrap_or_else(|e| e.into_inner()).iter().copied().collect();
        let moved = self.db.overflow_jobs(&account.id, &to.id, why, &skip)?;
        if moved.is_empty() {
            return Ok(false);
        }
        // A kill here (committed, nothing sent yet) must send each job once, from B.
        crate::failpoint::hit("overflow_after_commit");
        for id in &moved {
            self.job_changed(*id);
        }
        let reason = match why {
            MoveReason::OutOfCredits => format!("{} is out of API credits", account.name),
            MoveReason::OverBudget => format!("{} reached its budget", account.name),
        };
        let body = format!("{reason}: its {} waiting job(s) are sent on {} instead, under {}'s budget and limit.", moved.len(), to.name, to.name);
        self.notice(NoticeKind::JobsMoved, format!("{} job(s) moved to {}", moved.len(), to.name), body);
        self.account_changed(&account.id);
        self.account_changed(&to.id);
        // B's queue may have been empty in this reconcile: look again now.
        self.wake.notify_one();
        Ok(true)
    }

    /// The account's overflow account when it could send the first waiting
    /// job now: active, not a Sandbox, and not held by its own budget
    /// (moving jobs it would hold only parks them there).
    fn overflow_target(&self, account: &AccountRow) -> Result<Option<AccountRow>, EngineError> {
        let Some(to_id) = account.overflow_to.as_deref() else {
            return Ok(None);
        };
        let Some(to) = self.db.account(to_id)? else {
            return Ok(None);
        };
        if account.sandbox || to.sandbox || to.id == account.id || to.state != AccountStatus::Active {
            return Ok(None);
        }
        let Some(first) = self.db.next_queued(&account.id, now_ms(), 1)?.into_iter().next() else {
            return Ok(None);
        };
        if let Some(budget) = self.budget_now(&to)? {
            if budget.refusal(first.estimate_credits).is_some() {
                return Ok(None);
            }
        }
        Ok(Some(to))
    }

    /// Over its budget for the next waiting job, whatever its free slots:
    /// a full account's waiting jobs overflow too, not only when a slot frees.
    pub(crate) fn over_budget_now(&self, account: &AccountRow) -> Result<bool, EngineError> {
        if account.overflow_to.is_none() {
            return Ok(false);
        }
        let Some(budget) = self.budget_now(account)? else {
            return Ok(false);
        };
        let first = self.db.next_queued(&account.id, now_ms(), 1)?.into_iter().next();
        Ok(first.is_some_and(|j| budget.refusal(j.estimate_credits).is_some()))
    }
}
