//! Which job runs next. Per account, in flight (`submitting` + `running` +
//! `outcome_unknown` still within its hold) stays within min(price list
//! limit, the person's limit, the limit the service showed us). Called
//! whenever anything changes, so a freed slot is refilled at once.

use super::{ActiveGuard, EngineError, Inner, Observed};
use crate::store::Col;
use crate::store::{now_ms, AccountRow, AccountStatus, JobFilter, JobState, MoveReason, Patch};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

pub(crate) struct Work {
    /// Something can still progress without a person.
    pub busy: bool,
    /// The earliest backoff that ends (ms since the epoch).
    pub next_due: Option<i64>,
}

impl super::Engine {
    /// One reconcile, as the run loop makes it, for diagnostics and
    /// `scripts/bench` (which times it on a 100,000-job database). The
    /// tasks it starts (polls, downloads, submits) are aborted when it
    /// returns. Do not call it while `run` runs.
    pub async fn reconcile_once(&self) -> Result<(), EngineError> {
        let mut tasks = JoinSet::new();
        self.inner.reconcile(&mut tasks).await?;
        tasks.abort_all();
        Ok(())
    }
}

impl Inner {
    /// Starts a task for every job that needs one and fills free slots from
    /// the queue. Reads only what can act: the jobs in flight or being
    /// downloaded, and per account the next `free` due queued jobs (SQL
    /// `LIMIT`), so a queue of 100,000 costs what a short one does.
    pub(crate) async fn reconcile(self: &Arc<Self>, tasks: &mut JoinSet<()>) -> Result<Work, EngineError> {
        let mut busy = false;
        let mut next_due: Option<i64> = None;
        let mut due = |t: i64| work_due(&mut next_due, t);
        let live = [JobState::Submitting, JobState::Running, JobState::Succeeded, JobState::Downloading];
        for j in self.db.jobs(&JobFilter { states: live.to_vec(), ..Default::default() })? {
            busy = true;
            match j.state {
                JobState::Running => self.spawn_once(tasks, j.id, |me, id| me.poll_job(id)),
                JobState::Succeeded | JobState::Downloading => self.spawn_once(tasks, j.id, |me, id| me.download_job(id)),
                _ => {}
            }
        }
        let waiting: HashSet<String> =
            self.db.count_by_account_and_state()?.into_iter().filter(|c| c.state == JobState::Queued && c.jobs > 0).map(|c| c.account_id).collect();
        for account in self.db.accounts()?.into_iter().filter(|a| waiting.contains(&a.id)) {
            if account.state != AccountStatus::Active {
                self.studio_wanting(&account.id, 0);
                if account.state == AccountStatus::NeedsCredits {
                    busy |= self.overflow(&account, MoveReason::OutOfCredits)?;
                }
                continue;
            }
            busy |= self.fill_slots(&account, tasks, &mut due).await?;
        }
        Ok(Work { busy, next_due })
    }

