//! `loova-bench readme`: the table of figures against goals in
//! docs/PERFORMANCE.md, from the last run's `target/bench/summary.json`, with
//! the date and the machine it ran on. The table sits between two markers in
//! that file; the prose around it (what limits each goal, how it works) is
//! written by a person reading the run, so only the table is replaced.

use crate::Res;
use std::fmt::Write;
use std::path::Path;

/// The generated table lies between these lines of docs/PERFORMANCE.md.
pub const BEGIN: &str = "<!-- loova-bench readme: begin (generated, do not edit by hand) -->";
pub const END: &str = "<!-- loova-bench readme: end -->";

/// Every performance goal: (key, what it is, goal as text, goal met?). A
/// figure without a check is shown for context (its goal is another row's).
type Check = Option<fn(f64) -> bool>;
const KEYS: &[(&str, &str, &str, Check)] = &[
    ("delay_vs_oracle", "Mean noticing delay ÷ the oracle's at the same polls per job (worst of six cases)", "≤ 1.15", Some(|v| v <= 1.15)),
    ("status_requests_per_job", "Status requests per job (worst case)", "≤ 3", Some(|v| v <= 3.0)),
    ("makespan_vs_oracle", "Makespan ÷ the oracle's, order \"finish soonest\" (worst case)", "≤ 1.02", Some(|v| v <= 1.02)),
    ("prior_20x_ratio", "Service 20 × faster than the prior: makespan ÷ lower bound", "≤ 1.25", Some(|v| v <= 1.25)),
    ("makespan_ratio_soonest", "Makespan ÷ lower bound max(Σrun/6, max run), \"finish soonest\" (worst case)", "(context)", None),
    ("makespan_ratio_listed", "Makespan ÷ lower bound, \"as listed\" (worst case)", "(context)", None),
    ("delay_mean_s", "Mean noticing delay, simulated s (worst case)", "(context)", None),
    ("delay_p95_s", "p95 noticing delay, simulated s (worst case)", "(context)", None),
    ("refill_ms", "Freed slot refilled after the terminal status (ms)", "≤ 50", Some(|v| v <= 50.0)),
    ("overview_ms_100k", "Queue overview, 100,000 jobs (ms)", "≤ 10", Some(|v| v <= 10.0)),
    ("reconcile_ms_100k", "Scheduler reconcile, 100,000 jobs (ms)", "≤ 5", Some(|v| v <= 5.0)),
    ("queue_filter_ms_100k", "Queue filter, keystroke to rows drawn in the app, 100,000 jobs, p95 (ms)", "≤ 50", Some(|v| v <= 50.0)),
    ("idle_cpu_percent_100k", "App CPU while idle over a minute, 100,000 jobs (%)", "< 1", Some(|v| v < 1.0)),
    ("idle_pss_ratio", "Idle memory (PSS) ÷ empty Tauri app, 10,000 jobs", "≤ 1.15", Some(|v| v <= 1.15)),
    ("start_ratio", "Cold start to first paint ÷ empty Tauri app (medians of 15, alternated)", "≤ 1.2", Some(|v| v <= 1.2)),
    ("deb_ratio", ".deb size ÷ empty Tauri app's", "≤ 3", Some(|v| v <= 3.0)),
    ("csv_100k_ms", "100,000 CSV rows read, validated and priced (ms)", "≤ 300", Some(|v| v <= 300.0)),
];

pub fn markdown(out_dir: &Path) -> Res<String> {
    let path = out_dir.join("summary.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e} (run the goals first)", path.display()))?;
    let summary: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes)?;
    let mut t = String::new();
    writeln!(t, "Measured {} on {} by `scripts/bench`:\n", today(), machine())?;
    writeln!(t, "| Figure | Measured | Goal | |")?;
    writeln!(t, "|---|---:|---:|---|")?;
    for (key, what, goal, met) in KEYS {
        match summary.get(*key).and_then(|v| v.as_f64()) {
            Some(v) => writeln!(t, "| {what} | {} | {goal} | {} |", shown(v), met.map_or("", |m| if m(v) { "met" } else { "**not met**" }))?,
            None => writeln!(t, "| {what} | not measured | {goal} | |")?,
        }
    }
    Ok(t)
}

/// `doc` with the text between [`BEGIN`] and [`END`] replaced by `table`.
/// Missing or out-of-order markers are an error rather than a guess, so the
/// person's prose is never overwritten.
pub fn splice(doc: &str, table: &str) -> Res<String> {
    let start = doc.find(BEGIN).ok_or_else(|| format!("the line {BEGIN:?} is missing"))? + BEGIN.len();
    let end = doc[start..].find(END).ok_or_else(|| format!("the line {END:?} is missing after the begin marker"))? + start;
    Ok(format!("{}\n{}\n{}", &doc[..start], table.trim_end(), &doc[end..]))
}

fn shown(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// "2 cores (AMD EPYC …), 23.4 GiB memory", from /proc on Linux.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).and_then(|l| l.split(':').nth(1)).map(str::trim);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: Option<f64> = meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:")).and_then(|l| l.split_whitespace().next()?.parse().ok());
    let mut s = format!("{cores} cores");
    if let Some(m) = model {
        s += &format!(" ({m})");
    }
    if let Some(kib) = mem_kib {
        s += &format!(", {:.1} GiB memory", kib / 1024.0 / 1024.0);
    }
    s
}

/// Today's UTC date, YYYY-MM-DD (days to civil date, H. Hinnant's algorithm).
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn date_looks_like_a_date() {
        let d = super::today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"));
    }

    #[test]
    fn splice_replaces_only_the_table_between_the_markers() {
        use super::{splice, BEGIN, END};
        let doc = format!("# Performance\nprose before\n{BEGIN}\nold table\n{END}\nprose after\n");
        let new = splice(&doc, "new table\n").unwrap();
        assert_eq!(new, format!("# Performance\nprose before\n{BEGIN}\nnew table\n{END}\nprose after\n"));
        assert_eq!(splice(&new, "new table").unwrap(), new, "splicing the same table twice changes nothing");
    }

    #[test]
    fn splice_refuses_a_document_without_both_markers() {
        use super::{splice, BEGIN, END};
        assert!(splice("no markers", "t").is_err());
        assert!(splice(&format!("{BEGIN}\nonly the start"), "t").is_err());
        assert!(splice(&format!("{END}\n{BEGIN}\n"), "t").is_err(), "an end before the begin is not a pair");
    }
}
