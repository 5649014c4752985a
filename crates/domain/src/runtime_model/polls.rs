//! Where to place the status polls of one task, from its predicted run time.
//!
//! A poll at t costs one request if the task is still running then, and a
//! task that finishes at T is noticed at the first poll after T. With a poll
//! density λ(t), the expected noticing delay is about ∫ f/(2λ) dt and the
//! expected number of polls ∫ λ·S dt (f the density, S the survival). The
//! Lagrange optimum of delay for a given poll count is λ ∝ √(f/S) = √hazard:
//! sparse while the task is unlikely to end, dense where it probably ends
//! (and densest late in the window, where every poll is likely to be the
//! last one). [`schedule`] places points at equal steps of ∫√hazard and picks
//! the step that spends the target expected number of polls.

use super::Prediction;

/// A run-time distribution to place polls for: the engine's [`Prediction`];
/// the tests also give the simulator's true (uniform) spread, to measure how
/// far the engine's plan is from the best possible one.
pub trait RunTimeDistribution {
    /// Probability that the task has finished within `secs`.
    fn cdf(&self, secs: f64) -> f64;
    /// Density at `secs` (per second).
    fn pdf(&self, secs: f64) -> f64;
    /// The run time below which the task finishes with probability `p`.
    fn quantile(&self, p: f64) -> f64;
}

impl RunTimeDistribution for Prediction {
    fn cdf(&self, secs: f64) -> f64 {
        Prediction::cdf(self, secs)
    }
    fn pdf(&self, secs: f64) -> f64 {
        Prediction::pdf(self, secs)
    }
    fn quantile(&self, p: f64) -> f64 {
        Prediction::quantile(self, p)
    }
}

/// A run time spread uniformly within ±`jitter` of its mean: the
/// simulator's true distribution, which the benchmark's oracle and the tests
/// know and the engine does not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform {
    pub lo: f64,
    pub hi: f64,
}

impl Uniform {
    pub fn around(mean: f64, jitter: f64) -> Uniform {
        Uniform { lo: mean * (1.0 - jitter), hi: mean * (1.0 + jitter) }
    }
}

impl RunTimeDistribution for Uniform {
    fn cdf(&self, secs: f64) -> f64 {
        ((secs - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }
    fn pdf(&self, secs: f64) -> f64 {
        if (self.lo..=self.hi).contains(&secs) {
            1.0 / (self.hi - self.lo)
        } else {
            0.0
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        self.lo + p.clamp(0.0, 1.0) * (self.hi - self.lo)
    }
}

/// The schedule covers the distribution up to this quantile; a task still
/// running after it is "overdue" (see [`next_after`]).
const COVER: f64 = 0.999;
const STEPS: usize = 400;

/// The cumulative ∫√hazard over [lo, hi] on a fine grid of run times.
struct Profile {
    t: Vec<f64>,
    lambda: Vec<f64>,
}

fn profile(pred: &impl RunTimeDistribution) -> Profile {
    let (lo, hi) = (pred.quantile(1e-4), pred.quantile(COVER));
    let dt = (hi - lo) / STEPS as f64;
    let (mut t, mut lambda) = (Vec::with_capacity(STEPS + 1), Vec::with_capacity(STEPS + 1));
    let mut acc = 0.0;
    let hazard = |x: f64| (pred.pdf(x) / (1.0 - pred.cdf(x)).max(1e-9)).max(0.0).sqrt();
    let mut prev = hazard(lo);
    for i in 0..=STEPS {
        let x = lo + dt * i as f64;
        let h = hazard(x);
        if i > 0 {
            acc += 0.5 * (prev + h) * dt;
        }
        prev = h;
        t.push(x);
        lambda.push(acc);
    }
    Profile { t, lambda }
}

/// Poll times (seconds since the task started) at steps of `delta` in ∫√hazard.
fn points(p: &Profile, delta: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut level = delta;
    let mut i = 1;
    while i < p.t.len() {
        if p.lambda[i] >= level {
            let (l0, l1) = (p.lambda[i - 1], p.lambda[i]);
            let f = if l1 > l0 { (level - l0) / (l1 - l0) } else { 1.0 };
            out.push(p.t[i - 1] + f * (p.t[i] - p.t[i - 1]));
            level += delta;
        } else {
            i += 1;
        }
    }
    // The last point closes the covered window.
    if out.last().is_none_or(|l| *l < p.t[p.t.len() - 1] - 1e-9) {
        out.push(p.t[p.t.len() - 1]);
    }
    out
}

/// Expected number of polls of a task following `points`: poll j is sent
/// when the task was still running at poll j − 1.
pub fn expected_polls(pred: &impl RunTimeDistribution, points: &[f64]) -> f64 {
    let mut prev = 0.0;
    points.iter().map(|&t| std::mem::replace(&mut prev, t)).map(|before| 1.0 - pred.cdf(before)).sum()
}

/// Expected noticing delay (seconds) of `points`, for the mass they cover.
pub fn expected_delay(pred: &impl RunTimeDistribution, points: &[f64]) -> f64 {
    let mut prev = 0.0;
    let mut total = 0.0;
    for &t in points {
        // ∫ (t − x) f(x) dx over (prev, t], by the midpoint rule on 16 cells.
        let n = 16;
        let w = (t - prev) / n as f64;
        for k in 0..n {
            let x = prev + w * (k as f64 + 0.5);
            total += (t - x) * pred.pdf(x) * w;
        }
        prev = t;
    }
    total
}

/// The poll times (seconds since start) that spend `target` expected polls
/// with the least expected delay.
pub fn schedule(pred: &impl RunTimeDistribution, target: f64) -> Vec<f64> {
    let p = profile(pred);
    let total = p.lambda[p.lambda.len() - 1].max(1e-9);
    let (mut lo, mut hi) = (total / 400.0, total);
    for _ in 0..40 {
        let mid = (lo * hi).sqrt();
        if expected_polls(pred, &points(&p, mid)) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    points(&p, hi)
}

/// When to poll next (seconds since start), the task having been seen
/// running at `seen` seconds. After the covered window the gaps grow with the
/// overdue time (a task may run for hours), never below the last gap.
pub fn next_after(pred: &impl RunTimeDistribution, target: f64, seen: f64) -> f64 {
    let plan = schedule(pred, target);
    if let Some(t) = plan.iter().copied().find(|t| *t > seen + 1e-9) {
        return t;
    }
    let median = pred.quantile(0.5);
    let end = plan.last().copied().unwrap_or(median);
    let last_gap = match plan.len() {
        n if n >= 2 => plan[n - 1] - plan[n - 2],
        _ => 0.05 * median,
    };
    seen + last_gap.max(0.25 * (seen - end)).max(1e-3)
}
