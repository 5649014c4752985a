//! The oracle: the best a client could do knowing what the engine cannot —
//! each task's true run-time distribution (the simulator's mean for its
//! model and length, ±20 % uniform) — with the same number of status
//! requests per job as the engine spent. It is played on the engine's own
//! tasks (the run times the simulator drew for them), so the two face the
//! same luck: each task is polled on the oracle's plan (`polls::schedule`
//! of the true distribution), noticed at the first planned poll after its
//! end, and its slot refilled at that moment, 6 slots, the jobs in the
//! run's order. What it leaves (the noticing delay, and the makespan) is the
//! limit that perfect knowledge allows at that poll budget.

use loova_core::runtime_model::polls::{schedule, Uniform};
use loova_sim::state::Task;
use std::collections::HashMap;

/// A task of the run: its true distribution and what the service drew.
pub struct Drawn {
    pub truth: Uniform,
    /// Run time (real seconds), from start to finish on the service.
    pub run: f64,
}

/// The oracle's result on the same tasks (real seconds).
pub struct OracleRun {
    pub polls_per_job: f64,
    pub delay_mean: f64,
    pub makespan: f64,
}

/// The tasks of a run in creation order, each with its true distribution:
/// `mean_secs(model, duration)` in real seconds.
pub fn drawn(tasks: &[Task], jitter: f64, mean_secs: impl Fn(&str, u32) -> f64) -> Vec<Drawn> {
    let mut tasks: Vec<&Task> = tasks.iter().collect();
    tasks.sort_by_key(|t| t.seq);
    tasks
        .iter()
        .map(|t| Drawn { truth: Uniform::around(mean_secs(t.request.model.as_str(), t.request.duration), jitter), run: t.run_ms as f64 / 1000.0 })
        .collect()
}

/// The poll after which a task that ran `run` is noticed, and how many polls
/// that took. Past the plan (a task at the very end of its window) one more
/// poll at the window's end finds it.
fn noticed(plan: &[f64], truth: &Uniform, run: f64) -> (f64, usize) {
    match plan.iter().position(|t| *t >= run) {
        Some(i) => (plan[i], i + 1),
        None => (truth.hi.max(run), plan.len() + 1),
    }
}

/// Plays the oracle at `target` expected polls per job.
fn play(tasks: &[Drawn], cap: usize, target: f64) -> OracleRun {
    let mut plans: HashMap<(u64, u64), Vec<f64>> = HashMap::new();
    let mut slots = vec![0.0f64; cap];
    let (mut polls, mut delay, mut makespan) = (0usize, 0.0, 0.0f64);
    for d in tasks {
        let plan = plans.entry((d.truth.lo.to_bits(), d.truth.hi.to_bits())).or_insert_with(|| schedule(&d.truth, target));
        let (at, n) = noticed(plan, &d.truth, d.run);
        polls += n;
        delay += at - d.run;
        // The free slot that frees first takes the next job.
        let slot = slots.iter_mut().min_by(|a, b| a.total_cmp(b)).expect("cap > 0");
        *slot += at;
        makespan = makespan.max(*slot);
    }
    let n = tasks.len().max(1) as f64;
    OracleRun { polls_per_job: polls as f64 / n, delay_mean: delay / n, makespan }
}

/// The oracle spending at most `polls_per_job` status requests per job (as
/// many as the engine did): the largest poll target that stays within it.
pub fn oracle(tasks: &[Drawn], cap: usize, polls_per_job: f64) -> OracleRun {
    let (mut lo, mut hi) = (1.0, 3.0 * polls_per_job.max(1.0) + 3.0);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if play(tasks, cap, mid).polls_per_job > polls_per_job {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    play(tasks, cap, lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loova_core::runtime_model::polls::RunTimeDistribution;

    fn tasks(n: usize) -> Vec<Drawn> {
        (0..n)
            .map(|i| {
                let truth = Uniform::around(100.0, 0.2);
                Drawn { truth, run: truth.quantile((i as f64 * 0.618_033_988_7).fract()) }
            })
            .collect()
    }

    #[test]
    fn more_polls_less_delay_and_never_more_polls_than_allowed() {
        let t = tasks(60);
        let (three, six) = (oracle(&t, 6, 3.0), oracle(&t, 6, 6.0));
        assert!(three.polls_per_job <= 3.0 && three.polls_per_job > 2.7, "{}", three.polls_per_job);
        assert!(six.delay_mean < 0.6 * three.delay_mean, "{} {}", six.delay_mean, three.delay_mean);
        // About 3.5–4 % of the run at 3 polls (docs/PERFORMANCE.md).
        assert!((2.5..5.0).contains(&three.delay_mean), "{}", three.delay_mean);
        // 60 jobs of ~100 s on 6 slots: about 1,000 s plus the delays.
        assert!(three.makespan > 1_000.0 * 0.9 && three.makespan < 1_150.0, "{}", three.makespan);
    }
}