    /// Moves the account's next due queued jobs to `submitting`, as many as
    /// it has free slots. True when its queue can progress without a person.
    async fn fill_slots(self: &Arc<Self>, account: &AccountRow, tasks: &mut JoinSet<()>, due: &mut impl FnMut(i64)) -> Result<bool, EngineError> {
        // A studio account's slots are leased from PostgreSQL; the gate
        // keeps the heartbeat's lease sync from running between a lease
        // and the job's move to `submitting` (it would release it).
        let studio = self.db.studio_link(&account.id)?;
        let _gate = match studio {
            Some(_) => Some(self.studios.gate.lock().await),
            None => None,
        };
        let now = now_ms();
        let (in_flight, _, unknown) = self.db.in_flight(&account.id)?;
        let (held, hold_ends) = self.held_unknowns(&account.id, unknown, now)?;
        // A released unknown outcome no longer counts; it stays
        // outcome_unknown for the person. If its task is still running after
        // all, the service refuses a create for the limit, which costs
        // nothing and teaches us the limit (`wait_for_slot`).
        let (in_flight, unknown) = (in_flight - (unknown - held), held);
        if let Some(t) = hold_ends {
            due(t);
        }
        let (limit, recovering) = self.limit_for(account, due);
        let free = limit - in_flight;
        if let Some(t) = self.db.next_backoff_end(&account.id, now)? {
            due(t);
        }
        // Queued jobs behind full slots progress by themselves: a slot frees
        // when a running job ends, when the observed limit recovers, or when
        // a held unknown outcome's hold ends (a bounded wait: `due` above
        // wakes the loop then, and the queued jobs are sent). So every one
        // of those keeps `run --until-idle` going; only what needs a person
        // or the calendar (paused, credits, key, budget period) ends it.
        let busy = free > 0 || in_flight > unknown || recovering || hold_ends.is_some();
        if free <= 0 {
            self.studio_wanting(&account.id, 0);
            if self.over_budget_now(account)? {
                self.overflow(account, MoveReason::OverBudget)?;
            }
            return Ok(busy);
        }
        // The budget: charged in the period + estimates in flight (durable:
        // those jobs are `submitting` or later) + this job must stay within
        // each cap. Read fresh from SQLite every time, so it holds across
        // restarts, kills and limit refusals (a refused create goes back to
        // `queued` and stops counting).
        let mut budget = self.budget_now(account)?;
        let (mut waiting, mut sent) = (None, false);
        let mut chosen = Vec::new();
        for j in self.db.next_queued(&account.id, now, free as usize)? {
            // Its last attempt is still winding down here (reading the
            // balance after a refusal for credits, say): sent once that ends
            // (its end wakes the loop). Moved now, it would sit in
            // `submitting` with nothing sending it (found by scripts/chaos).
            if self.active.lock().unwrap_or_else(|e| e.into_inner()).contains(&j.id) {
                continue;
            }
            if let Some(b) = budget.as_mut() {
                if let Some(r) = b.refusal(j.estimate_credits) {
                    // Queue order is kept: the jobs behind it wait too.
                    due(r.resumes_at);
                    waiting = Some(r.message);
                    break;
                }
                b.reserve(j.estimate_credits.unwrap_or(0));
            }
            chosen.push(j);
        }
        if studio.is_some() {
            self.studio_wanting(&account.id, chosen.len());
            // Only the jobs that got a lease (committed in PostgreSQL) are
            // sent; none when the database does not answer.
            let granted = self.studio_grant(account, limit, &chosen).await?;
            chosen.retain(|j| granted.contains(&j.id));
        }
        for j in chosen {
            // Written before the request leaves: a crash from here on
            // leaves `submitting`, which restart turns into outcome_unknown.
            let patch = Patch::new().int(Col::SubmittedAt, Some(now_ms())).int(Col::NextAttemptAt, None);
            if self.db.transition(j.id, &[JobState::Queued], JobState::Submitting, patch)? {
                sent = true;
                self.job_changed(j.id);
                self.spawn_once(tasks, j.id, |me, id| me.submit_job(id));
            }
        }
        if waiting.is_some() && self.overflow(account, MoveReason::OverBudget)? {
            // Its waiting jobs are the overflow account's now.
            waiting = None;
        }
        self.budget_wait(&account.id, waiting.as_deref())?;
        // Held by its budget, the queue waits for the period to turn (the
        // loop wakes then, `due`) or a person: not busy by itself.
        Ok(if waiting.is_some() { sent || in_flight > unknown || recovering } else { busy })
    }

    /// How many of the account's `unknown` outcome_unknown jobs still hold
    /// their slot, and when the first hold ends. A hold is measured from the
    /// moment the job became unknown: every transition stamps `updated_at`,
    /// and nothing else writes an outcome_unknown row.
    fn held_unknowns(&self, account_id: &str, unknown: i64, now: i64) -> Result<(i64, Option<i64>), EngineError> {
        if unknown == 0 {
            return Ok((0, None));
        }
        let filter = JobFilter { account_id: Some(account_id.to_string()), states: vec![JobState::OutcomeUnknown], ..Default::default() };
        let (mut held, mut first_end) = (0, None::<i64>);
        for j in self.db.jobs(&filter)? {
            let end = j.updated_at + self.hold_of(&j)?.as_millis() as i64;
            if end > now {
                held += 1;
                first_end = Some(first_end.map_or(end, |e| e.min(end)));
            }
        }
        Ok((held, first_end))
    }

