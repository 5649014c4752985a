//! How long a task will run, learned from the tasks that finished, so polls
//! land near the finish instead of on a fixed interval.
//!
//! The engine knows a prior per model (`EngineConfig::default_run_secs`:
//! base + per second of video). What it learns is the *ratio* of the actual
//! run time to that prior, in log space, on three nested levels that use
//! disjoint data: the account (its other models), the account × model (its
//! other lengths and reference kinds) and the exact cell (account × model ×
//! duration × video reference). Each level is the prior of the next (a
//! normal–normal update), so a service that runs everything 3 × slower is
//! learned from the first task that finishes, an unseen duration of a known
//! model inherits its model's ratio, and a cell with data refines it.
//! Predictions are distributions (log-normal: a location and a spread that
//! includes what is not yet known), so the poller can aim at quantiles
//! ([`polls`]). The simulator's and Loova's run times are both just data.

pub mod normal;
pub mod polls;
#[cfg(test)]
mod tests;

use normal::{cdf, quantile};

/// Spread of the log ratio before any data: 3 × faster or slower than the
/// prior is about one standard deviation away.
pub const PRIOR_TAU: f64 = 1.0;
/// How far one model's ratio may differ from the account's other models.
pub const MODEL_TAU: f64 = 0.35;
/// How far one cell may differ from its model (the prior is linear in the
/// duration; the service need not be).
pub const CELL_TAU: f64 = 0.15;
/// Spread of one task's run time around its cell (log sd) before data, and
/// how many observations that guess is worth.
pub const SPREAD_PRIOR: f64 = 0.15;
pub const SPREAD_PSEUDO: f64 = 3.0;
/// Newer observations count more: the service's speed drifts with its load.
/// Weight of the i-th newest is DECAY^i (about the last 20 count).
pub const DECAY: f64 = 0.95;

/// What a run time depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunKey {
    pub model: String,
    pub duration: u32,
    pub video_reference: bool,
}

/// One finished task of an account: its key, the prior's expectation when it
/// ran (seconds, as the engine measured them), and the interval its run time
/// is known to lie in: after the last status that said "running", at or
/// before the status that said "done".
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub key: RunKey,
    pub prior_secs: f64,
    pub lo_secs: f64,
    pub hi_secs: f64,
}

impl Observation {
    /// ln(actual / prior), from the (geometric) middle of the interval. A
    /// task never seen running (its first poll found it done) has no useful
    /// lower end: the middle of (0, hi] would halve it, so it counts as a
    /// little under `hi`.
    pub fn log_ratio(&self) -> f64 {
        let hi = self.hi_secs.max(self.lo_secs).max(1e-6);
        let secs = if self.lo_secs >= 0.5 * hi { (self.lo_secs * hi).sqrt() } else { 0.9 * hi };
        (secs / self.prior_secs.max(1e-6)).ln()
    }
}

/// A predicted run time: ln(seconds) ~ N(log_mu, log_sigma²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub log_mu: f64,
    pub log_sigma: f64,
    /// Observations of this exact cell behind it.
    pub cell_observations: usize,
    /// Observations of the account behind it (any model).
    pub account_observations: usize,
}

impl Prediction {
    /// The prior alone: centred on `prior_secs`.
    pub fn prior(prior_secs: f64) -> Prediction {
        predict(prior_secs, &RunKey { model: String::new(), duration: 0, video_reference: false }, &[])
    }

    /// The run time (seconds) below which the task finishes with probability `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        (self.log_mu + self.log_sigma * quantile(p)).exp()
    }

    pub fn median(&self) -> f64 {
        self.log_mu.exp()
    }

    /// Probability that the task has finished within `secs`.
    pub fn cdf(&self, secs: f64) -> f64 {
        if secs <= 0.0 {
            return 0.0;
        }
        cdf((secs.ln() - self.log_mu) / self.log_sigma)
    }

    /// Density at `secs` (per second).
    pub fn pdf(&self, secs: f64) -> f64 {
        if secs <= 0.0 {
            return 0.0;
        }
        let z = (secs.ln() - self.log_mu) / self.log_sigma;
        (-0.5 * z * z).exp() / (secs * self.log_sigma * (2.0 * std::f64::consts::PI).sqrt())
    }
}

/// A normal belief about a log ratio: mean and variance.
#[derive(Debug, Clone, Copy)]
struct Belief {
    mean: f64,
    var: f64,
}

impl Belief {
    /// Updates the belief with weighted observations of spread² `noise`.
    fn update(self, obs: &[(f64, f64)], noise: f64) -> Belief {
        let (sw, swx) = obs.iter().fold((0.0, 0.0), |(sw, swx), (w, x)| (sw + w, swx + w * x));
        let precision = 1.0 / self.var + sw / noise;
        Belief { mean: (self.mean / self.var + swx / noise) / precision, var: 1.0 / precision }
    }

    fn widen(self, tau: f64) -> Belief {
        Belief { mean: self.mean, var: self.var + tau * tau }
    }
}

/// Predicts the run time of a task with `key`, whose prior is `prior_secs`,
/// from the account's `history` (newest first).
pub fn predict(prior_secs: f64, key: &RunKey, history: &[Observation]) -> Prediction {
    let weighted: Vec<(f64, f64, &Observation)> = history.iter().enumerate().map(|(i, o)| (DECAY.powi(i as i32), o.log_ratio(), o)).collect();
    let noise = spread2(history);
    let pick = |f: &dyn Fn(&Observation) -> bool| weighted.iter().filter(|(_, _, o)| f(o)).map(|(w, x, _)| (*w, *x)).collect::<Vec<_>>();
    let same_cell = |o: &Observation| o.key == *key;
    let same_model = |o: &Observation| o.key.model == key.model;
    let account = Belief { mean: 0.0, var: PRIOR_TAU * PRIOR_TAU }.update(&pick(&|o| !same_model(o)), noise);
    let model = account.widen(MODEL_TAU).update(&pick(&|o| same_model(o) && !same_cell(o)), noise);
    let cell_obs = pick(&same_cell);
    let cell = model.widen(CELL_TAU).update(&cell_obs, noise);
    Prediction {
        log_mu: prior_secs.max(1e-6).ln() + cell.mean,
        log_sigma: (noise + cell.var).sqrt(),
        cell_observations: cell_obs.len(),
        account_observations: history.len(),
    }
}

/// The spread² of one task around its cell: the prior guess, pooled with the
/// deviations within each cell that has two or more observations.
fn spread2(history: &[Observation]) -> f64 {
    let mut cells: Vec<(&RunKey, Vec<f64>)> = Vec::new();
    for o in history {
        match cells.iter_mut().find(|(k, _)| **k == o.key) {
            Some((_, xs)) => xs.push(o.log_ratio()),
            None => cells.push((&o.key, vec![o.log_ratio()])),
        }
    }
    let (mut ss, mut dof) = (SPREAD_PSEUDO * SPREAD_PRIOR * SPREAD_PRIOR, SPREAD_PSEUDO);
    for (_, xs) in cells.iter().filter(|(_, xs)| xs.len() >= 2) {
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        ss += xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
        dof += (xs.len() - 1) as f64;
    }
    // Never certain: half-interval rounding and clock noise remain.
    (ss / dof).max(0.02 * 0.02)
}

/// Expected run time (seconds) for ordering and previews: the median.
pub fn expected_secs(prior_secs: f64, key: &RunKey, history: &[Observation]) -> f64 {
    predict(prior_secs, key, history).median()
}
