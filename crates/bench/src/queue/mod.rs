//! Goal 1 (docs/PERFORMANCE.md): makespan, status requests per job, noticing delay and
//! refill time of the real engine against loova-sim, next to the reference
//! (the ideal lower bound, and a client that polls every task once a
//! simulated minute).
//!
//! The engine is never told the simulator's speed: each case sets the
//! simulator's run times (base + per video second, ±20 %) to exactly what
//! the engine's built-in prior expects, 3 × faster, and 3 × slower, while
//! the engine keeps `EngineConfig::scaled(time_scale)` (the same clock
//! dilation for both, nothing about speed). Each case runs the batch in the
//! listed order and in "finish soonest" order, side by side on two
//! simulators; the summary keeps the worst case of each figure.

mod baseline;
mod cases;
mod engine_client;
mod jobs;
pub mod oracle;
mod policy;
mod report;

use crate::{Goal, Opts, Res};
use loova_core::batch::order::{expected_run_secs, order_indices, QueueOrder};
use loova_core::engine::EngineConfig;
use loova_core::JobSpec;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// 1 simulated second = 50 ms: a case takes about a minute (three for the
/// slow one), and timer/scheduling noise (~1 ms) stays far below one
/// simulated second. `LOOVA_BENCH_TIME_SCALE` overrides it.
const DEFAULT_TIME_SCALE: f64 = 0.05;
const JOBS: usize = 60;
const SEED: u64 = 5;
/// Loova runs at most 6 tasks per key; both clients keep to it.
const CAP: usize = 6;
const KEY: &str = "sk-bench-queue-0001";
/// The simulator's spread around each mean run time (uniform).
const JITTER: f64 = 0.2;

/// The simulator's run times relative to the engine's prior.
pub const CASES: [(&str, f64); 3] = [("as the prior expects", 1.0), ("3 × faster than the prior", 1.0 / 3.0), ("3 × slower than the prior", 3.0)];

/// One simulator with a state file: the file keeps task times in
/// milliseconds (the API and `/__sim/state` show whole seconds only). Its
/// run times are the engine's prior (`EngineConfig::default_run_secs`)
/// times `factor`.
async fn start_sim(dir: &Path, name: &str, scale: f64, factor: f64) -> Res<(loova_sim::SimHandle, PathBuf)> {
    let state_file = dir.join(format!("{name}-sim.json"));
    let mut c = loova_testkit::sim_config(&[(KEY, 100_000_000)], scale);
    c.seed = Some(SEED);
    c.request_log_limit = 1_000_000; // keep every request: we count them
    c.state_file = Some(state_file.to_string_lossy().into_owned());
    for (model, base, per) in EngineConfig::default().default_run_secs {
        let run = loova_sim::RunTime { base_secs: base * factor, per_video_second_secs: per * factor, jitter: JITTER };
        match model.as_str() {
            "seedance_2_0" => c.timings.seedance_2_0 = run,
            "seedance_2_0_fast" => c.timings.seedance_2_0_fast = run,
            _ => {}
        }
    }
    Ok((loova_testkit::start_sim(c).await, state_file))
}

/// The simulator's mean run time (real seconds) of a job: the engine's
/// prior × the case's factor, scaled.
fn true_mean(model: &str, duration: u32, factor: f64, scale: f64) -> f64 {
    let prior = EngineConfig::default().default_run_secs.iter().find(|(m, _, _)| m == model).map_or(0.0, |(_, base, per)| base + per * duration as f64);
    prior * factor * scale
}

/// Stops the simulator (which writes its state file) and measures; the
/// oracle is played on the same tasks.
fn finish(sim: loova_sim::SimHandle, state_file: &Path, out: report::Outcome, factor: f64, scale: f64) -> Res<report::Measured> {
    let log = sim.state().requests;
    sim.shutdown();
    let saved = loova_sim::persist::load(state_file)?.ok_or("the simulator wrote no state file")?;
    let drawn = oracle::drawn(&saved.tasks, JITTER, |model, duration| true_mean(model, duration, factor, scale));
    Ok(report::measure(out, &saved.tasks, &log, drawn))
}

/// The mix in "finish soonest" order, as `loova enqueue --order soonest`
/// would queue it on a fresh account (the prior's expectations).
fn soonest(mix: &[jobs::Job]) -> Vec<jobs::Job> {
    let config = EngineConfig::default();
    let secs: Vec<f64> =
        mix.iter().map(|j| expected_run_secs(&config, &[], &JobSpec { model: j.model.into(), duration: j.duration, ..JobSpec::default() })).collect();
    order_indices(&secs, QueueOrder::Soonest).into_iter().map(|i| mix[i].clone()).collect()
}