    /// How long the job holds its slot once its outcome is unknown (a
    /// studio lease of a vanished holder is held as long).
    pub(crate) fn hold_of(&self, j: &crate::store::JobRow) -> Result<Duration, EngineError> {
        let min = crate::settings::unknown_hold_min(&self.db);
        let expected = match (self.config.unknown_hold, j.expected_secs) {
            (Some(_), _) => 0.0,
            (None, Some(e)) => e,
            (None, None) => self.expected_secs(j)?,
        };
        Ok(unknown_hold(self.config.unknown_hold, min, expected))
    }

    /// The account's limit now: the price list's, the person's lower one,
    /// and what the service showed us (recovering one step at a time).
    fn limit_for(&self, account: &AccountRow, due: &mut impl FnMut(i64)) -> (i64, bool) {
        let limit = crate::pricing::limit::effective_limit(self.prices.list.concurrency_limit, account.concurrency_limit);
        let mut observed = self.observed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(o) = observed.get_mut(&account.id) {
            let every = self.config.limit_recover;
            if o.since.elapsed() >= every {
                o.limit += 1;
                o.since = Instant::now();
            }
            if o.limit >= limit {
                observed.remove(&account.id);
            } else {
                due(now_ms() + (every.saturating_sub(o.since.elapsed())).as_millis() as i64);
                return (o.limit.max(1), true);
            }
        }
        (limit, false)
    }

    /// The service refused a create for the limit: it accepts no more than
    /// we have running right now (at least 1).
    pub(crate) fn limit_refused(&self, account_id: &str, running: i64) {
        let mut observed = self.observed.lock().unwrap_or_else(|e| e.into_inner());
        let limit = running.max(1);
        let e = observed.entry(account_id.to_string()).or_insert(Observed { limit, since: Instant::now() });
        e.limit = e.limit.min(limit);
        e.since = Instant::now();
    }

    /// A task of the account ended: one more slot is probably free.
    pub(crate) fn slot_freed(&self, account_id: &str) {
        let mut observed = self.observed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(o) = observed.get_mut(account_id) {
            o.limit += 1;
        }
    }

    fn spawn_once<F, Fut>(self: &Arc<Self>, tasks: &mut JoinSet<()>, id: i64, f: F)
    where
        F: FnOnce(Arc<Inner>, i64) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        if !self.active.lock().unwrap_or_else(|e| e.into_inner()).insert(id) {
            return;
        }
        let guard = ActiveGuard { inner: self.clone(), id };
        let fut = f(self.clone(), id);
        tasks.spawn(async move {
            let _guard = guard;
            fut.await;
        });
    }
}

/// How long an outcome_unknown job holds its slot: the fixed override, else
/// three times its expected run time (a task it may have created has ended
/// by then), at least `min`.
fn unknown_hold(fixed: Option<Duration>, min: Duration, expected_secs: f64) -> Duration {
    fixed.unwrap_or_else(|| min.max(Duration::from_secs_f64((3.0 * expected_secs).max(0.0))))
}

fn work_due(slot: &mut Option<i64>, t: i64) {
    *slot = Some(slot.map_or(t, |s| s.min(t)));
}

#[cfg(test)]
mod tests {
    use super::unknown_hold;
    use std::time::Duration;

    #[test]
    fn an_unknown_outcome_holds_three_run_times_at_least_the_minimum() {
        let twenty = Duration::from_secs(1200);
        assert_eq!(unknown_hold(None, twenty, 90.0), twenty, "3 × 90 s is under 20 minutes");
        assert_eq!(unknown_hold(None, twenty, 600.0), Duration::from_secs(1800));
        assert_eq!(unknown_hold(Some(Duration::from_millis(300)), twenty, 600.0), Duration::from_millis(300), "the override wins");
    }
}
