//! `scripts/bench`: every performance goal measured against its reference in
//! one run. Each goal is a subcommand that prints its table and writes
//! `target/bench/<goal>.md` and `<goal>.json`; every run also merges the
//! goal's figures into `target/bench/summary.json` (the keys `readme` turns
//! into the table of docs/PERFORMANCE.md). `--smoke` runs each goal on a toy
//! size, in seconds, so the code cannot rot (scripts/test runs it); its
//! figures mean nothing.
//!
//! Usage: loova-bench [--smoke] [all|durability|queue|bigqueue|csv|light|readme|policy|filter] …

mod bigqueue;
mod csv;
mod durability;
/// Linux only: it reads each process's memory and CPU time from /proc, its
/// clock with clock_gettime, and compares the two apps' .deb packages. On
/// other systems the goal says so and the others run.
#[cfg(target_os = "linux")]
mod light;
mod queue;
mod readme;

use std::path::{Path, PathBuf};

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Options every goal sees.
pub struct Opts {
    pub smoke: bool,
    /// `target/bench` (or `target/bench/smoke`).
    pub out_dir: PathBuf,
}

/// One goal's result: a markdown table for people, the summary keys
/// (numbers), and anything else worth keeping in `<goal>.json`.
pub struct Goal {
    pub name: &'static str,
    pub table: String,
    pub figures: serde_json::Map<String, serde_json::Value>,
    pub detail: serde_json::Value,
}

#[cfg(target_os = "linux")]
const GOALS: &[&str] = &["durability", "queue", "bigqueue", "csv", "light"];
#[cfg(not(target_os = "linux"))]
const GOALS: &[&str] = &["durability", "queue", "bigqueue", "csv"];

async fn run_goal(name: &str, opts: &Opts) -> Res<Goal> {
    match name {
        "durability" => durability::run(opts),
        "queue" => queue::run(opts).await,
        "bigqueue" => bigqueue::run(opts).await,
        "csv" => csv::run(opts),
        #[cfg(target_os = "linux")]
        "light" => light::run(opts),
        #[cfg(not(target_os = "linux"))]
        "light" => Err("the light goal runs on Linux only: it reads memory and CPU time from /proc and compares .deb packages".into()),
        other => Err(format!("unknown goal {other:?}; the goals are: {}", GOALS.join(", ")).into()),
    }
}

/// Writes the goal's files and merges its figures into summary.json.
fn record(goal: &Goal, out_dir: &Path) -> Res<()> {
    println!("{}", goal.table);
    std::fs::write(out_dir.join(format!("{}.md", goal.name)), &goal.table)?;
    let json = serde_json::json!({ "summary": goal.figures, "detail": goal.detail });
    std::fs::write(out_dir.join(format!("{}.json", goal.name)), serde_json::to_string_pretty(&json)?)?;
    let summary_path = out_dir.join("summary.json");
    let mut summary: serde_json::Map<String, serde_json::Value> = match std::fs::read(&summary_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(_) => serde_json::Map::new(),
    };
    summary.extend(goal.figures.clone());
    std::fs::write(&summary_path, serde_json::to_string_pretty(&summary)?)?;
    eprintln!("written to {}/{}.md and summary.json", out_dir.display(), goal.name);
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let mut names: Vec<&str> = args.iter().filter(|a| !a.starts_with("--")).map(String::as_str).collect();
    if names.is_empty() || names.contains(&"all") {
        names = GOALS.to_vec();
    }
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let out_dir = if smoke { base.join("smoke") } else { base };
    std::fs::create_dir_all(&out_dir)?;
    let opts = Opts { smoke, out_dir };
    // Not a goal: the table of docs/PERFORMANCE.md from the last run's
    // summary.json. A smoke run's figures mean nothing and a test run must
    // not change tracked files, so --smoke writes the table under target/ only.
    // Not a goal either: the polling policy played in simulated time, for
    // trying an idea in seconds (its figures model the engine; `queue`
    // measures it).
    if names == ["policy"] {
        println!("{}", queue::policy_report(20));
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    if names == ["filter"] {
        println!("{}", light::filter_report(&opts)?);
        return Ok(());
    }
    if names == ["readme"] {
        let table = readme::markdown(&opts.out_dir)?;
        std::fs::write(opts.out_dir.join("PERFORMANCE.md"), &table)?;
        println!("{table}");
        if !smoke {
            let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PERFORMANCE.md");
            let doc = std::fs::read_to_string(&doc_path).map_err(|e| format!("{}: {e}", doc_path.display()))?;
            let spliced = readme::splice(&doc, &table).map_err(|e| format!("{}: {e}", doc_path.display()))?;
            std::fs::write(&doc_path, spliced)?;
            eprintln!("written to {}", doc_path.display());
        }
        return Ok(());
    }
    for name in names {
        eprintln!("== {name}{} ==", if smoke { " (smoke)" } else { "" });
        let goal = run_goal(name, &opts).await?;
        record(&goal, &opts.out_dir)?;
    }
    Ok(())
}
