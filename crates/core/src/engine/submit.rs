//! Sending one create, and acting on its answer exactly as `loova-api.md`
//! requires. The job is already `submitting` (written before this runs).

use super::{backoff, jitter, AccountClient, EngineError, Inner, NoticeKind};
use crate::api::{ApiError, Dialect, ErrorClass, ModeField};
use crate::store::Col;
use crate::store::{now_ms, AccountStatus, JobRow, JobState, Patch};
use crate::ErrorCode;
use std::sync::Arc;

const FROM: &[JobState] = &[JobState::Submitting];

impl Inner {
    pub(crate) async fn submit_job(self: Arc<Self>, id: i64) {
        if let Err(e) = self.submit(id).await {
            // Only the database can fail here; the job stays `submitting`
            // and becomes outcome_unknown at the next start: never resent blindly.
            eprintln!("loova-desk: job {id}: {e}");
        }
        // The create answered: a studio lease gets its task id, or goes
        // (refused: back in the queue), or is held (unknown outcome).
        self.studio_poke();
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
                let _ = inner.db.patch_job(id, Patch::new().int(Col::BytesDone, Some(sent as i64)).int(Col::BytesTotal, Some(total as i64)));
                inner.job_changed(id);
            }
        }))
    }

    async fn submit(self: &Arc<Self>, id: i64) -> Result<(), EngineError> {
        let Some(job) = self.db.job(id)? else {
            return Ok(());
        };
        if job.state != JobState::Submitting {
            return Ok(());
        }
        let used = match self.client(&job.account_id).await {
            Ok(c) => c,
            Err(e) => {
                // Nothing was sent (no key or no client): try again later.
                let patch = self.backoff_patch(&job).error(e.code(), &format!("Not sent yet: {e}"), None);
                self.db.transition(id, FROM, JobState::Queued, patch)?;
                return Ok(());
            }
        };
        // Multipart only: the dialect this account's service accepted, or the
        // documented one first.
        let learned = self.db.account_dialect(&job.account_id)?;
        let multipart = job.spec.has_local_files();
        let mut dialect = learned.unwrap_or(Dialect::Flat);
        let mut tried = Vec::new();
        // JSON only: the mode's name the service reads, once known.
        let json_learned = self.db.account_json_mode(&job.account_id)?;
        let mut json_mode = json_learned;
        let mut json_resent = 0;
        let answer = loop {
            self.count(&self.stats.creates);
            self.create_leaving(&job.account_id);
            let answer = used.client.create_with(&used.key, &job.spec, dialect, json_mode, self.upload_progress(id, &job.spec)).await;
            tried.push(dialect);
            match answer {
                Err(e) if multipart => match next_dialect(&job.spec, dialect, &e, &tried) {
                    Some(next) => dialect = next,
                    None => break Err(e),
                },
                // A definite refusal of a name of the mode we sent: nothing
                // was created; sent again at once under the other name only.
                Err(e) if json_resent < 2 => match refused_mode_name(json_mode, &e) {
                    Some(next) => {
                        json_resent += 1;
                        json_mode = next;
                    }
                    None => break Err(e),
                },
                other => break other,
            }
        };
        match answer {
            Ok(created) => {
                let sent_in = multipart.then_some(dialect);
                if multipart && learned != Some(dialect) {
                    // Learned: the next jobs go straight to it. A no-op when
                    // another job moved it meanwhile.
                    self.db.move_account_dialect(&job.account_id, learned, dialect)?;
                }
                if !multipart && json_mode != json_learned {
                    self.db.move_account_json_mode(&job.account_id, json_learned, json_mode)?;
                }
                let expected = self.expected_secs(&job)?;
                let raw = if created.status.is_empty() { "running".to_string() } else { created.status.clone() };
                let patch = Patch::new()
                    .text(Col::Dialect, sent_in.map(Dialect::as_str))
                    .text(Col::TaskId, Some(&created.task_id))
                    .text(Col::RawStatus, Some(&raw))
                    .int(Col::CreditsCost, created.credits_cost.or(job.estimate_credits))
                    .int(Col::StartedAt, Some(now_ms()))
                    .real(Col::ExpectedSecs, Some(expected))
                    .int(Col::NextAttemptAt, None)
                    .clear_error();
                self.db.transition(id, FROM, JobState::Running, patch)?;
                self.charge_reported(&job, &created.task_id, created.credits_cost, false);
                self.refresh_balance_soon(&job.account_id);
            }
            Err(e) => self.create_failed(&job, &used, e).await?,
        }
        Ok(())
    }

    /// One branch per class of failure; each says what happens to the job.
    /// (A multipart create refused for its encoding was already sent again
    /// in the next dialect; see [`next_dialect`].)
    async fn create_failed(self: &Arc<Self>, job: &JobRow, used: &AccountClient, e: ApiError) -> Result<(), EngineError> {
        match e.class() {
            ErrorClass::LimitReached => self.wait_for_slot(job, &e),
            ErrorClass::InsufficientCredits => self.out_of_credits(job, &e).await,
            ErrorClass::Auth => self.key_refused(job, used, &e).await,
            ErrorClass::Invalid => self.refused_as_invalid(job, &e),
            ErrorClass::OutcomeUnknown => self.outcome_unknown(job, &e),
            // Transient: the request provably never left this machine.
            // Config (bad base URL, redirect) and the rest: nothing was
            // created either; keep the job, back off, show why.
            ErrorClass::Transient | ErrorClass::Config | ErrorClass::Business | ErrorClass::NotFound => {
                let code = if e.class() == ErrorClass::Config { ErrorCode::Config } else { ErrorCode::NotSent };
                let patch = self.backoff_patch(job).int(Col::SubmittedAt, None).error(code, &e.to_string(), e.trace_id());
                self.db.transition(job.id, FROM, JobState::Queued, patch)?;
                Ok(())
            }
        }
    }

    /// Attempts + 1 and the next attempt after a backoff.
    fn backoff_patch(&self, job: &JobRow) -> Patch {
        let attempts = job.attempts + 1;
        let wait = backoff(self.config.retry_base, self.config.retry_cap, attempts as u32);
        Patch::new().int(Col::Attempts, Some(attempts)).int(Col::NextAttemptAt, Some(now_ms() + wait.as_millis() as i64))
    }

    /// Not a failure: the service runs as many as it accepts (slots may be
    /// taken elsewhere, e.g. the web app).
    fn wait_for_slot(&self, job: &JobRow, e: &ApiError) -> Result<(), EngineError> {
        let (_, running, _) = self.db.in_flight(&job.account_id)?;
        self.limit_refused(&job.account_id, running);
        let wait = jitter(self.config.limit_retry, 0.25);
        let text = format!("Waiting for a free slot: Loova is already running as many tasks as it allows for this key ({running} from Loova Desk). {e}");
        let patch = Patch::new().int(Col::NextAttemptAt, Some(now_ms() + wait.as_millis() as i64)).int(Col::SubmittedAt, None).error(
            ErrorCode::LimitReached,
            &text,
            e.trace_id(),
        );
        self.db.transition(job.id, FROM, JobState::Queued, patch)?;
        Ok(())
    }

    async fn out_of_credits(&self, job: &JobRow, e: &ApiError) -> Result<(), EngineError> {
        let patch = Patch::new().int(Col::SubmittedAt, None).error(ErrorCode::InsufficientCredits, &e.to_string(), e.trace_id());
        self.db.transition(job.id, FROM, JobState::Queued, patch)?;
        self.db.set_account_state(&job.account_id, AccountStatus::NeedsCredits)?;
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
        Ok(())
    }

    /// Loova refused the key the request was sent with. If the key has been
    /// replaced since (here or in another process), the refusal says nothing
    /// about the new key: the job is sent again at once with it.
    async fn key_refused(&self, job: &JobRow, used: &AccountClient, e: &ApiError) -> Result<(), EngineError> {
        self.forget_client(&job.account_id).await;
        if self.key_replaced_since(&job.account_id, used)? {
            let patch = Patch::new().int(Col::SubmittedAt, None).int(Col::NextAttemptAt, None).clear_error();
            self.db.transition(job.id, FROM, JobState::Queued, patch)?;
            return Ok(());
        }
        let patch = Patch::new().int(Col::SubmittedAt, None).error(ErrorCode::KeyRejected, &e.to_string(), e.trace_id());
        self.db.transition(job.id, FROM, JobState::Queued, patch)?;
        if !self.db.reject_key(&job.account_id, used.key_version)? {
            // Already marked, or the key changed a moment ago: no new notice.
            return Ok(());
        }
        let name = self.db.account(&job.account_id)?.map_or(job.account_id.clone(), |a| a.name);
        self.notice(
            NoticeKind::KeyRejected,
            format!("Loova rejected the key of {name}"),
            "Its queue is paused. Replace the key (Accounts), then resume the account.",
        );
        self.account_changed(&job.account_id);
        Ok(())
    }

    /// Loova's own rejection, or a local file that is gone (nothing sent).
    fn refused_as_invalid(&self, job: &JobRow, e: &ApiError) -> Result<(), EngineError> {
        let text = e
            .service_message()
            .map_or(e.to_string(), |m| format!("Loova refused this job: {m}. Correct it in the Composer and queue it again; Retry would send it unchanged."));
        let patch = Patch::new().int(Col::FinishedAt, Some(now_ms())).error(e.code(), &text, e.trace_id());
        self.db.transition(job.id, FROM, JobState::Invalid, patch)?;
        self.job_notice(job.id, NoticeKind::NeedsDecision, format!("Job {} cannot be sent as it is", job.id), text);
        Ok(())
    }

    fn outcome_unknown(&self, job: &JobRow, e: &ApiError) -> Result<(), EngineError> {
        let text = format!(
            "Sent, but no usable answer came back, so Loova may or may not have created (and charged) this task. Look for it on Loova's dashboard, then choose \"I found it on Loova\" with its task id (`loova attach JOB TASK_ID`), \"It is not on Loova — send it\" (`loova resubmit JOB`), or \"Forget\". ({e})"
        );
        self.db.transition(job.id, FROM, JobState::OutcomeUnknown, Patch::new().error(ErrorCode::OutcomeUnknown, &text, e.trace_id()))?;
        self.job_notice(
            job.id,
            NoticeKind::NeedsDecision,
            format!("Job {}: did Loova create it?", job.id),
            "A job was sent but its answer was lost. Decide whether to submit it again.",
        );
        Ok(())
    }

    /// Expected run time: the median of the learned prediction
    /// (`runtime_model`), the prior until the account has history.
    pub(crate) fn expected_secs(&self, job: &JobRow) -> Result<f64, EngineError> {
        Ok(self.predict(job)?.median())
    }
}

