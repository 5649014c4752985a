//! Following a running task. Polls are placed where the learned run-time
//! distribution says the finish is likely (`runtime_model::polls`): none
//! while it is unlikely, densest late in the likely window, then less and
//! less often for a task that runs long (jobs may take hours). When another
//! task finishes the model learns and a sleeping poll plans again. A failed
//! poll never fails a job: it only delays the next one.

use super::{backoff, AccountClient, EngineError, Inner, NoticeKind};
use crate::api::{ApiError, ErrorClass, TaskInfo, TaskState};
use crate::store::Col;
use crate::store::{now_ms, JobRow, JobState, Patch};
use crate::ErrorCode;
use crate::JobSpec;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FROM: &[JobState] = &[JobState::Running];

/// Failed polls in a row: all of them (for the backoff), and "not found" ones.
#[derive(Default)]
struct Streak {
    errors: u32,
    not_found: u32,
}

/// After one round: poll again, or the job has left `running`.
#[derive(PartialEq, Eq)]
enum Step {
    Again,
    Done,
}

impl Inner {
    pub(crate) async fn poll_job(self: Arc<Self>, id: i64) {
        if let Err(e) = self.poll_loop(id).await {
            eprintln!("loova-desk: job {id}: {e}");
            // A database hiccup: let the loop start polling again soon.
            self.pause(self.config.retry_base).await;
        }
    }

    /// Polls until the job leaves `running` (or the engine stops). Each
    /// round: wait (adaptive, or backoff after errors), ask, act on the answer.
    async fn poll_loop(self: &Arc<Self>, id: i64) -> Result<(), EngineError> {
        let mut streak = Streak::default();
        // When the latest request that found the task still running left
        // (ms): the lower end of its run time, and where the plan resumes.
        let mut seen_running: Option<i64> = None;
        let mut last_poll: Option<Instant> = None;
        let deadline = self.task_deadline();
        loop {
            let Some(job) = self.db.job(id)? else {
                return Ok(());
            };
            if job.state != JobState::Running {
                return Ok(());
            }
            let Some(task_id) = job.task_id.clone() else {
                let patch = Patch::new().error(ErrorCode::NoTaskId, "Internal error: a running job without a task id.", None);
                self.db.transition(id, FROM, JobState::OutcomeUnknown, patch)?;
                return Ok(());
            };
            let started = job.started_at.unwrap_or(job.updated_at);
            if self.wait_for_poll(&job, streak.errors, started, seen_running, last_poll).await? {
                return Ok(());
            }
            let Some(used) = self.client_or_wait(&job).await? else {
                streak.errors += 1;
                continue;
            };
            self.count(&self.stats.status_requests);
            let sent = now_ms();
            last_poll = Some(Instant::now());
            let step = match used.client.task(&used.key, &task_id).await {
                Ok(info) => {
                    let answered = Instant::now();
                    streak = Streak::default();
                    let succeeded = matches!(info.status, TaskState::Succeeded) && info.video_url.is_some();
                    if succeeded || matches!(info.status, TaskState::Failed) {
                        self.slot_freed_at(&job.account_id, answered);
                    }
                    let step = self.status_read(&job, info)?;
                    if step == Step::Done && succeeded {
                        self.learn(&job, seen_running.unwrap_or(started) - started, now_ms() - started)?;
                    } else if step == Step::Again {
                        seen_running = Some(sent);
                    }
                    step
                }
                Err(e) => self.poll_failed(&job, &task_id, &used, e, &mut streak).await?,
            };
            if step == Step::Done || self.stop_if_overdue(&job, &task_id, started, deadline)? {
                return Ok(());
            }
        }
    }

