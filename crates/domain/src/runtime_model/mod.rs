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
/// Observations bracketed more closely than this (log sd) measure the spread.
pub const PRECISE_SD: f64 = 0.05;
/// How many cells' worth of evidence that guess is (see `cell_tau2`).
pub const CELL_PSEUDO: f64 = 2.0;
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
    /// Known only by its upper end: first seen done (see [`points`]).
    pub fn is_upper_bound_only(&self) -> bool {
        self.lo_secs < 0.5 * self.hi_secs.max(self.lo_secs)
    }

    /// How unsure a bracketed observation is of the run time (variance of
    /// its log): the run lies somewhere in (lo, hi], about uniformly.
    pub fn bracket_var(&self) -> f64 {
        let hi = self.hi_secs.max(self.lo_secs).max(1e-6);
        (hi / self.lo_secs.max(1e-9 * hi).min(hi)).ln().powi(2) / 12.0
    }

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

/// An observation as the model uses it: its log ratio to the prior, how
/// unsure that is (variance), and its age (0: the newest).
struct Point<'a> {
    key: &'a RunKey,
    x: f64,
    var: f64,
    age: usize,
}

impl Point<'_> {
    fn is_precise(&self) -> bool {
        self.var < PRECISE_SD * PRECISE_SD
    }
}

/// The history as points. A task first seen done ran no longer than `hi`,
/// and the first poll of a well-planned task comes at a low quantile, so
/// those tasks are the ones that ran short: taking each at a fixed share of
/// `hi` would drag the model long (their share of every batch would grow).
/// Each is taken instead at its expected value below `hi` under what the
/// bracketed tasks say (a normal truncated at `hi`, in log space), with
/// that truncated normal's variance.
fn points(history: &[Observation]) -> Vec<Point<'_>> {
    let bracketed: Vec<Point> = history
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.is_upper_bound_only())
        .map(|(age, o)| Point { key: &o.key, x: o.log_ratio(), var: o.bracket_var(), age })
        .collect();
    let mut below: Vec<(&RunKey, Prediction)> = Vec::new();
    let mut out = Vec::with_capacity(history.len());
    for (age, o) in history.iter().enumerate() {
        if !o.is_upper_bound_only() {
            out.push(Point { key: &o.key, x: o.log_ratio(), var: o.bracket_var(), age });
            continue;
        }
        let pre = match below.iter().find(|(k, _)| **k == o.key) {
            Some((_, p)) => *p,
            None => {
                let p = predict_points(1.0, &o.key, &bracketed);
                below.push((&o.key, p));
                p
            }
        };
        let (mu, sd) = (pre.log_mu, pre.log_sigma);
        let h = (o.hi_secs.max(1e-6) / o.prior_secs.max(1e-6)).ln();
        let alpha = (h - mu) / sd;
        let lambda = normal::pdf(alpha) / cdf(alpha).max(1e-12);
        let x = (mu - sd * lambda).min(h);
        let var = (sd * sd * (1.0 - alpha * lambda - lambda * lambda)).max(PRECISE_SD * PRECISE_SD);
        out.push(Point { key: &o.key, x, var, age });
    }
    out
}

/// Predicts the run time of a task with `key`, whose prior is `prior_secs`,
/// from the account's `history` (newest first).
pub fn predict(prior_secs: f64, key: &RunKey, history: &[Observation]) -> Prediction {
    predict_points(prior_secs, key, &points(history))
}

fn predict_points(prior_secs: f64, key: &RunKey, points: &[Point]) -> Prediction {
    let noise = spread2(points);
    // Each observation counts as much as it is sure: its run time's own
    // spread over that plus its bracket's.
    let weighted: Vec<(f64, f64, &Point)> = points.iter().map(|p| (DECAY.powi(p.age as i32) * noise / (noise + p.var), p.x, p)).collect();
    let pick = |f: &dyn Fn(&Point) -> bool| weighted.iter().filter(|(_, _, p)| f(p)).map(|(w, x, _)| (*w, *x)).collect::<Vec<_>>();
    let same_cell = |p: &Point| p.key == key;
    let same_model = |p: &Point| p.key.model == key.model;
    let account = Belief { mean: 0.0, var: PRIOR_TAU * PRIOR_TAU }.update(&pick(&|p| !same_model(p)), noise);
    let model = account.widen(MODEL_TAU).update(&pick(&|p| same_model(p) && !same_cell(p)), noise);
    let cell_obs = pick(&same_cell);
    let cell = model.widen(cell_tau2(points, &key.model, noise).sqrt()).update(&cell_obs, noise);
    Prediction {
        log_mu: prior_secs.max(1e-6).ln() + cell.mean,
        log_sigma: (noise + cell.var).sqrt(),
        cell_observations: cell_obs.len(),
        account_observations: points.len(),
    }
}

/// How far one cell of `model` may differ from the model (τ², in log
/// space), learned: CELL_TAU is a guess worth [`CELL_PSEUDO`] cells, pooled
/// with how far each cell's mean actually lies from the model's, less what
/// its own noise explains (method of moments). A service whose run time is
/// the prior's shape times one ratio soon has τ near 0, so every length of
/// the model informs every other, as the oracle's knowledge would.
fn cell_tau2(points: &[Point], model: &str, noise: f64) -> f64 {
    let mut cells: Vec<(&RunKey, f64, f64)> = Vec::new();
    for p in points.iter().filter(|p| p.key.model == model && p.is_precise()) {
        match cells.iter_mut().find(|(k, _, _)| *k == p.key) {
            Some((_, sum, n)) => {
                *sum += p.x;
                *n += 1.0;
            }
            None => cells.push((p.key, p.x, 1.0)),
        }
    }
    let (total, count) = cells.iter().fold((0.0, 0.0), |(s, c), (_, sum, n)| (s + sum, c + n));
    if cells.len() < 2 {
        return CELL_TAU * CELL_TAU;
    }
    let mean = total / count;
    let excess: f64 = cells.iter().map(|(_, sum, n)| (sum / n - mean).powi(2) - noise / n).sum();
    ((CELL_PSEUDO * CELL_TAU * CELL_TAU + excess) / (CELL_PSEUDO + cells.len() as f64)).max(1e-4)
}

/// The spread² of one task around its cell: the prior guess, pooled with the
/// deviations within each cell that has two or more precise observations.
fn spread2(points: &[Point]) -> f64 {
    let mut cells: Vec<(&RunKey, Vec<f64>)> = Vec::new();
    for p in points.iter().filter(|p| p.is_precise()) {
        match cells.iter_mut().find(|(k, _)| *k == p.key) {
            Some((_, xs)) => xs.push(p.x),
            None => cells.push((p.key, vec![p.x])),
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
