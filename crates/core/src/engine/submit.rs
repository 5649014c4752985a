//! Sending one create, and acting on its answer exactly as `loova-api.md`
//! requires. The job is already `submitting` (written before this runs).

use super::{backoff, jitter, EngineError, Inner, NoticeKind};
use crate::api::{ApiError, ErrorClass};
use crate::store::{now_ms, JobRow, JobState, Patch};
use std::sync::Arc;

const FROM: &[JobState] = &[JobState::Submitting];

impl Inner {
    pub(crate) async fn submit_job(self: Arc<Self>, id: i64) {
        if let Err(e) = self.submit(id).await {
            // Only the database can fail here; the job stays `submitting`
            // and becomes outcome_unknown at the next start: never resent blindly.
            eprintln!("loova-desk: job {id}: {e}");
        }
        self.job_changed(id);
    }

    /// For jobs with local files: bytes sent / total on the job, at most every
    /// `progress_every`, so a large upload shows a moving bar.
    fn upload_progress(self: &Arc<Self>, id: i64, spec: &crate::JobSpec) -> Option<crate::api::UploadProgress> {
        if !spec.has_local_files() {
            return None;
        }
        let inner = self.clone();
        let last = std::sync::Mutex::new(None::<std::time::Instant>);
        Some(Arc::new(move |sent: u64, total: u64| {
            let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= inner.config.progress_every) || sent >= total;
            if due {
                *last = Some(std::time::Instant::now());
                let _ = inner.db.patch_job(id, Patch::new().int("bytes_done", Some(sent as i64)).int("bytes_total", Some(total as i64)));
                inner.job_changed(id);
            }
        }))
    }

    async fn submit(self: &Arc<Self>, id: i64) -> Result<(), EngineError> {
        let Some(job) = self.db.job(id)? else { return Ok(()) };
        if job.state != JobState::Submitting {
            return Ok(());
        }
        let (client, key) = match self.client(&job.account_id).await {
            Ok(ck) => ck,
            Err(e) => {
                // Nothing was sent (no key or no client): try again later.
                let attempts = job.attempts + 1;
                let wait = backoff(self.config.retry_base, self.config.retry_cap, attempts as u32);
                let patch = Patch::new()
                    .int("attempts", Some(attempts))
                    .int("next_attempt_at", Some(now_ms() + wait.as_millis() as i64))
                    .error(e.code(), &format!("Not sent yet: {e}"), None);
                self.db.transition(id, FROM, JobState::Queued, patch)?;
                return Ok(());
            }
        };
        self.count(&self.stats.creates);
        match client.create_with_progress(&key, &job.spec, self.upload_progress(id, &job.spec)).await {
            Ok(created) => {
                let expected = self.expected_secs(&job)?;
                let raw = if created.status.is_empty() { "running".to_string() } else { created.status.clone() };
                let patch = Patch::new()
                    .text("task_id", Some(&created.task_id))
                    .text("raw_status", Some(&raw))
                    .int("credits_cost", created.credits_cost.or(job.estimate_credits))
                    .int("started_at", Some(now_ms()))
                    .real("expected_secs", Some(expected))
                    .int("next_attempt_at", None)
                    .clear_error();
                self.db.transition(id, FROM, JobState::Running, patch)?;
                self.refresh_balance_soon(&job.account_id);
            }
            Err(e) => self.create_failed(&job, e).await?,
        }
        Ok(())
    }

    async fn create_failed(self: &Arc<Self>, job: &JobRow, e: ApiError) -> Result<(), EngineError> {
        let id = job.id;
        let msg = e.to_string();
        let trace = e.trace_id();
        match e.class() {
            ErrorClass::LimitReached => {
                // Not a failure: the service runs as many as it accepts
                // (slots may be taken elsewhere, e.g. the web app).
                let (_, running, _) = self.db.in_flight(&job.account_id)?;
                self.limit_refused(&job.account_id, running);
                let wait = jitter(self.config.limit_retry, 0.25);
                let patch = Patch::new()
                    .int("next_attempt_at", Some(now_ms() + wait.as_millis() as i64))
                    .int("submitted_at", None)
                    .error("limit_reached", &format!("Waiting for a free slot: Loova is already running as many tasks as it allows for this key ({running} from Loova Desk). {msg}"), trace);
                self.db.transition(id, FROM, JobState::Queued, patch)?;
            }
            ErrorClass::InsufficientCredits => {
                let patch = Patch::new().int("submitted_at", None).error("insufficient_credits", &msg, trace);
                self.db.transition(id, FROM, JobState::Queued, patch)?;
                self.db.set_account_state(&job.account_id, "needs_credits")?;
                let _ = self.accounts.refresh_balance(&job.account_id).await;
                let account = self.db.account(&job.account_id)?;
                let name = account.as_ref().map_or(job.account_id.clone(), |a| a.name.clone());
                let balance = account.and_then(|a| a.api_available_credits);
                let need = job.estimate_credits.map_or("more".to_string(), |c| c.to_string());
                let have = balance.map_or("an unknown number of".to_string(), |b| b.to_string());
                self.notice(
                    NoticeKind::OutOfCredits,
                    format!("{name} is out of API credits"),
                    format!("The next job needs {need} credits; the account has {have} API credits. Its queue is paused: buy API credits, then resume the account. App Credits cannot pay for API jobs."),
                );
                self.account_changed(&job.account_id);
            }
            ErrorClass::Auth => {
                let patch = Patch::new().int("submitted_at", None).error("key_rejected", &msg, trace);
                self.db.transition(id, FROM, JobState::Queued, patch)?;
                self.db.set_account_state(&job.account_id, "key_rejected")?;
                self.forget_client(&job.account_id).await;
                let name = self.db.account(&job.account_id)?.map_or(job.account_id.clone(), |a| a.name);
                self.notice(
                    NoticeKind::KeyRejected,
                    format!("Loova rejected the key of {name}"),
                    "Its queue is paused. Replace the key (Accounts), then resume the account.",
                );
                self.account_changed(&job.account_id);
            }
            ErrorClass::Invalid => {
                // Loova's own rejection, or a local file that is gone (nothing sent).
                let text = e.service_message().map_or(msg.clone(), |m| {
                    format!("Loova refused this job: {m}. Correct it in the Composer and queue it again; Retry would send it unchanged.")
                });
                let patch = Patch::new().int("finished_at", Some(now_ms())).error("invalid", &text, trace);
                self.db.transition(id, FROM, JobState::Invalid, patch)?;
                self.notice(NoticeKind::NeedsDecision, format!("Job {id} cannot be sent as it is"), text);
            }
            ErrorClass::Transient | ErrorClass::Config | ErrorClass::Business | ErrorClass::NotFound => {
                // Transient: the request provably never left this machine.
                // Config (bad base URL, redirect) and the rest: nothing was
                // created either; keep the job, back off, show why.
                let attempts = job.attempts + 1;
                let wait = backoff(self.config.retry_base, self.config.retry_cap, attempts as u32);
                let patch = Patch::new()
                    .int("attempts", Some(attempts))
                    .int("submitted_at", None)
                    .int("next_attempt_at", Some(now_ms() + wait.as_millis() as i64))
                    .error(if e.class() == ErrorClass::Config { "config" } else { "not_sent" }, &msg, trace);
                self.db.transition(id, FROM, JobState::Queued, patch)?;
            }
            ErrorClass::OutcomeUnknown => {
                let text = format!(
                    "Sent, but no usable answer came back, so Loova may or may not have created (and charged) this task. Check the Loova web app, then choose \"Submit again (may be charged twice)\" or \"Forget\". ({msg})"
                );
                self.db.transition(id, FROM, JobState::OutcomeUnknown, Patch::new().error("outcome_unknown", &text, trace))?;
                self.notice(NoticeKind::NeedsDecision, format!("Job {id}: did Loova create it?"), "A job was sent but its answer was lost. Decide whether to submit it again.");
            }
        }
        Ok(())
    }

    /// Expected run time: the median of recent finished jobs of the same model
    /// and length, else the configured default.
    pub(crate) fn expected_secs(&self, job: &JobRow) -> Result<f64, EngineError> {
        let mut times = self.db.run_times(&job.account_id, &job.spec.model, job.spec.duration, 15)?;
        if times.len() >= 3 {
            times.sort_by(|a, b| a.total_cmp(b));
            return Ok(times[times.len() / 2]);
        }
        let default = self.config.default_expected_secs(&job.spec.model, job.spec.duration);
        // The Sandbox's simulator runs jobs faster than Loova by a known factor.
        let sandbox = self.db.account(&job.account_id)?.is_some_and(|a| a.sandbox);
        Ok(if sandbox { default * crate::sandbox::time_scale() } else { default })
    }
}
