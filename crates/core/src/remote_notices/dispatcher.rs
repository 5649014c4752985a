//! The task that sends remote notices, beside the engine and never in its
//! way: it reads the engine's broadcast (which never waits for a reader),
//! writes what is to be sent into SQLite's outbox, and delivers from there
//! with one task per target, so a dead endpoint delays only its own
//! notices. The outbox survives a restart; a batch's summary is claimed in
//! the same transaction that queues it, so it is sent once.
//!
//! Retries: `attempts` in all, `retry_after` × 4ⁿ apart; then the notice is
//! dropped and the target shows why in Settings. During quiet hours nothing
//! is sent; when they end, each target gets what was held as one digest.

use super::deliver::{client, load, post};
use super::message::{BatchSummary, Message};
use super::{quiet_hours, NoticeError, RemoteKind, TargetKind};
use crate::engine::{EngineEvent, JobView};
use crate::store::{now_ms, Db, JobState};
use crate::vault::Vault;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct DispatchConfig {
    /// One request's limit (connect included).
    pub timeout: Duration,
    /// Attempts per notice, the first included.
    pub attempts: u32,
    /// Before the first retry; each next one waits 4 times longer.
    pub retry_after: Duration,
}

impl Default for DispatchConfig {
    /// 10 s per request; 3 attempts over about 2.5 minutes.
    fn default() -> DispatchConfig {
        DispatchConfig { timeout: Duration::from_secs(10), attempts: 3, retry_after: Duration::from_secs(30) }
    }
}

struct Core {
    db: Arc<Db>,
    vault: Vault,
    config: DispatchConfig,
    client: reqwest::Client,
    /// Targets with a delivery under way (one at a time per target, in order).
    busy: Mutex<HashSet<String>>,
}

/// Runs until dropped (or [`Dispatcher::finish`]).
pub struct Dispatcher {
    task: tokio::task::JoinHandle<()>,
    finish: watch::Sender<bool>,
}

impl Dispatcher {
    pub fn start(db: Arc<Db>, vault: Vault, events: broadcast::Receiver<EngineEvent>, config: DispatchConfig) -> Dispatcher {
        let core = Arc::new(Core { db, vault, client: client(config.timeout), config, busy: Mutex::default() });
        let (finish, finishing) = watch::channel(false);
        Dispatcher { task: tokio::spawn(run(core, events, finishing)), finish }
    }

    /// For `loova run`: takes in what the engine already said, tries what is
    /// due once, and ends within `within`. What is left stays in the outbox
    /// for the next run.
    pub async fn finish(mut self, within: Duration) {
        let _ = self.finish.send(true);
        if tokio::time::timeout(within, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(core: Arc<Core>, mut events: broadcast::Receiver<EngineEvent>, mut finishing: watch::Receiver<bool>) {
    let mut deliveries = JoinSet::new();
    let (mut open, mut was_quiet, mut finish) = (true, false, false);
    // The outbox is looked at only when something may have changed in it,
    // not on every job event (a busy queue sends many).
    let (mut look, mut wait) = (true, Duration::from_secs(60));
    loop {
        if finish {
            // Everything the engine sent before it stopped.
            while let Ok(e) = events.try_recv() {
                on_event(&core, e);
            }
        }
        if look || finish {
            look = false;
            let quiet = quiet_hours(&core.db).ok().flatten().is_some_and(|q| q.now());
            if !quiet {
                spawn_due(&core, &mut deliveries, was_quiet);
            }
            was_quiet = quiet;
            wait = match core.db.outbox_next_at().ok().flatten() {
                Some(at) if !quiet => Duration::from_millis((at - now_ms()).clamp(10, 60_000) as u64),
                _ => Duration::from_secs(60),
            };
        }
        if finish && deliveries.is_empty() {
            break;
        }
        let since = std::time::Instant::now();
        tokio::select! {
            e = events.recv(), if open => match e {
                Ok(e) => look = on_event(&core, e),
                // Missed job changes: look at every batch not summarised yet.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    rescan(&core);
                    look = true;
                }
                Err(broadcast::error::RecvError::Closed) => open = false,
            },
            Some(_) = deliveries.join_next(), if !deliveries.is_empty() => look = true,
            r = finishing.changed(), if !finish => finish = r.is_err() || *finishing.borrow(),
            _ = tokio::time::sleep(wait) => look = true,
        }
        wait = wait.saturating_sub(since.elapsed());
    }
}

/// True when it may have queued something (or quiet hours may have ended).
fn on_event(core: &Core, event: EngineEvent) -> bool {
    let result = match event {
        EngineEvent::Notice(n) => match RemoteKind::of_notice(n.kind) {
            Some(kind) => queue(core, kind, &Message { job_id: n.job_id, ..Message::new(kind.as_str(), n.title, n.body) }),
            None => Ok(false),
        },
        EngineEvent::JobChanged(job) => job_changed(core, &job),
        // Rare: also a chance to see that quiet hours were changed.
        EngineEvent::AccountChanged { .. } => return true,
    };
    // A database error here loses one notice, never the queue: nothing to do but go on.
    result.unwrap_or(false)
}

fn subscribers(core: &Core, kind: RemoteKind) -> Result<Vec<String>, NoticeError> {
    Ok(core.db.notice_targets()?.into_iter().filter(|t| t.kinds.split(',').any(|k| k == kind.as_str())).map(|t| t.id).collect())
}

fn queue(core: &Core, kind: RemoteKind, msg: &Message) -> Result<bool, NoticeError> {
    let ids = subscribers(core, kind)?;
    if !ids.is_empty() {
        core.db.queue_remote_notice(&ids, &serde_json::to_string(msg).expect("a message serializes"))?;
    }
    Ok(!ids.is_empty())
}

fn job_changed(core: &Core, job: &JobView) -> Result<bool, NoticeError> {
    if !is_settled(job.state.as_str()) {
        return Ok(false);
    }
    match core.db.job(job.id)?.and_then(|row| row.batch_id) {
        Some(batch) => check_batch(core, &batch),
        None => Ok(false),
    }
}

/// Nothing more happens to the job without a person.
fn is_settled(state: &str) -> bool {
    !matches!(state, "queued" | "submitting" | "running" | "succeeded" | "downloading")
}

fn rescan(core: &Core) {
    for b in core.db.batches().unwrap_or_default() {
        if !core.db.batch_summarised(&b.id).unwrap_or(true) {
            let _ = check_batch(core, &b.id);
        }
    }
}

/// When every job of the batch is settled: its one summary. True when it
/// was queued now.
fn check_batch(core: &Core, batch_id: &str) -> Result<bool, NoticeError> {
    let counts = core.db.batch_state_counts(batch_id)?;
    if counts.is_empty() || counts.iter().any(|c| c.jobs > 0 && !is_settled(&c.state)) {
        return Ok(false);
    }
    let n = |states: &[JobState]| counts.iter().filter(|c| states.iter().any(|s| s.as_str() == c.state)).map(|c| c.jobs).sum::<i64>();
    let name = core.db.batch(batch_id)?.map(|b| b.name).unwrap_or_else(|| batch_id.to_string());
    let summary = BatchSummary {
        id: batch_id.to_string(),
        name,
        total: counts.iter().map(|c| c.jobs).sum(),
        done: n(&[JobState::Downloaded]),
        failed: n(&[JobState::Failed]),
        canceled: n(&[JobState::Canceled]),
        needs_you: n(&[JobState::OutcomeUnknown, JobState::Invalid, JobState::Expired]),
        credits_spent: counts.iter().map(|c| c.credits_charged).sum(),
    };
    let total = summary.total;
    let msg = Message::batch_finished(summary);
    let ids = subscribers(core, RemoteKind::BatchFinished)?;
    Ok(core.db.claim_batch_summary(batch_id, total, &ids, &serde_json::to_string(&msg).expect("a message serializes"))?)
}

/// Clears the target's busy mark however its delivery ends.
struct Busy(Arc<Core>, String);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.1);
    }
}

