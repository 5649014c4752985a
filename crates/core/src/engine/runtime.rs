//! The engine's side of the run-time model (`crate::runtime_model`): a
//! prediction per job from the account's history, an observation per task
//! that succeeds, the poll target per job, and the refill timing.

use super::{EngineError, Inner};
use crate::runtime_model::{self, polls, Observation, Prediction, RunKey};
use crate::store::{now_ms, JobRow};
use crate::JobSpec;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::watch;

/// Observations read per prediction (the model weighs about the last 20).
const HISTORY: usize = 200;

pub(crate) struct Learner {
    /// Bumped at every observation: sleeping polls plan again with it.
    pub learned: watch::Sender<u64>,
    /// Per account: when a poll answer freed a slot that queued jobs wait for.
    freed: Mutex<HashMap<String, Instant>>,
}

impl Default for Learner {
    fn default() -> Self {
        Learner { learned: watch::channel(0).0, freed: Mutex::default() }
    }
}

pub fn run_key(spec: &JobSpec) -> RunKey {
    RunKey { model: spec.model.clone(), duration: spec.duration, video_reference: spec.has_video_reference() }
}

impl Inner {
    /// The built-in expectation (seconds, scaled), never adjusted by
    /// history: what is learned is the ratio to it. The Sandbox's simulator
    /// runs jobs faster than Loova by a factor the app itself sets.
    pub(crate) fn prior_secs(&self, job: &JobRow) -> Result<f64, EngineError> {
        let default = self.config.default_expected_secs(&job.spec.model, job.spec.duration);
        let sandbox = self.db.account(&job.account_id)?.is_some_and(|a| a.sandbox);
        Ok(if sandbox { default * self.accounts.sandbox_time_scale() } else { default })
    }

    pub(crate) fn predict(&self, job: &JobRow) -> Result<Prediction, EngineError> {
        let prior = self.prior_secs(job)?;
        let history = self.db.run_time_history(&job.account_id, HISTORY)?;
        Ok(runtime_model::predict(prior, &run_key(&job.spec), &history))
    }

    /// A task succeeded: its run time lies in (`lo_ms`, `hi_ms`] after its
    /// start. Recorded, and every sleeping poll plans again.
    pub(crate) fn learn(&self, job: &JobRow, lo_ms: i64, hi_ms: i64) -> Result<(), EngineError> {
        let o = Observation { key: run_key(&job.spec), prior_secs: self.prior_secs(job)?, lo_secs: lo_ms as f64 / 1000.0, hi_secs: hi_ms as f64 / 1000.0 };
        self.db.record_run_time(&job.account_id, &o)?;
        self.runtime.learned.send_modify(|v| *v += 1);
        Ok(())
    }

    /// When to poll next (seconds since the start), the task having been
    /// seen running `seen` seconds after it (see [`next_poll`]).
    pub(crate) fn plan_poll(&self, job: &JobRow, seen: f64) -> Result<f64, EngineError> {
        let pred = self.predict(job)?;
        let running = self.db.running_of_model(&job.account_id, &job.spec.model)?;
        let cohort = Cohort { rank: running.iter().position(|id| *id == job.id).unwrap_or(0), of: running.len() };
        Ok(next_poll(&self.config, &pred, cohort, seen))
    }

    /// A poll answer ended a task at `at`: if jobs wait, the next create
    /// for the account measures the refill time.
    pub(crate) fn slot_freed_at(&self, account_id: &str, at: Instant) {
        if self.db.next_queued(account_id, now_ms(), 1).is_ok_and(|q| !q.is_empty()) {
            self.runtime.freed.lock().unwrap_or_else(|e| e.into_inner()).insert(account_id.to_string(), at);
        }
    }

    /// A create request is about to leave for the account.
    pub(crate) fn create_leaving(&self, account_id: &str) {
        let freed = self.runtime.freed.lock().unwrap_or_else(|e| e.into_inner()).remove(account_id);
        if let Some(at) = freed {
            self.stats.refill_us.lock().unwrap_or_else(|e| e.into_inner()).push(at.elapsed().as_micros() as u64);
        }
    }
}

