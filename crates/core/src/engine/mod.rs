//! The job queue engine: submits queued jobs within each account's limit,
//! follows them to the end, saves their videos, and survives being killed at
//! any moment. See `docs/ARCHITECTURE.md` (job states) and `docs/loova-api.md`
//! ("What the client must do").
//!
//! Shape: one `run` loop reconciles SQLite with what is running in this
//! process (a submit, poll or download task per job) and sleeps until
//! something changes: a task ends (a freed slot is refilled at once), `wake()`
//! is called, another process commits (`PRAGMA data_version`, checked every
//! 300 ms), or a backoff expires. All durable state is in SQLite; the
//! in-memory state (observed limits, cached clients) is advisory.

mod actions;
mod attach;
mod budget;
mod client_cache;
mod config;
mod disk;
mod download;
mod download_limits;
mod edit;
mod errors;
mod events;
mod idle;
mod lock;
mod observed;
mod overdue;
mod overflow;
mod poll;
mod runtime;
mod scheduler;
mod studio;
mod submit;
mod view;

pub use actions::{cancel, forget, mark_failed, move_job, perform, resubmit_unknown, retry, JobAction, Performed};
pub use attach::{attach, AttachError};
pub use config::{EngineConfig, EngineStats, UNKNOWN_HOLD_ENV};
pub use download::{output_root, sanitize_file_stem, OUTPUT_DIR_ENV, OUTPUT_DIR_SETTING};
pub use edit::{edit, place};
pub use errors::EngineError;
pub use events::{EngineEvent, Notice, NoticeKind};
pub use idle::idle_reasons;
pub use lock::{status_when_not_running, EngineLock, LOCK_FILE};
pub use overdue::overdue_text;
pub use runtime::{next_poll, poll_target, run_key, Cohort};
pub use view::{enqueue, job, list_jobs, title_of, JobView};

pub(crate) use client_cache::{AccountClient, ClientCache};
pub(crate) use config::Observed;

use crate::accounts::Accounts;
use crate::pricing::LoadedPriceList;
use crate::store::{now_ms, Db, JobState, Patch};
use crate::ErrorCode;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch, Notify, Semaphore};
use tokio::task::JoinSet;

pub(crate) struct Inner {
    pub db: Arc<Db>,
    pub accounts: Accounts,
    pub prices: LoadedPriceList,
    pub config: EngineConfig,
    pub events: broadcast::Sender<EngineEvent>,
    pub wake: Notify,
    pub notices: events::Notices,
    /// Jobs that have a task in this process.
    pub active: Mutex<HashSet<i64>>,
    pub observed: Mutex<HashMap<String, Observed>>,
    pub clients: ClientCache,
    pub balance_read: Mutex<HashMap<String, Instant>>,
    pub stop: watch::Sender<bool>,
    pub downloads: Semaphore,
    /// Video downloads, by the kind of network of the account's service.
    pub download_clients: download_limits::DownloadClients,
    pub stats: EngineStats,
    /// Held while a download picks and records its file name (`download`).
    pub naming: std::sync::Mutex<()>,
    pub studios: studio::Studios,
    pub runtime: runtime::Learner,
}

/// The queue engine. Cheap to clone. Hold an [`EngineLock`] while it runs.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    pub fn new(db: Arc<Db>, accounts: Accounts, prices: LoadedPriceList, config: EngineConfig) -> Engine {
        let (events, _) = broadcast::channel(1024);
        let (stop, _) = watch::channel(false);
        let download_clients = download_limits::DownloadClients::new(config.download_stall);
        Engine {
            inner: Arc::new(Inner {
                db,
                accounts,
                prices,
                notices: events::Notices::new(config.notice_window),
                downloads: Semaphore::new(config.max_downloads.max(1)),
                config,
                events,
                wake: Notify::new(),
                active: Mutex::new(HashSet::new()),
                observed: Mutex::new(HashMap::new()),
                clients: ClientCache::default(),
                balance_read: Mutex::new(HashMap::new()),
                stop,
                download_clients,
                stats: EngineStats::default(),
                naming: std::sync::Mutex::new(()),
                studios: studio::Studios::default(),
                runtime: runtime::Learner::default(),
            }),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    /// Look at the queue now (after an in-process enqueue or person action).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    pub fn stats(&self) -> &EngineStats {
        &self.inner.stats
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.inner.db
    }

    /// Runs the queue until `shutdown` completes or, with `until_idle`, until
    /// nothing is left that can progress without a person (queued jobs of
    /// paused accounts and unknown outcomes wait for one).
    pub async fn run(&self, until_idle: bool, shutdown: impl Future<Output = ()>) -> Result<(), EngineError> {
        let inner = &self.inner;
        let _ = inner.stop.send(false);
        inner.recover()?;
        // Studio heartbeats run beside the loop and end with it, however
        // it ends (dropped included: a killed engine just falls silent).
        let _heartbeats = AbortOnDrop(tokio::spawn(inner.clone().studio_heartbeats()));
        tokio::pin!(shutdown);
        let mut tasks: JoinSet<()> = JoinSet::new();
        let mut version = inner.db.data_version()?;
        let mut had_work = false;
        let mut last_reconcile = Instant::now();
        let mut dirty = true;
        let mut next_due: Option<i64> = None;
        loop {
            if dirty || next_due.is_some_and(|d| d <= now_ms()) || last_reconcile.elapsed() > Duration::from_secs(5) {
                dirty = false;
                last_reconcile = Instant::now();
                let work = inner.reconcile(&mut tasks).await?;
                next_due = work.next_due;
                if work.busy {
                    had_work = true;
                } else if tasks.is_empty() {
                    if had_work {
                        had_work = false;
                        inner.queue_finished()?;
                    }
                    if until_idle {
                        break;
                    }
                }
            }
            inner.notices.flush(&inner.events, false);
            let mut wait = inner.config.cross_process_check;
            if let Some(d) = next_due {
                wait = wait.min(Duration::from_millis((d - now_ms()).max(0) as u64));
            }
            tokio::select! {
                _ = inner.wake.notified() => dirty = true,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => dirty = true,
                _ = tokio::time::sleep(wait) => {
                    let v = inner.db.data_version()?;
                    if v != version {
                        version = v;
                        dirty = true;
                    }
                }
                _ = &mut shutdown => break,
            }
        }
        // Polls and downloads stop at their next pause; a create in flight is
        // allowed to finish so its answer is recorded.
        let _ = inner.stop.send(true);
        while tasks.join_next().await.is_some() {}
        inner.notices.flush(&inner.events, true);
        Ok(())
    }
}