/// One case: both orders through the engine (and, for the first case, the
/// baseline), concurrently, each on its own simulator.
async fn run_case(dir: &Path, n: usize, scale: f64, case: usize, with_baseline: bool) -> Res<cases::CaseResult> {
    let (name, factor) = CASES[case];
    let dir = dir.join(format!("case{case}"));
    std::fs::create_dir_all(&dir)?;
    let listed = jobs::mix(n, SEED);
    let sooner = soonest(&listed);
    let (sim_s, file_s) = start_sim(&dir, "soonest", scale, factor).await?;
    let (sim_l, file_l) = start_sim(&dir, "listed", scale, factor).await?;
    let rig_s = engine_client::Rig::new(&dir.join("soonest"), &sim_s.base_url(), KEY, &sooner, scale).await?;
    let rig_l = engine_client::Rig::new(&dir.join("listed"), &sim_l.base_url(), KEY, &listed, scale).await?;
    let base_sim = if with_baseline { Some(start_sim(&dir, "baseline", scale, factor).await?) } else { None };
    let base = base_sim.as_ref().map(|(sim, _)| baseline::Baseline {
        base_url: sim.base_url(),
        key: KEY.to_string(),
        interval: Duration::from_secs_f64(60.0 * scale),
        cap: CAP,
        out_dir: dir.join("baseline-videos"),
    });
    eprintln!("case {name}: {n} jobs, both orders{} (time_scale {scale}) …", if with_baseline { " and the baseline" } else { "" });
    let t0 = Instant::now();
    let limit = Duration::from_secs_f64(600.0 * factor.max(1.0));
    let base_run = async {
        match &base {
            Some(b) => Some(b.run(&listed).await),
            None => None,
        }
    };
    let (s, l, b) = tokio::join!(rig_s.run(limit), rig_l.run(limit), base_run);
    eprintln!("done in {:.1} s", t0.elapsed().as_secs_f64());
    let baseline = match (b, base_sim) {
        (Some(b), Some((sim, file))) => Some(finish(sim, &file, b?, factor, scale)?),
        _ => None,
    };
    Ok(cases::CaseResult {
        name,
        factor,
        soonest: finish(sim_s, &file_s, s?, factor, scale)?,
        listed: finish(sim_l, &file_l, l?, factor, scale)?,
        refill_us: [rig_s.refill_us(), rig_l.refill_us()].concat(),
        baseline,
        counters: (rig_s.status_counter(), rig_l.status_counter()),
    })
}

/// The wrong prior: a service 20 × faster than the engine expects, 36 jobs
/// on 6 slots, listed order. The run times are short (about 4 simulated
/// seconds), so this case runs 4 × slower than the others (1 simulated
/// second = 4 × the time scale) and timer noise stays small beside them.
const FAST_FACTOR: f64 = 1.0 / 20.0;
const FAST_JOBS: usize = 36;

async fn run_fast_case(dir: &Path, n: usize, scale: f64) -> Res<report::Measured> {
    let dir = dir.join("prior20x");
    std::fs::create_dir_all(&dir)?;
    let listed = jobs::mix(n, SEED);
    let (sim, file) = start_sim(&dir, "listed", scale, FAST_FACTOR).await?;
    let rig = engine_client::Rig::new(&dir.join("listed"), &sim.base_url(), KEY, &listed, scale).await?;
    eprintln!("case 20 × faster than the prior: {n} jobs, listed (time_scale {scale}) …");
    let out = rig.run(Duration::from_secs(600)).await?;
    finish(sim, &file, out, FAST_FACTOR, scale)
}

pub async fn run(opts: &Opts) -> Res<Goal> {
    let scale = match std::env::var("LOOVA_BENCH_TIME_SCALE") {
        Ok(s) => s.parse::<f64>()?,
        Err(_) => DEFAULT_TIME_SCALE,
    };
    let n = if opts.smoke { 6 } else { JOBS };
    let dir = loova_testkit::data_dir();
    let mix = jobs::mix(n, SEED);
    let mut results = Vec::new();
    for case in 0..CASES.len() {
        results.push(run_case(dir.path(), n, scale, case, case == 0).await?);
    }
    let setup = report::Setup { jobs: &mix, scale, seed: SEED, cap: CAP };
    let (mut table, mut figures, detail) = cases::report(&setup, &results);
    let fast_scale = 4.0 * scale;
    let fast = run_fast_case(dir.path(), if opts.smoke { 6 } else { FAST_JOBS }, fast_scale).await?;
    let fast_setup = report::Setup { jobs: &jobs::mix(fast.tasks, SEED), scale: fast_scale, seed: SEED, cap: CAP };
    let (fast_table, ratio) = cases::fast_report(&fast_setup, &fast);
    table.push_str(&fast_table);
    figures.insert("prior_20x_ratio".into(), serde_json::json!((ratio * 1000.0).round() / 1000.0));
    Ok(Goal { name: "queue", table, figures, detail })
}

/// `loova-bench policy`: the polling policy in simulated time (see [`policy`]).
pub fn policy_report(seeds: u64) -> String {
    let listed = jobs::mix(JOBS, SEED);
    policy::report(&listed, &soonest(&listed), &jobs::mix(FAST_JOBS, SEED), seeds)
}
