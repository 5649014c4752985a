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
    /// seen running `seen` seconds after it. A slot that queued jobs wait
    /// for is worth more polls than one nothing waits for (then only the
    /// last finish matters); an uncertain prediction gets more, as its
    /// first finishes teach every other job.
    pub(crate) fn plan_poll(&self, job: &JobRow, seen: f64) -> Result<f64, EngineError> {
        let pred = self.predict(job)?;
        let awaited = !self.db.next_queued(&job.account_id, now_ms(), 1)?.is_empty();
        Ok(polls::next_after(&pred, poll_target(&self.config, &pred, awaited), seen))
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

/// Expected polls to spend on a job (see `runtime_model::polls`).
pub fn poll_target(config: &super::EngineConfig, pred: &Prediction, awaited: bool) -> f64 {
    let base = if awaited { config.polls_awaited } else { config.polls_unawaited };
    let uncertain = ((pred.log_sigma - 0.25) / 0.75).clamp(0.0, 1.0);
    base + config.polls_learning * uncertain
}