impl Inner {
    /// After a crash or restart: a create that was on its way may or may not
    /// have reached Loova. Running jobs resume polling and half-written
    /// downloads restart by themselves (see `reconcile` and `download`).
    fn recover(&self) -> Result<(), EngineError> {
        for j in self.db.jobs(&crate::store::JobFilter { states: vec![JobState::Submitting], ..Default::default() })? {
            let patch = Patch::new().error(
                ErrorCode::StoppedWhileSending,
                "Loova Desk stopped while sending this job; it may or may not have been created (and charged). Look for it on Loova's dashboard, then choose \"I found it on Loova\" with its task id (`loova attach JOB TASK_ID`), \"It is not on Loova — send it\", or \"Forget\".",
                None,
            );
            if self.db.transition(j.id, &[JobState::Submitting], JobState::OutcomeUnknown, patch)? {
                self.job_changed(j.id);
            }
        }
        // Copies are needed until a job is downloaded or canceled (a failed
        // one keeps them for a retry).
        let needed = |id: i64| self.db.job(id).ok().flatten().is_some_and(|j| !matches!(j.state, JobState::Downloaded | JobState::Canceled));
        crate::media::sweep(&self.db.data_dir(), self.config.media_sweep_grace, needed);
        Ok(())
    }

    pub fn job_changed(&self, id: i64) {
        if let Ok(Some(row)) = self.db.job(id) {
            let _ = self.events.send(EngineEvent::JobChanged(Box::new(JobView::from_row(row))));
        }
    }

    pub fn account_changed(&self, account_id: &str) {
        let _ = self.events.send(EngineEvent::AccountChanged { account_id: account_id.to_string() });
    }

    pub fn notice(&self, kind: NoticeKind, title: impl Into<String>, body: impl Into<String>) {
        self.notices.push(Notice { kind, title: title.into(), body: body.into(), job_id: None });
    }

    /// A notice about one job: clicking it opens the Queue on that job.
    pub fn job_notice(&self, job_id: i64, kind: NoticeKind, title: impl Into<String>, body: impl Into<String>) {
        self.notices.push(Notice { kind, title: title.into(), body: body.into(), job_id: Some(job_id) });
    }

    fn queue_finished(&self) -> Result<(), EngineError> {
        let counts = self.db.count_by_state(None)?;
        let count = |s: JobState| counts.get(s);
        let (done, failed, unknown) = (count(JobState::Downloaded), count(JobState::Failed) + count(JobState::Expired), count(JobState::OutcomeUnknown));
        let mut body = format!("{done} downloaded");
        if failed > 0 {
            body.push_str(&format!(", {failed} failed"));
        }
        if unknown > 0 {
            body.push_str(&format!(", {unknown} need a decision"));
        }
        self.notice(NoticeKind::QueueFinished, "The queue is done", body);
        Ok(())
    }

    /// Reads the balance in the background, at most every few seconds per
    /// account, so the UI's balances follow the charges.
    pub fn refresh_balance_soon(self: &Arc<Self>, account_id: &str) {
        {
            let mut last = self.balance_read.lock().unwrap_or_else(|e| e.into_inner());
            if last.get(account_id).is_some_and(|t| t.elapsed() < Duration::from_secs(3)) {
                return;
            }
            last.insert(account_id.to_string(), Instant::now());
        }
        let me = self.clone();
        let id = account_id.to_string();
        tokio::spawn(async move {
            if me.accounts.refresh_balance(&id).await.is_ok() {
                me.balance_alerts(&id);
                me.account_changed(&id);
            }
        });
    }

    /// Sleeps `d`, or less if the engine stops. True when it stopped.
    pub async fn pause(&self, d: Duration) -> bool {
        let mut stop = self.stop.subscribe();
        if *stop.borrow_and_update() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => *stop.borrow(),
            _ = stop.changed() => true,
        }
    }

    pub fn count(&self, c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// Backoff with ±25 % jitter: base × 2^n, capped.
pub(crate) fn backoff(base: Duration, cap: Duration, n: u32) -> Duration {
    let raw = base.as_secs_f64() * 2f64.powi(n.min(20) as i32);
    jitter(Duration::from_secs_f64(raw.min(cap.as_secs_f64())), 0.25)
}

pub(crate) fn jitter(d: Duration, frac: f64) -> Duration {
    use rand::Rng;
    let f = rand::thread_rng().gen_range((1.0 - frac)..=(1.0 + frac));
    Duration::from_secs_f64(d.as_secs_f64() * f)
}

/// Aborts a background task when its owner goes.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Removes the job from `active` and wakes the loop when a task ends,
/// however it ends (also by panic).
pub(crate) struct ActiveGuard {
    pub inner: Arc<Inner>,
    pub id: i64,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.inner.active.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
        self.inner.wake.notify_one();
    }
}