    /// Sleeps until the next status request is due (planning again whenever
    /// the model learns meanwhile). True when the engine stopped.
    async fn wait_for_poll(&self, job: &JobRow, errors: u32, started: i64, seen: Option<i64>, last: Option<Instant>) -> Result<bool, EngineError> {
        if errors > 0 {
            return Ok(self.pause(backoff(self.config.min_poll, self.config.max_poll, errors)).await);
        }
        let mut learned = self.runtime.learned.subscribe();
        loop {
            let seen_secs = (seen.unwrap_or(started) - started).max(0) as f64 / 1000.0;
            let at = started + (self.plan_poll(job, seen_secs)? * 1000.0).round() as i64;
            let wait = poll_wait(at - now_ms(), last.map(|l| l.elapsed()), self.config.min_poll, self.config.longest_poll_gap);
            tokio::select! {
                stopped = self.pause(wait) => return Ok(stopped),
                changed = learned.changed() => {
                    if changed.is_err() {
                        return Ok(self.pause(wait).await);
                    }
                }
            }
        }
    }

    /// A status answer: finished (succeeded with a link, or failed), or
    /// still going (queued, running, unknown words kept verbatim, or
    /// succeeded without a link yet).
    fn status_read(self: &Arc<Self>, job: &JobRow, info: TaskInfo) -> Result<Step, EngineError> {
        let id = job.id;
        let cost = info.credits_cost.or(job.credits_cost);
        let failed = matches!(info.status, TaskState::Failed);
        if let Some(task) = job.task_id.as_deref().filter(|_| info.credits_cost.is_some() || failed) {
            self.charge_reported(job, task, info.credits_cost, failed);
        }
        let note = self.check_settings(job, &info)?;
        match info.status {
            TaskState::Succeeded if info.video_url.is_some() => {
                let patch = Patch::new()
                    .text(Col::RawStatus, Some(&info.raw_status))
                    .int(Col::CreditsCost, cost)
                    .text(Col::VideoUrl, info.video_url.as_deref())
                    .int(Col::FinishedAt, Some(now_ms()));
                // The note stays visible on a job that ran with other settings.
                let patch = match &note {
                    Some(n) => patch.error(ErrorCode::SettingsNotUnderstood, n, None),
                    None => patch.clear_error(),
                };
                self.db.transition(id, FROM, JobState::Succeeded, patch)?;
                self.finished(&job.account_id, id);
                Ok(Step::Done)
            }
            TaskState::Failed => {
                let why = failure_reason(&info.raw_status, info.error_message.as_deref());
                let patch = Patch::new().text(Col::RawStatus, Some(&info.raw_status)).int(Col::CreditsCost, cost).int(Col::FinishedAt, Some(now_ms())).error(
                    ErrorCode::TaskFailed,
                    &format!("Loova: {why}"),
                    None,
                );
                self.db.transition(id, FROM, JobState::Failed, patch)?;
                self.job_notice(id, NoticeKind::JobFailed, format!("Job {id} failed"), why);
                self.finished(&job.account_id, id);
                Ok(Step::Done)
            }
            _ => {
                let shown = note.as_deref().map(|n| (ErrorCode::SettingsNotUnderstood, n));
                let current = job.last_error_code.zip(job.last_error.as_deref());
                if job.raw_status.as_deref() != Some(&info.raw_status) || job.credits_cost != cost || current != shown {
                    let patch = Patch::new().text(Col::RawStatus, Some(&info.raw_status)).int(Col::CreditsCost, cost);
                    let patch = match &note {
                        Some(n) => patch.error(ErrorCode::SettingsNotUnderstood, n, None),
                        None => patch.clear_error(),
                    };
                    self.db.patch_job(id, patch)?;
                    self.job_changed(id);
                }
                Ok(Step::Again)
            }
        }
    }

