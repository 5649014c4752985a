//! `queue_filter_ms_100k`: in the real app under Xvfb with 100,000 jobs, a
//! keystroke in the Queue's filter to the rows drawn — the first-paint
//! marker's method. Each keystroke is a real X key event (`xdotool key`,
//! through GTK and WebKit, as a person's); the page asks Rust for the
//! matching rows, draws them, and in the next frame calls `filter_drawn`,
//! which appends CLOCK_MONOTONIC to `LOOVA_DESK_BENCH_FILTER_FILE`. The
//! figure is that time minus the time read just before `xdotool` started,
//! so it includes starting `xdotool` (a few ms): it errs against the app.

use super::launch;
use super::procs::monotonic_ns;
use crate::Res;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub const FILTER_FILE_ENV: &str = "LOOVA_DESK_BENCH_FILTER_FILE";
/// What a person filters by in the benchmark's queue (prompts "shot N: a
/// fox crosses a snowy field at dawn, slow dolly"): a word every job has,
/// a shot number (a few), and a word none has (every row looked at).
const FULL_TEXTS: &[&str] = &["fox", "shot 4217", "zebra", "dolly"];
const SMOKE_TEXTS: &[&str] = &["fox"];
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

fn xdotool(args: &[&str]) -> Res<String> {
    let out = Command::new("xdotool").args(args).output().map_err(|e| format!("xdotool: {e} (scripts/bench installs it)"))?;
    if !out.status.success() {
        return Err(format!("xdotool {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The marker file's lines (CLOCK_MONOTONIC ns, one per drawn answer).
fn marks(file: &Path) -> Vec<u128> {
    std::fs::read_to_string(file).unwrap_or_default().lines().filter_map(|l| l.trim().parse().ok()).collect()
}

/// Waits for the `n`-th marker; its time.
fn wait_for_mark(file: &Path, n: usize, within: Duration) -> Option<u128> {
    let start = Instant::now();
    while start.elapsed() < within {
        if let Some(t) = marks(file).get(n - 1) {
            return Some(*t);
        }
        // Polling a file for a condition: the figure is the app's timestamp.
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

/// One keystroke: ms from just before sending it to the rows drawn.
fn keystroke(key: &str, file: &Path) -> Res<f64> {
    let n = marks(file).len() + 1;
    let t0 = monotonic_ns();
    xdotool(&["key", key])?;
    let drawn = wait_for_mark(file, n, ANSWER_WITHIN).ok_or_else(|| format!("no rows drawn within {ANSWER_WITHIN:?} after the key {key:?}"))?;
    Ok(drawn.saturating_sub(t0) as f64 / 1e6)
}

fn keysym(c: char) -> String {
    match c {
        ' ' => "space".into(),
        c => c.to_string(),
    }
}

/// Starts the app on `data` (100,000 jobs), opens the Queue, and types each
/// text into the filter and erases it, a key at a time.
pub fn measure(bin: &Path, data: &Path, work: &Path, paint_timeout: Duration, settle: Duration, smoke: bool) -> Res<Vec<f64>> {
    let file = work.join("filter.marks");
    let _ = std::fs::remove_file(&file);
    let app = launch::launch_with(bin, Some(data), work, "filter", paint_timeout, &[(FILTER_FILE_ENV, &file)])?;
    let result = type_texts(app.pid, &file, settle, if smoke { SMOKE_TEXTS } else { FULL_TEXTS });
    app.stop()?;
    result
}

/// The app's visible window (xdotool's own --sync would wait forever).
fn find_window(pid: i32) -> Res<String> {
    let start = Instant::now();
    loop {
        // `search` exits 1 while nothing matches.
        let out = Command::new("xdotool").args(["search", "--onlyvisible", "--pid", &pid.to_string()]).output()?;
        if let Some(w) = String::from_utf8_lossy(&out.stdout).lines().next() {
            return Ok(w.to_string());
        }
        if start.elapsed() > Duration::from_secs(30) {
            return Err(format!("no visible window of process {pid} on the display after 30 s").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn type_texts(pid: i32, file: &Path, settle: Duration, texts: &[&str]) -> Res<Vec<f64>> {
    std::thread::sleep(settle);
    let window = find_window(pid)?;
    xdotool(&["windowfocus", &window])?;
    // The Queue (Ctrl+3) loads on first use; Ctrl+F then focuses the
    // filter. Until a typed key draws rows, the screen is not there yet.
    let start = Instant::now();
    loop {
        xdotool(&["key", "ctrl+3", "ctrl+f", "x"])?;
        if wait_for_mark(file, 1, Duration::from_secs(2)).is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            return Err("the Queue's filter never answered a key (Ctrl+3, Ctrl+F, x)".into());
        }
    }
    keystroke("BackSpace", file)?;
    let mut ms = Vec::new();
    for text in texts {
        for c in text.chars() {
            ms.push(keystroke(&keysym(c), file)?);
        }
        for _ in text.chars() {
            ms.push(keystroke("BackSpace", file)?);
        }
    }
    Ok(ms)
}