fn spawn_due(core: &Arc<Core>, deliveries: &mut JoinSet<()>, digest: bool) {
    for id in core.db.outbox_targets_due(now_ms()).unwrap_or_default() {
        if !core.busy.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone()) {
            continue;
        }
        let guard = Busy(core.clone(), id);
        deliveries.spawn(async move {
            let _ = deliver(&guard.0, &guard.1, digest).await;
        });
    }
}

/// The target's oldest due notice (or, after quiet hours, all of them as
/// one digest), once.
async fn deliver(core: &Core, target_id: &str, digest: bool) -> Result<(), NoticeError> {
    let Some(target) = core.db.notice_target(target_id)? else {
        return Ok(());
    };
    let rows = core.db.outbox_due(target_id, now_ms())?;
    let take = if digest { rows.len() } else { rows.len().min(1) };
    let rows = &rows[..take];
    let mut items = Vec::new();
    for r in rows {
        match serde_json::from_str::<Message>(&r.message) {
            Ok(m) => items.push(m),
            Err(_) => core.db.outbox_delete(&[r.id])?,
        }
    }
    let msg = match items.len() {
        0 => return Ok(()),
        1 => items.remove(0),
        _ => Message::digest(items),
    };
    let kind = TargetKind::parse(&target.kind).unwrap_or(TargetKind::Webhook);
    let result = match load(&core.vault, target_id).await {
        Ok(secret) => post(&core.client, kind, &secret, &msg, core.config.timeout).await,
        Err(e) => Err(e.to_string()),
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    match result {
        Ok(()) => {
            core.db.outbox_delete(&ids)?;
            core.db.set_notice_target_result(target_id, true, None)?;
        }
        Err(why) => {
            let mut gave_up = false;
            for r in rows {
                let tried = r.attempts + 1;
                if tried >= core.config.attempts as i64 {
                    gave_up = true;
                    core.db.outbox_delete(&[r.id])?;
                } else {
                    let wait = core.config.retry_after.as_millis() as i64 * 4i64.pow((tried - 1).clamp(0, 8) as u32);
                    core.db.outbox_retry_at(r.id, now_ms() + wait)?;
                }
            }
            let text = if gave_up { format!("Gave up after {} attempts: {why}", core.config.attempts) } else { format!("{why} Trying again.") };
            core.db.set_notice_target_result(target_id, false, Some(&text))?;
        }
    }
    Ok(())
}