    /// A status request failed. Never fails the job, except after
    /// `not_found_polls` "not found" answers in a row.
    async fn poll_failed(&self, job: &JobRow, task_id: &str, used: &AccountClient, e: ApiError, streak: &mut Streak) -> Result<Step, EngineError> {
        let id = job.id;
        streak.errors += 1;
        if e.class() == ErrorClass::NotFound {
            streak.not_found += 1;
            if streak.not_found < self.config.not_found_polls {
                return Ok(Step::Again);
            }
            let n = streak.not_found;
            let text = format!("Loova answered \"task not found\" for task {task_id} {n} times in a row: it may have been deleted, or the account's key now belongs to another user. Check the Loova web app before retrying (a retry is a new charge).");
            let patch = Patch::new().int(Col::FinishedAt, Some(now_ms())).error(ErrorCode::TaskNotFound, &text, e.trace_id());
            self.db.transition(id, FROM, JobState::Failed, patch)?;
            self.job_notice(id, NoticeKind::JobFailed, format!("Job {id} failed"), text);
            self.finished(&job.account_id, id);
            return Ok(Step::Done);
        }
        if e.class() == ErrorClass::Auth {
            self.forget_client(&job.account_id).await;
            // A key replaced since this request was sent is not rejected:
            // the next poll uses the new one.
            if self.db.reject_key(&job.account_id, used.key_version)? {
                self.account_changed(&job.account_id);
            }
        }
        self.db.patch_job(id, Patch::new().error(ErrorCode::PollFailed, &format!("Checking the status failed; trying again. {e}"), e.trace_id()))?;
        self.job_changed(id);
        Ok(Step::Again)
    }

    /// Compares the settings the status shows (when it shows them) with what
    /// was sent. The first time they differ, the job gets a note and, if it
    /// was sent as multipart, the account's dialect moves on so the next jobs
    /// are sent another way. Returns the job's note, if it has one.
    fn check_settings(&self, job: &JobRow, info: &TaskInfo) -> Result<Option<String>, EngineError> {
        let (dialect, note) = self.db.job_compat(job.id)?;
        if note.is_some() {
            return Ok(note);
        }
        let Some(found) = settings_mismatch(&job.spec, info) else {
            return Ok(None);
        };
        let moved = match dialect {
            Some(d) if self.db.move_account_dialect(&job.account_id, Some(d), d.next())? => {
                format!(" It was sent as {} form fields; the next jobs of this account are sent as {}.", d.as_str(), d.next().as_str())
            }
            Some(_) => String::new(),
            // JSON: the one name of the mode the account had learned was not
            // read after all; the next jobs send both names again.
            None => match self.db.account_json_mode(&job.account_id)? {
                Some(m) if mode_differs(&job.spec, info) && self.db.move_account_json_mode(&job.account_id, Some(m), None)? => {
                    format!(" The mode was sent as `{}`; the next jobs of this account name it both ways.", m.as_str())
                }
                _ => String::new(),
            },
        };
        let text = format!("{found}.{moved}");
        if self.db.note_settings_mismatch(job.id, &text)? {
            self.job_notice(job.id, NoticeKind::NeedsDecision, format!("Job {} ran with other settings", job.id), text.clone());
        }
        Ok(Some(text))
    }

    fn finished(&self, account_id: &str, id: i64) {
        self.slot_freed(account_id);
        // A scout that ended (even failed) hands over: sleeping polls plan again.
        self.runtime.learned.send_modify(|v| *v += 1);
        // A studio lease is released at once, not at the next heartbeat.
        self.studio_poke();
        self.job_changed(id);
        self.wake.notify_one();
    }
}

/// Why a task failed, as Loova said it: its `error_message`, and the status
/// word itself when it is not the plain `failed`/`error` (`expired` says the
/// task ran out of time on Loova's side, `cancelled` that it was stopped).
pub fn failure_reason(raw_status: &str, error_message: Option<&str>) -> String {
    let message = error_message.map(str::trim).filter(|m| !m.is_empty());
    match (crate::api::telling_failure_word(raw_status), message) {
        (Some(word), Some(m)) => format!("the task ended \"{word}\": {m}"),
        (Some(word), None) => format!("the task ended \"{word}\" (no reason given)."),
        (None, Some(m)) => m.to_string(),
        (None, None) => "Loova reported that the task failed (no reason given).".into(),
    }
}

