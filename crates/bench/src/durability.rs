//! What a durable job-state transition costs (every state change must
//! survive a power loss, not only a crash): the store's own `Db::transition`, on a real SQLite file in a
//! temporary folder, with `synchronous=FULL` (what the app uses: each commit
//! is fsynced) and with WAL's default `NORMAL`. Each job makes the two
//! transitions the engine writes around a create: `queued → submitting`
//! before the request leaves, `submitting → running` with the task id after.

use crate::Res;
use loova_core::store::Col;
use loova_core::store::{Db, Durability, JobState, NewAccount, NewJob, Patch};
use loova_core::JobSpec;
use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

/// Jobs per mode (two transitions each): enough for a stable median, and
/// well under a second of fsyncs on a slow disk.
pub const JOBS: usize = 150;

pub struct Cost {
    pub mode: &'static str,
    pub transitions: usize,
    /// Milliseconds per transition.
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

/// FULL and NORMAL, each in its own database under `dir`.
pub fn measure(dir: &Path, jobs: usize) -> Res<Vec<Cost>> {
    [("FULL", Durability::Full), ("NORMAL", Durability::Normal)].into_iter().map(|(mode, d)| one(&dir.join(mode), mode, d, jobs)).collect()
}

fn one(dir: &Path, mode: &'static str, durability: Durability, jobs: usize) -> Res<Cost> {
    let db = Db::open_in(dir)?;
    db.set_durability(durability)?;
    let account = NewAccount { id: "bench", name: "bench", base_url: "http://127.0.0.1:9/api", key_hint: "…0001", sandbox: false, verified: true };
    db.insert_account(&account)?;
    let spec = JobSpec { prompt: "a fox in the snow".into(), ..JobSpec::default() };
    let new: Vec<NewJob> =
        (0..jobs).map(|_| NewJob { account_id: "bench", name: None, spec: &spec, estimate_credits: Some(75), price_list_date: None }).collect();
    let ids = db.insert_jobs(None, &new, |_, _| Ok::<_, loova_core::store::StoreError>(None))?;
    let mut ms = Vec::with_capacity(2 * jobs);
    for (n, id) in ids.into_iter().enumerate() {
        let t = Instant::now();
        let moved = db.transition(id, &[JobState::Queued], JobState::Submitting, Patch::new().int(Col::SubmittedAt, Some(loova_core::store::now_ms())))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let task = format!("task-{n}");
        let moved = moved && db.transition(id, &[JobState::Submitting], JobState::Running, Patch::new().text(Col::TaskId, Some(&task)))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if !moved {
            return Err(format!("job {id} did not move through submitting to running").into());
        }
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    Ok(Cost { mode, transitions: ms.len(), mean_ms: ms.iter().sum::<f64>() / ms.len() as f64, p50_ms: at(0.5), p95_ms: at(0.95) })
}

/// The markdown table: one row per mode, FULL's cost over NORMAL's last.
pub fn table(costs: &[Cost], dir: &Path) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "## Durable job-state transitions (SQLite WAL, {})\n", dir.display());
    let _ = writeln!(t, "| synchronous | transitions | mean | p50 | p95 |");
    let _ = writeln!(t, "|---|---:|---:|---:|---:|");
    for c in costs {
        let _ = writeln!(t, "| {} | {} | {:.3} ms | {:.3} ms | {:.3} ms |", c.mode, c.transitions, c.mean_ms, c.p50_ms, c.p95_ms);
    }
    if let [full, normal] = costs {
        let _ = writeln!(
            t,
            "\nFULL costs {:.3} ms more per transition (median {:.3} ms vs {:.3} ms): about {:.1} ms per job for its two transitions \
             around the create, against a create request of hundreds of milliseconds and a run of minutes.",
            full.mean_ms - normal.mean_ms,
            full.p50_ms,
            normal.p50_ms,
            2.0 * (full.mean_ms - normal.mean_ms)
        );
    }
    t
}

/// `target/bench/durability.json`: the same figures as numbers.
pub fn json(costs: &[Cost]) -> serde_json::Value {
    let mode = |c: &Cost| serde_json::json!({"transitions": c.transitions, "mean_ms": c.mean_ms, "p50_ms": c.p50_ms, "p95_ms": c.p95_ms});
    let mut out = serde_json::Map::new();
    for c in costs {
        out.insert(format!("synchronous_{}", c.mode.to_ascii_lowercase()), mode(c));
    }
    if let [full, normal] = costs {
        out.insert("full_extra_ms_per_transition".into(), serde_json::json!(full.mean_ms - normal.mean_ms));
    }
    serde_json::Value::Object(out)
}

/// The goal as `loova-bench durability` runs it.
pub fn run(opts: &crate::Opts) -> Res<crate::Goal> {
    let dir = loova_testkit::data_dir();
    let costs = measure(dir.path(), if opts.smoke { 10 } else { JOBS })?;
    Ok(crate::Goal { name: "durability", table: table(&costs, &std::env::temp_dir()), figures: Default::default(), detail: json(&costs) })
}
