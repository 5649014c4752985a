//! The three prior cases side by side, and the summary's worst-case figures.

use super::report::{lower_bound, pct, table, Measured, Setup};
use serde_json::{json, Map, Value};
use std::fmt::Write;

pub struct CaseResult {
    pub name: &'static str,
    /// Simulator run time ÷ the engine's prior.
    pub factor: f64,
    pub soonest: Measured,
    pub listed: Measured,
    /// Refill times of both runs (µs).
    pub refill_us: Vec<u64>,
    pub baseline: Option<Measured>,
    /// The engines' own status counters (soonest, listed).
    pub counters: (u64, u64),
}

/// The figures of one run, in simulated seconds.
struct Figures {
    ratio: f64,
    per_job: f64,
    mean: f64,
    p95: f64,
    max: f64,
}

fn figures(m: &Measured, s: &Setup) -> Figures {
    let sim = |real: f64| real / s.scale;
    Figures {
        ratio: m.out.makespan.as_secs_f64() / lower_bound(m, s.cap),
        per_job: m.status_requests as f64 / s.jobs.len() as f64,
        mean: sim(m.delays.iter().sum::<f64>() / m.delays.len().max(1) as f64),
        p95: sim(pct(&m.delays, 95.0)),
        max: sim(pct(&m.delays, 100.0)),
    }
}

pub fn report(s: &Setup, results: &[CaseResult]) -> (String, Map<String, Value>, Value) {
    let mut t = String::new();
    let n = s.jobs.len();
    let _ = writeln!(t, "## Queue benchmark: {n} jobs, at most {} in flight, against loova-sim, three prior cases\n", s.cap);
    let _ = writeln!(
        t,
        "Simulator time_scale {} (1 simulated second = {} ms real); times are simulated seconds. The engine's prior \
         (seedance_2_0 60 s + 6 s per video second, fast 30 s + 3 s) is never adjusted; the simulator runs tasks at \
         that × the factor below, ±20 % uniform. Goals: makespan ≤ 1.03 × the lower bound (finish soonest), ≤ 1.06 × \
         (listed), ≤ 3 status requests per job, noticing delay mean ≤ 1 s, p95 ≤ 3 s, refill ≤ 50 ms.\n",
        s.scale,
        s.scale * 1000.0
    );
    let _ = writeln!(t, "| case | order | downloaded | makespan ÷ lower bound | lower bound | status req./job | delay mean | delay p95 | delay max |");
    let _ = writeln!(t, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let (mut worst, mut detail) = ([0.0f64; 6], Vec::new());
    for r in results {
        for (order, m) in [("soonest", &r.soonest), ("listed", &r.listed)] {
            let f = figures(m, s);
            let _ = writeln!(
                t,
                "| {} (× {:.2}) | {order} | {}/{n} | {:.3} | {:.0} s | {:.2} | {:.1} s | {:.1} s | {:.1} s |",
                r.name,
                r.factor,
                m.out.downloaded,
                f.ratio,
                lower_bound(m, s.cap) / s.scale,
                f.per_job,
                f.mean,
                f.p95,
                f.max
            );
            let i = if order == "soonest" { 0 } else { 1 };
            worst[i] = worst[i].max(f.ratio);
            worst[2] = worst[2].max(f.per_job);
            worst[3] = worst[3].max(f.mean);
            worst[4] = worst[4].max(f.p95);
            detail.push(json!({"case": r.name, "factor": r.factor, "order": order, "makespan_ratio": f.ratio, "status_requests_per_job": f.per_job,
                "delay_mean_s": f.mean, "delay_p95_s": f.p95, "delay_max_s": f.max, "delays_s": m.delays.iter().map(|d| d / s.scale).collect::<Vec<_>>()}));
        }
        let mut refill: Vec<f64> = r.refill_us.iter().map(|u| *u as f64 / 1000.0).collect();
        refill.sort_by(f64::total_cmp);
        worst[5] = worst[5].max(pct(&refill, 95.0));
        detail.push(json!({"case": r.name, "refill_ms_p50": pct(&refill, 50.0), "refill_ms_p95": pct(&refill, 95.0), "refill_ms_max": pct(&refill, 100.0), "refills": refill.len(),
            "engine_status_counters": [r.counters.0, r.counters.1]}));
    }
    let _ = writeln!(t, "\n| case | refills measured | refill p50 | p95 | max (real ms: poll answer → next create leaving) |\n|---|---:|---:|---:|---:|");
    for r in results {
        let mut refill: Vec<f64> = r.refill_us.iter().map(|u| *u as f64 / 1000.0).collect();
        refill.sort_by(f64::total_cmp);
        let _ = writeln!(t, "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms |", r.name, refill.len(), pct(&refill, 50.0), pct(&refill, 95.0), pct(&refill, 100.0));
    }
    let _ = writeln!(
        t,
        "\n**Worst of the three cases:** makespan ÷ bound {:.3} (soonest), {:.3} (listed); {:.2} status requests per job; \
         noticing delay mean {:.1} s, p95 {:.1} s; refill p95 {:.2} ms.\n",
        worst[0], worst[1], worst[2], worst[3], worst[4], worst[5]
    );
    if let Some(b) = results.first().and_then(|r| r.baseline.as_ref().map(|b| (r, b))) {
        let _ = writeln!(t, "### Reference: case \"{}\", listed order, next to the baseline poller\n", b.0.name);
        t.push_str(&table(s, &b.0.listed, b.1, b.0.counters.1));
    }
    let keys = ["makespan_ratio_soonest", "makespan_ratio_listed", "status_requests_per_job", "delay_mean_s", "delay_p95_s", "refill_ms"];
    let figures: Map<String, Value> = keys.iter().zip(worst).map(|(k, v)| (k.to_string(), json!((v * 1000.0).round() / 1000.0))).collect();
    (t, figures, Value::Array(detail))
}
