//! Goal 1 (issue 15): makespan, status requests per job, noticing delay and
//! refill time of the real engine against loova-sim, next to the reference
//! (the ideal lower bound, and a client that polls every task once a
//! simulated minute).

mod baseline;
mod engine_client;
mod jobs;
mod report;

use crate::{Goal, Opts, Res};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// 1 simulated second = 50 ms: both clients together finish in about a
/// minute, and timer/scheduling noise (~1 ms) stays far below one
/// simulated second. `LOOVA_BENCH_TIME_SCALE` overrides it.
const DEFAULT_TIME_SCALE: f64 = 0.05;
const JOBS: usize = 60;
const SEED: u64 = 5;
/// Loova runs at most 6 tasks per key; both clients keep to it.
const CAP: usize = 6;
const KEY: &str = "sk-bench-queue-0001";

/// One simulator with a state file: the file keeps task times in
/// milliseconds (the API and `/__sim/state` show whole seconds only).
async fn start_sim(dir: &Path, name: &str, scale: f64) -> Res<(loova_sim::SimHandle, PathBuf)> {
    let state_file = dir.join(format!("{name}-sim.json"));
    let mut c = loova_testkit::sim_config(&[(KEY, 100_000_000)], scale);
    c.seed = Some(SEED);
    c.request_log_limit = 1_000_000; // keep every request: we count them
    c.state_file = Some(state_file.to_string_lossy().into_owned());
    Ok((loova_testkit::start_sim(c).await, state_file))
}

/// Stops the simulator (which writes its state file) and measures.
fn finish(sim: loova_sim::SimHandle, state_file: &Path, out: report::Outcome) -> Res<report::Measured> {
    let log = sim.state().requests;
    sim.shutdown();
    let saved = loova_sim::persist::load(state_file)?.ok_or("the simulator wrote no state file")?;
    Ok(report::measure(out, &saved.tasks, &log))
}

pub async fn run(opts: &Opts) -> Res<Goal> {
    let scale = match std::env::var("LOOVA_BENCH_TIME_SCALE") {
        Ok(s) => s.parse::<f64>()?,
        Err(_) => DEFAULT_TIME_SCALE,
    };
    let n = if opts.smoke { 6 } else { JOBS };
    let dir = loova_testkit::data_dir();
    let mix = jobs::mix(n, SEED);
    let (sim_e, file_e) = start_sim(dir.path(), "engine", scale).await?;
    let (sim_b, file_b) = start_sim(dir.path(), "baseline", scale).await?;

    // Setup (keychain, account check, enqueue) happens before the clock starts.
    let rig = engine_client::Rig::new(&dir.path().join("engine"), &sim_e.base_url(), KEY, &mix, scale).await?;
    let base = baseline::Baseline {
        base_url: sim_b.base_url(),
        key: KEY.to_string(),
        interval: Duration::from_secs_f64(60.0 * scale),
        cap: CAP,
        out_dir: dir.path().join("baseline-videos"),
    };
    eprintln!("running {n} jobs through both clients (time_scale {scale}) …");
    let t0 = Instant::now();
    let (e, b) = tokio::join!(rig.run(Duration::from_secs(600)), base.run(&mix));
    let (e, b) = (e?, b?);
    eprintln!("done in {:.1} s", t0.elapsed().as_secs_f64());

    let engine_counter = rig.status_counter();
    let table =
        report::table(&report::Setup { jobs: &mix, scale, seed: SEED, cap: CAP }, &finish(sim_e, &file_e, e)?, &finish(sim_b, &file_b, b)?, engine_counter);
    Ok(Goal { name: "queue", table, figures: serde_json::Map::new(), detail: serde_json::Value::Null })
}