/// While a model's run time is unknown to within about this spread (log
/// sd: nothing of it has finished yet), its scout also probes below its
/// plan, where the prior thinks a finish unlikely but a much faster
/// service would put it.
pub const PROBE_SPREAD: f64 = 0.5;
/// The probes: from this fraction of the expected run time, each this
/// factor later, until the plan's first poll. A service 20 × faster than
/// expected is found by the third probe.
pub const PROBE_FIRST: f64 = 1.0 / 25.0;
pub const PROBE_STEP: f64 = 1.6;

/// Where a running job stands among its account's running jobs of the same
/// model, in the order they started: `rank` of `of` (rank 0: the scout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cohort {
    pub rank: usize,
    pub of: usize,
}

/// When to poll a running task next (seconds since it started), it having
/// been seen running `seen` seconds after the start (0: not yet polled).
pub fn next_poll(config: &super::EngineConfig, pred: &Prediction, cohort: Cohort, seen: f64) -> f64 {
    let target = poll_target(config, pred, cohort.rank == 0);
    let planned = polls::next_after(pred, target, seen);
    if cohort.rank > 0 || pred.log_sigma < PROBE_SPREAD {
        return planned;
    }
    let first = PROBE_FIRST * pred.median();
    let steps = if seen < first { 0.0 } else { ((seen / first).ln() / PROBE_STEP.ln()).floor() + 1.0 };
    let probe = first * PROBE_STEP.powf(steps);
    let plan_starts = polls::schedule(pred, target).first().copied().unwrap_or(planned);
    if probe < plan_starts {
        probe.min(planned)
    } else {
        planned
    }
}

/// Expected polls to spend on a job (see `runtime_model::polls`): the
/// configured number once its run time is known (a spread under about 0.25
/// in log space), more for the scout and fewer for the others while it is not.
pub fn poll_target(config: &super::EngineConfig, pred: &Prediction, scout: bool) -> f64 {
    let uncertain = ((pred.log_sigma - 0.25) / 0.75).clamp(0.0, 1.0);
    let learning = if scout { config.polls_per_job + config.polls_scout } else { config.polls_waiting };
    config.polls_per_job + (learning - config.polls_per_job) * uncertain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineConfig;

    #[test]
    fn while_nothing_is_known_the_scout_probes_low_and_the_others_wait() {
        let config = EngineConfig::default();
        let pred = Prediction::prior(100.0);
        let scout = Cohort { rank: 0, of: 6 };
        let other = Cohort { rank: 1, of: 6 };
        // A service 20 × faster (5 s here) is found by the third probe.
        let probes: Vec<f64> =
            std::iter::successors(Some(next_poll(&config, &pred, scout, 0.0)), |t| Some(next_poll(&config, &pred, scout, *t))).take(3).collect();
        assert!((probes[0] - 4.0).abs() < 1e-9, "{probes:?}");
        assert!(probes[2] > 5.0 && probes[2] < 12.0, "{probes:?}");
        // The others spend few polls: their first comes well after the scout's.
        assert!(next_poll(&config, &pred, other, 0.0) > 5.0 * probes[0]);
    }

    #[test]
    fn once_known_every_job_gets_the_same_budget() {
        let config = EngineConfig::default();
        let known = Prediction { log_mu: 100f64.ln(), log_sigma: 0.12, cell_observations: 20, account_observations: 20 };
        assert_eq!(poll_target(&config, &known, true), config.polls_per_job);
        assert_eq!(poll_target(&config, &known, false), config.polls_per_job);
        assert_eq!(next_poll(&config, &known, Cohort { rank: 0, of: 6 }, 0.0), next_poll(&config, &known, Cohort { rank: 3, of: 6 }, 0.0));
    }
}
