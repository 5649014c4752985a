//! Queue benchmark (issue 5, "Benchmark"): the real engine and a naive
//! client that polls every task once a (simulated) minute, side by side in
//! one run, each against its own loova-sim on 127.0.0.1 with the same seed
//! and the same 60 jobs. Prints a markdown table and writes it to
//! `target/bench/queue.md`. Run by `scripts/bench` (needs a Secret Service).

mod baseline;
mod durability;
mod engine_client;
mod jobs;
mod report;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

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

#[tokio::main]
async fn main() -> Res<()> {
    let scale = match std::env::var("LOOVA_BENCH_TIME_SCALE") {
        Ok(s) => s.parse::<f64>()?,
        Err(_) => DEFAULT_TIME_SCALE,
    };
    let dir = loova_testkit::data_dir();
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&out_dir)?;

    // Durability first: a few seconds of fsyncs, no simulator or keychain.
    let costs = durability::measure(&dir.path().join("durability"), durability::JOBS)?;
    let fsync = durability::table(&costs, &std::env::temp_dir());
    println!("{fsync}");
    std::fs::write(out_dir.join("durability.md"), &fsync)?;
    std::fs::write(out_dir.join("durability.json"), serde_json::to_string_pretty(&durability::json(&costs))?)?;
    eprintln!("written to target/bench/durability.md and durability.json");

    let mix = jobs::mix(JOBS, SEED);
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
    eprintln!("running {JOBS} jobs through both clients (time_scale {scale}) …");
    let t0 = Instant::now();
    let (e, b) = tokio::join!(rig.run(Duration::from_secs(600)), base.run(&mix));
    let (e, b) = (e?, b?);
    eprintln!("done in {:.1} s", t0.elapsed().as_secs_f64());

    let engine_counter = rig.status_counter();
    let table =
        report::table(&report::Setup { jobs: &mix, scale, seed: SEED, cap: CAP }, &finish(sim_e, &file_e, e)?, &finish(sim_b, &file_b, b)?, engine_counter);
    println!("{table}");
    std::fs::write(out_dir.join("queue.md"), &table)?;
    eprintln!("written to target/bench/queue.md");
    Ok(())
}
