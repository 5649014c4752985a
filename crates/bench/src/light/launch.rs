//! Starting an app the way a person does (a fresh process, nothing of it
//! running) and knowing when its first screen is on the display: the app
//! writes CLOCK_MONOTONIC to `LOOVA_DESK_BENCH_READY_FILE` after the frame
//! that painted it (Loova Desk: the Composer's form; the empty app: its page).

use super::procs;
use crate::Res;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const READY_FILE_ENV: &str = "LOOVA_DESK_BENCH_READY_FILE";
const DATA_DIR_ENV: &str = "LOOVA_DESK_DATA_DIR";
/// Quitting stops the engine first (it may wait for a request on its way).
const STOP_WITHIN: Duration = Duration::from_secs(30);

pub struct Running {
    child: Child,
    pub pid: i32,
    /// Spawn to first paint.
    pub start_ms: f64,
    log: PathBuf,
}

/// Starts `binary` (with `data_dir` as its data folder, if given) and waits
/// for its first paint. Its output goes to `<work>/<label>.log`.
pub fn launch(binary: &Path, data_dir: Option<&Path>, work: &Path, label: &str, timeout: Duration) -> Res<Running> {
    launch_with(binary, data_dir, work, label, timeout, &[])
}

/// [`launch`], with more environment variables (the benchmark's other markers).
pub fn launch_with(binary: &Path, data_dir: Option<&Path>, work: &Path, label: &str, timeout: Duration, env: &[(&str, &Path)]) -> Res<Running> {
    let marker = work.join(format!("{label}.ready"));
    let _ = std::fs::remove_file(&marker);
    let log = work.join(format!("{label}.log"));
    let out = std::fs::File::create(&log)?;
    let mut cmd = Command::new(binary);
    cmd.env(READY_FILE_ENV, &marker).stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out);
    if let Some(dir) = data_dir {
        cmd.env(DATA_DIR_ENV, dir);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let spawned_ns = procs::monotonic_ns();
    let child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let pid = child.id() as i32;
    let mut running = Running { child, pid, start_ms: 0.0, log };
    let waited = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&marker) {
            let painted_ns: u128 = text.trim().parse().map_err(|e| format!("{}: not a timestamp ({e})", marker.display()))?;
            running.start_ms = painted_ns.saturating_sub(spawned_ns) as f64 / 1e6;
            return Ok(running);
        }
        if let Some(status) = running.child.try_wait()? {
            return Err(format!("{} exited ({status}) before its first paint; its log: {}", binary.display(), running.log_tail()).into());
        }
        if waited.elapsed() > timeout {
            let tail = running.log_tail();
            running.stop()?;
            return Err(format!("{} showed no first paint within {timeout:?} (is DISPLAY an Xvfb?); its log: {tail}", binary.display()).into());
        }
        // Polling a file for a condition; the figure itself comes from the
        // app's own timestamp, not from this loop's granularity.
        std::thread::sleep(Duration::from_millis(5));
    }
}

impl Running {
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// SIGTERM (Loova Desk quits as from the tray), then waits for the whole
    /// tree; what is left after [`STOP_WITHIN`] is killed.
    pub fn stop(mut self) -> Res<()> {
        let members: Vec<i32> = procs::tree(self.pid).iter().map(|p| p.pid).collect();
        procs::signal(self.pid, libc::SIGTERM);
        let asked = Instant::now();
        while self.child.try_wait()?.is_none() {
            if asked.elapsed() > STOP_WITHIN {
                eprintln!("light: process {} ignored SIGTERM for {STOP_WITHIN:?}; killing it", self.pid);
                procs::signal(self.pid, libc::SIGKILL);
                self.child.wait()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The WebKit processes leave with their parent; give them a moment,
        // so the next launch does not share the machine with them.
        let gone = Instant::now();
        while members.iter().any(|&p| procs::alive(p)) {
            if gone.elapsed() > Duration::from_secs(5) {
                members.iter().filter(|&&p| procs::alive(p)).for_each(|&p| procs::signal(p, libc::SIGKILL));
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}