/// How long to sleep for a poll due in `due_ms` (may be past), the last one
/// having left `since_last` ago: never two within `min`, never a gap over `max`.
fn poll_wait(due_ms: i64, since_last: Option<Duration>, min: Duration, max: Duration) -> Duration {
    let due = Duration::from_millis(due_ms.max(0) as u64);
    let floor = since_last.map_or(Duration::ZERO, |s| min.saturating_sub(s));
    due.max(floor).min(max)
}

/// The status shows a mode, and not the one asked.
fn mode_differs(spec: &JobSpec, info: &TaskInfo) -> bool {
    info.function_mode.as_deref().is_some_and(|m| !m.eq_ignore_ascii_case(&spec.function_mode))
}

/// What the service runs differently from what was sent, as a sentence
/// ("Loova ran this as omni_reference — the mode field was not understood"),
/// or `None` when the status shows no setting or they all match.
pub fn settings_mismatch(spec: &JobSpec, info: &TaskInfo) -> Option<String> {
    let mut found = Vec::new();
    if let Some(mode) = info.function_mode.as_deref().filter(|_| mode_differs(spec, info)) {
        found.push(format!("Loova ran this as {mode} — the mode field was not understood"));
    }
    if let Some(ratio) = info.ratio.as_deref().filter(|r| r.trim() != spec.ratio) {
        found.push(format!("Loova ran this at {ratio} — the ratio field was not understood"));
    }
    if let Some(secs) = info.duration.filter(|d| *d != spec.duration) {
        found.push(format!("Loova ran this for {secs} s — the duration field was not understood"));
    }
    (!found.is_empty()).then(|| found.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_the_service_ran_differently_is_named() {
        let spec = JobSpec { function_mode: "first_last_frames".into(), ratio: "9:16".into(), duration: 6, ..JobSpec::default() };
        let info = |mode: Option<&str>, ratio: Option<&str>, duration: Option<u32>| TaskInfo {
            task_id: "t".into(),
            status: TaskState::Running,
            raw_status: "running".into(),
            model: None,
            credits_cost: None,
            credits_cost_exact: None,
            video_url: None,
            error_message: None,
            created_at: None,
            updated_at: None,
            finished_at: None,
            function_mode: mode.map(str::to_string),
            ratio: ratio.map(str::to_string),
            duration,
        };
        assert_eq!(settings_mismatch(&spec, &info(None, None, None)), None, "status without settings");
        assert_eq!(settings_mismatch(&spec, &info(Some("first_last_frames"), Some("9:16"), Some(6))), None);
        assert_eq!(
            settings_mismatch(&spec, &info(Some("omni_reference"), Some("9:16"), Some(6))).as_deref(),
            Some("Loova ran this as omni_reference — the mode field was not understood")
        );
        let both = settings_mismatch(&spec, &info(Some("omni_reference"), Some("16:9"), Some(5))).unwrap();
        assert!(both.contains("16:9") && both.contains("5 s") && both.contains("omni_reference"), "{both}");
    }

    #[test]
    fn a_failure_shows_the_word_loova_ended_the_task_with() {
        assert_eq!(failure_reason("expired", Some("task timed out")), "the task ended \"expired\": task timed out");
        assert_eq!(failure_reason("cancelled", None), "the task ended \"cancelled\" (no reason given).");
        assert_eq!(failure_reason("failed", Some("video generation failed")), "video generation failed");
        assert_eq!(failure_reason("failed", None), "Loova reported that the task failed (no reason given).");
    }

    #[test]
    fn polls_keep_their_floor_and_ceiling() {
        let (min, max) = (Duration::from_millis(100), Duration::from_secs(60));
        assert_eq!(poll_wait(5_000, None, min, max), Duration::from_secs(5));
        assert_eq!(poll_wait(-20, None, min, max), Duration::ZERO, "a due poll leaves at once");
        assert_eq!(poll_wait(10, Some(Duration::from_millis(30)), min, max), Duration::from_millis(70), "never twice within min_poll");
        assert_eq!(poll_wait(3_600_000, None, min, max), max, "at least once per max_poll");
    }
}