/// After a refused multipart create: the dialect to send the same job in at
/// once, if the refusal is a definite validation refusal naming a field we
/// did send (e.g. "`prompt` is required" although a prompt was sent: the
/// service reads another encoding). Such a refusal creates and charges
/// nothing. Any other answer, ambiguous ones above all, is never followed
/// by another create.
///
/// A validation refusal whose body could not be read (a garbled or cut
/// answer: the chaos campaign's faults, a proxy's error page) is as definite
/// — nothing was created — but names no field, so each dialect not yet tried
/// is tried once; without this a local-file job whose first answer was lost
/// ended "invalid" although it was valid.
/// After a refused JSON create: how to name the mode in the create sent at
/// once instead, when the refusal is a definite validation refusal naming a
/// name of the mode we sent (the other name alone, `ModeField::after_refusal`).
/// A validation refusal whose body could not be read (a garbled or cut
/// answer) is as definite but names nothing: the same create is sent once
/// more — before, such a job ended "invalid" although it was valid.
fn refused_mode_name(sent: Option<ModeField>, e: &ApiError) -> Option<Option<ModeField>> {
    if e.class() != ErrorClass::Invalid || matches!(e, ApiError::LocalFile { .. }) {
        return None;
    }
    if e.service_message().is_none() {
        return Some(sent);
    }
    ModeField::after_refusal(sent, e.field()?).map(Some)
}

fn next_dialect(spec: &crate::JobSpec, sent: Dialect, e: &ApiError, tried: &[Dialect]) -> Option<Dialect> {
    if e.class() != ErrorClass::Invalid {
        return None;
    }
    if e.service_message().is_none() {
        let next = sent.next();
        return (!tried.contains(&next)).then_some(next);
    }
    let field = e.field()?;
    if !sent.sent_fields(spec).contains(&field) {
        return None;
    }
    sent.after_refusal(field, tried)
}
