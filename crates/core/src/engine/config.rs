//! The engine's timings and counters.

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

/// Timings of the engine. Everything scales with `time_scale` so tests and the
/// Sandbox (whose simulated jobs run faster than real ones) poll as
/// proportionately as the real app polls Loova.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub time_scale: f64,
    /// Expected run time before there is history: base + per second of
    /// video, per model (real-service seconds, before scaling).
    pub default_run_secs: Vec<(String, f64, f64)>,
    /// Never poll one task more often than this, nor less often than `max_poll`.
    pub min_poll: Duration,
    pub max_poll: Duration,
    /// The longest wait between planned status requests of one task. The
    /// plan (around the learned quantiles) decides; this only bounds it.
    /// Not `max_poll`: a once-a-minute floor spent 3 extra polls on every
    /// job that runs 3 × longer than the prior expected.
    pub longest_poll_gap: Duration,
    /// Expected status requests to spend per job (`runtime_model::polls`)
    /// once its run time is known. While it is not (a new account, a model
    /// not seen yet), one job per account and model, the scout, gets up to
    /// `polls_scout` more, so the first finish is bracketed closely and
    /// teaches the others; the others get as few as `polls_waiting`: they
    /// plan again the moment the scout finishes.
    pub polls_per_job: f64,
    pub polls_scout: f64,
    pub polls_waiting: f64,
    /// Backoff of transient failures: base × 2^n, capped, ±25 % jitter.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Wait before re-sending a create refused by the concurrency limit.
    pub limit_retry: Duration,
    /// After a limit refusal the observed limit goes up by one this often.
    pub limit_recover: Duration,
    /// A running task answered "not found" this many times in a row → failed.
    pub not_found_polls: u32,
    /// At most one notice per kind per window.
    pub notice_window: Duration,
    /// How often to look for changes made by other processes.
    pub cross_process_check: Duration,
    /// Progress of a download is written/sent at most this often.
    pub progress_every: Duration,
    pub max_downloads: usize,
    /// A download that receives nothing for this long is stopped and
    /// retried (a server that holds the connection open without sending).
    pub download_stall: Duration,
    /// A download must average at least this many bytes per second after
    /// `download_grace`, so its deadline grows with its size: a server that
    /// drips bytes cannot hold a download slot forever. Low enough for a
    /// slow connection: 16 KiB/s fetches 100 MB in under two hours.
    pub download_min_rate: u64,
    pub download_grace: Duration,
    /// Overrides the `output_dir` setting.
    pub output_dir: Option<PathBuf>,
    /// At start, copy folders no job needs are removed once at least this
    /// old (a younger one may belong to a job another process is queueing).
    pub media_sweep_grace: Duration,
    /// How long an outcome_unknown job holds its slot, replacing the rule
    /// (3 × expected run time, at least the `unknown_hold_min_secs`
    /// setting). From `LOOVA_DESK_UNKNOWN_HOLD_SECS`, for tests and scripts.
    pub unknown_hold: Option<Duration>,
    /// How long a task may run before its job stops polling and waits for
    /// the person, replacing the `task_deadline_hours` setting (× the time
    /// scale). For tests, whose tasks "never finish" within seconds.
    pub task_deadline: Option<Duration>,
    /// Where budget days and months begin (the machine's zone; tests
    /// inject a fixed offset).
    pub zone: crate::spending::Zone,
}

/// Overrides the unknown-outcome hold (seconds; fractions allowed).
pub const UNKNOWN_HOLD_ENV: &str = "LOOVA_DESK_UNKNOWN_HOLD_SECS";

fn unknown_hold_from_env() -> Option<Duration> {
    let secs: f64 = std::env::var(UNKNOWN_HOLD_ENV).ok()?.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

impl EngineConfig {
    /// Timings for a service whose jobs take `time_scale` × real time.
    pub fn scaled(time_scale: f64) -> EngineConfig {
        let s = |secs: f64| Duration::from_secs_f64((secs * time_scale).max(0.0));
        EngineConfig {
            time_scale,
            default_run_secs: vec![("seedance_2_0".into(), 60.0, 6.0), ("seedance_2_0_fast".into(), 30.0, 3.0)],
            min_poll: s(1.0).max(Duration::from_millis(10)),
            max_poll: s(60.0).max(Duration::from_millis(50)),
            longest_poll_gap: s(600.0).max(Duration::from_millis(50)),
            polls_per_job: 2.0,
            polls_scout: 8.0,
            polls_waiting: 1.0,
            retry_base: s(1.0).max(Duration::from_millis(10)),
            retry_cap: s(120.0).max(Duration::from_millis(100)),
            limit_retry: s(5.0).max(Duration::from_millis(20)),
            limit_recover: s(120.0).max(Duration::from_millis(200)),
            not_found_polls: 5,
            notice_window: Duration::from_secs(5).min(s(5.0).max(Duration::from_millis(200))),
            cross_process_check: Duration::from_millis(300),
            progress_every: Duration::from_millis(250),
            max_downloads: 3,
            // Real network time: not scaled with the service's speed.
            download_stall: Duration::from_secs(60),
            download_min_rate: 16 * 1024,
            download_grace: Duration::from_secs(120),
            output_dir: None,
            media_sweep_grace: Duration::from_secs(3600),
            unknown_hold: unknown_hold_from_env(),
            task_deadline: None,
            zone: crate::spending::Zone::Local,
        }
    }

    /// Expected run time (seconds, scaled) of a job without history.
    pub fn default_expected_secs(&self, model: &str, duration: u32) -> f64 {
        let (base, per) = self.default_run_secs.iter().find(|(m, _, _)| m == model).map(|(_, b, p)| (*b, *p)).unwrap_or((60.0, 6.0));
        (base + per * duration as f64) * self.time_scale
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig::scaled(1.0)
    }
}

/// Counters for the benchmark and diagnostics.
#[derive(Debug, Default)]
pub struct EngineStats {
    pub creates: AtomicU64,
    pub status_requests: AtomicU64,
    pub downloads: AtomicU64,
    /// Refill times (µs): from the poll answer that freed a slot queued jobs
    /// waited for to the next create request leaving for that account.
    pub refill_us: std::sync::Mutex<Vec<u64>>,
}

/// The limit the service showed us (slots used elsewhere), per account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observed {
    pub limit: i64,
    pub since: Instant,
}
