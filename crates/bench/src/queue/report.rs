//! From raw observations to the numbers in the table. Every time is shown
//! in simulated seconds (real time ÷ time_scale), i.e. as it would be
//! against Loova itself.

use super::jobs::{Job, MODELS};
use loova_sim::state::Task;
use loova_sim::LogEntry;
use std::collections::HashMap;
use std::fmt::Write;
use std::time::Duration;

/// What a client reports about its own run.
pub struct Outcome {
    /// From the common start to the last video saved.
    pub makespan: Duration,
    pub downloaded: usize,
    /// (task id, wall-clock ms when the client saw that the task had ended).
    pub noticed: Vec<(String, i64)>,
}

pub struct Measured {
    pub out: Outcome,
    pub tasks: usize,
    /// Simulated seconds.
    pub sum_run: f64,
    pub max_run: f64,
    pub status_requests: usize,
    pub creates: usize,
    /// Simulated seconds from "finished on the service" to "noticed", sorted.
    pub delays: Vec<f64>,
    /// The tasks as the service drew them, for the oracle.
    pub drawn: Vec<super::oracle::Drawn>,
}

pub struct Setup<'a> {
    pub jobs: &'a [Job],
    pub scale: f64,
    pub seed: u64,
    pub cap: usize,
}

/// Measures one client from its simulator's tasks (millisecond times from
/// the state file) and request log: the same yardstick for both clients.
pub fn measure(out: Outcome, tasks: &[Task], log: &[LogEntry], drawn: Vec<super::oracle::Drawn>) -> Measured {
    let ms = |x: i64| x as f64 / 1000.0; // ms → real seconds; scaled in `table`
    let finished: HashMap<&str, i64> = tasks.iter().filter_map(|t| Some((t.id.as_str(), t.finished_at?))).collect();
    let mut delays: Vec<f64> = out.noticed.iter().filter_map(|(id, at)| Some(ms(at - finished.get(id.as_str())?))).collect();
    delays.sort_by(f64::total_cmp);
    let count = |method: &str, path: &str| log.iter().filter(|r| r.method == method && r.path.starts_with(path)).count();
    Measured {
        tasks: tasks.len(),
        sum_run: tasks.iter().map(|t| ms(t.run_ms)).sum(),
        max_run: tasks.iter().map(|t| ms(t.run_ms)).fold(0.0, f64::max),
        status_requests: count("GET", "/api/v1/tasks"),
        creates: count("POST", "/api/v1/video/seedance-2"),
        delays,
        drawn,
        out,
    }
}

/// Nearest-rank percentile of sorted values.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// The ideal lower bound on the makespan with `cap` slots, from the run
/// times the service actually drew. No schedule beats either term: the
/// total work spread perfectly over `cap` slots (Σrun / cap), or the
/// longest single task (max run). It assumes a client that notices every
/// end instantly and refills the slot at once; no real client can do better.
pub fn lower_bound(m: &Measured, cap: usize) -> f64 {
    (m.sum_run / cap as f64).max(m.max_run)
}

pub fn table(s: &Setup, engine: &Measured, base: &Measured, engine_counter: u64) -> String {
    let sim = |real: f64| real / s.scale;
    let n = s.jobs.len();
    let interval = 60.0;
    let mut t = String::new();
    let per_model: Vec<String> = MODELS.iter().map(|m| format!("{} × {m}", s.jobs.iter().filter(|j| j.model == *m).count())).collect();
    let _ = writeln!(t, "## Queue benchmark: {n} jobs, at most {} in flight, against loova-sim\n", s.cap);
    let _ = writeln!(
        t,
        "Jobs: {} (durations 4–15 s, seed {}). Simulator time_scale {}: **1 simulated second = {} ms real**; \
         all times below are simulated seconds, i.e. what they would be against Loova.\n",
        per_model.join(", "),
        s.seed,
        s.scale,
        s.scale * 1000.0
    );
    let _ = writeln!(t, "| | engine (loova-core) | baseline: polls each task every {interval:.0} s |");
    let _ = writeln!(t, "|---|---:|---:|");
    let mut row = |name: &str, f: &dyn Fn(&Measured) -> String| {
        let _ = writeln!(t, "| {name} | {} | {} |", f(engine), f(base));
    };
    row("jobs downloaded", &|m| format!("{}/{n}", m.out.downloaded));
    row("tasks created on the service", &|m| format!("{} (create requests: {})", m.tasks, m.creates));
    row("makespan (start → last video saved)", &|m| format!("{:.0} s", sim(m.out.makespan.as_secs_f64())));
    row("ideal lower bound max(Σrun/6, max run)", &|m| {
        format!("{:.0} s (Σrun/6 = {:.0}, max = {:.0})", sim(lower_bound(m, s.cap)), sim(m.sum_run / s.cap as f64), sim(m.max_run))
    });
    row("makespan ÷ lower bound", &|m| format!("{:.2}", m.out.makespan.as_secs_f64() / lower_bound(m, s.cap)));
    row("status requests (GET /v1/tasks)", &|m| m.status_requests.to_string());
    row("**status requests per job**", &|m| format!("**{:.2}**", m.status_requests as f64 / n as f64));
    row("**noticing delay, mean**", &|m| format!("**{:.1} s**", sim(m.delays.iter().sum::<f64>() / m.delays.len().max(1) as f64)));
    row("noticing delay p50 / p95 / max", &|m| {
        format!("{:.1} / {:.1} / {:.1} s", sim(pct(&m.delays, 50.0)), sim(pct(&m.delays, 95.0)), sim(pct(&m.delays, 100.0)))
    });
    let _ = writeln!(
        t,
        "\nStatus requests are counted in each simulator's request log, the same way for both clients \
         (the engine's own counter says {engine_counter}). Noticing delay: from the moment a task finished \
         on the service (simulator, ms precision) to the moment the client's status request saw it; \
         downloads (kept: both clients save every video) start after that and are not included. \
         Run times: this case's (see above), ±20 %."
    );
    t
}
