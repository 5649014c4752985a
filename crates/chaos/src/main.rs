//! `loova-chaos` (run by `scripts/chaos`): N jobs through `loova run` against
//! the real loova-sim with every fault kind of every endpoint at once, the
//! engine SIGKILLed K times at random moments, the simulator stopped once
//! for a while and started again on the same port from its state file, and a
//! scripted person deciding every unknown outcome. Then checked against the
//! simulator's ledger (see `checks`). Prints one line of figures; exits 1
//! with the violations when a check fails.
//!
//! Unix only: the campaign stops the engine and the simulator gracefully with
//! SIGTERM (a create in flight finishes, the simulator saves its state file),
//! which Windows has no equivalent of for a console program. On Windows the
//! binary only says so; the engine's crash safety is the same code there, and
//! the Wine run in scripts/cross SIGKILLs `loova.exe` part way.

#[cfg(unix)]
mod checks;
#[cfg(unix)]
mod jobs;
#[cfg(unix)]
mod loova;
#[cfg(unix)]
mod person;
#[cfg(unix)]
mod run;
#[cfg(unix)]
mod sim;

use std::process::ExitCode;

/// Command line: `--jobs N --kills K --seed S --variant documented|script|late2026
/// --outage-secs SECS --show-faults`.
#[cfg(unix)]
pub struct Args {
    pub jobs: usize,
    pub kills: usize,
    pub seed: u64,
    pub script_variant: bool,
    /// What late-2026 sources say a service may do (JSON and multipart read
    /// camelCase only, `aspect_ratio` refused, `expired` for failed tasks,
    /// `"message": "success"`, decimal charges, the limit as HTTP 400
    /// "parallel task limit reached").
    pub late_variant: bool,
    pub outage_secs: f64,
    /// Also list the injected faults per endpoint and kind (stderr).
    pub show_faults: bool,
}

#[cfg(unix)]
fn parse_args() -> Result<Args, String> {
    let mut a = Args { jobs: 30, kills: 8, seed: 1, script_variant: false, late_variant: false, outage_secs: 20.0, show_faults: false };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--jobs" => a.jobs = value()?.parse().map_err(|_| "--jobs must be a whole number")?,
            "--kills" => a.kills = value()?.parse().map_err(|_| "--kills must be a whole number")?,
            "--seed" => a.seed = value()?.parse().map_err(|_| "--seed must be a whole number")?,
            "--outage-secs" => a.outage_secs = value()?.parse().map_err(|_| "--outage-secs must be a number")?,
            "--variant" => {
                (a.script_variant, a.late_variant) = match value()?.as_str() {
                    "documented" => (false, false),
                    "script" => (true, false),
                    "late2026" => (false, true),
                    other => return Err(format!("--variant must be documented, script or late2026, got {other:?}")),
                }
            }
            "--show-faults" => a.show_faults = true,
            "-h" | "--help" => {
                return Err(
                    "usage: loova-chaos [--jobs N] [--kills K] [--seed S] [--variant documented|script|late2026] [--outage-secs SECS] [--show-faults]".into()
                )
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    if a.jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    Ok(a)
}

#[cfg(unix)]
fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
    match rt.block_on(run::campaign(&args)) {
        Ok(report) if report.violations.is_empty() => {
            println!("{}", report.line);
            ExitCode::SUCCESS
        }
        Ok(report) => {
            println!("{}", report.line);
            eprintln!("chaos: {} check(s) failed (files kept in {}):", report.violations.len(), report.work_dir.display());
            for v in &report.violations {
                eprintln!("  - {v}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("chaos: the campaign could not run: {e:#}");
            ExitCode::from(1)
        }
    }
}

#[cfg(not(unix))]
fn main() -> ExitCode {
    eprintln!(
        "loova-chaos runs on Linux and macOS only: it stops `loova run` and loova-sim with SIGTERM, which Windows has no equivalent of (see scripts/chaos)"
    );
    ExitCode::from(2)
}
