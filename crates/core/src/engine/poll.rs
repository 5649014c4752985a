//! Following a running task. Adaptive: quiet until the task is nearly due
//! (from the expected run time), then frequent around the expected finish,
//! then less and less often for a task that runs long (jobs may take hours).
//! A failed poll never fails a job: it only delays the next one.

use super::{backoff, jitter, EngineError, Inner, NoticeKind};
use crate::api::{ErrorClass, TaskState};
use crate::store::{now_ms, JobState, Patch};
use std::sync::Arc;
use std::time::Duration;

const FROM: &[JobState] = &[JobState::Running];

/// When to poll next, from the time since the task started and its
/// expected run time (both seconds).
pub fn poll_delay(elapsed: f64, expected: f64, min: Duration, max: Duration) -> Duration {
    let expected = expected.max(0.001);
    let wait = if elapsed < 0.75 * expected {
        0.75 * expected - elapsed
    } else if elapsed < 1.3 * expected {
        0.05 * expected
    } else {
        // Overdue: the interval grows with the overdue time.
        0.05 * expected + 0.25 * (elapsed - 1.3 * expected)
    };
    jitter(Duration::from_secs_f64(wait), 0.1).clamp(min, max)
}

impl Inner {
    pub(crate) async fn poll_job(self: Arc<Self>, id: i64) {
        if let Err(e) = self.poll_loop(id).await {
            eprintln!("loova-desk: job {id}: {e}");
            // A database hiccup: let the loop start polling again soon.
            self.pause(self.config.retry_base).await;
        }
    }

    async fn poll_loop(self: &Arc<Self>, id: i64) -> Result<(), EngineError> {
        let mut errors: u32 = 0;
        let mut not_found: u32 = 0;
        loop {
            let Some(job) = self.db.job(id)? else { return Ok(()) };
            if job.state != JobState::Running {
                return Ok(());
            }
            let Some(task_id) = job.task_id.clone() else {
                let patch = Patch::new().error("no_task_id", "Internal error: a running job without a task id.", None);
                self.db.transition(id, FROM, JobState::OutcomeUnknown, patch)?;
                return Ok(());
            };
            let elapsed = (now_ms() - job.started_at.unwrap_or(job.updated_at)) as f64 / 1000.0;
            let expected = job.expected_secs.unwrap_or_else(|| self.config.default_expected_secs(&job.spec.model, job.spec.duration));
            let wait = if errors > 0 {
                backoff(self.config.min_poll, self.config.max_poll, errors)
            } else {
                poll_delay(elapsed, expected, self.config.min_poll, self.config.max_poll)
            };
            if self.pause(wait).await {
                return Ok(());
            }
            let (client, key) = match self.client(&job.account_id).await {
                Ok(ck) => ck,
                Err(_) => {
                    errors += 1;
                    continue;
                }
            };
            self.count(&self.stats.status_requests);
            match client.task(&key, &task_id).await {
                Ok(info) => {
                    errors = 0;
                    not_found = 0;
                    let cost = info.credits_cost.or(job.credits_cost);
                    match info.status {
                        TaskState::Succeeded if info.video_url.is_some() => {
                            let patch = Patch::new()
                                .text("raw_status", Some(&info.raw_status))
                                .int("credits_cost", cost)
                                .text("video_url", info.video_url.as_deref())
                                .int("finished_at", Some(now_ms()))
                                .clear_error();
                            self.db.transition(id, FROM, JobState::Succeeded, patch)?;
                            self.finished(&job.account_id, id);
                            return Ok(());
                        }
                        TaskState::Failed => {
                            let why = info.error_message.clone().unwrap_or_else(|| "Loova reported that the task failed (no reason given).".into());
                            let patch = Patch::new()
                                .text("raw_status", Some(&info.raw_status))
                                .int("credits_cost", cost)
                                .int("finished_at", Some(now_ms()))
                                .error("task_failed", &format!("Loova: {why}"), None);
                            self.db.transition(id, FROM, JobState::Failed, patch)?;
                            self.notice(NoticeKind::JobFailed, format!("Job {id} failed"), why);
                            self.finished(&job.account_id, id);
                            return Ok(());
                        }
                        _ => {
                            // Queued, running, unknown words (kept verbatim),
                            // or succeeded without a link yet: poll on.
                            if job.raw_status.as_deref() != Some(&info.raw_status) || job.credits_cost != cost || job.last_error.is_some() {
                                self.db.patch_job(id, Patch::new().text("raw_status", Some(&info.raw_status)).int("credits_cost", cost).clear_error())?;
                                self.job_changed(id);
                            }
                        }
                    }
                }
                Err(e) => match e.class() {
                    ErrorClass::NotFound => {
                        not_found += 1;
                        if not_found >= self.config.not_found_polls {
                            let text = format!("Loova answered \"task not found\" for task {task_id} {not_found} times in a row: it may have been deleted, or the account's key now belongs to another user. Check the Loova web app before retrying (a retry is a new charge).");
                            let patch = Patch::new().int("finished_at", Some(now_ms())).error("task_not_found", &text, e.trace_id());
                            self.db.transition(id, FROM, JobState::Failed, patch)?;
                            self.notice(NoticeKind::JobFailed, format!("Job {id} failed"), text);
                            self.finished(&job.account_id, id);
                            return Ok(());
                        }
                        errors += 1;
                    }
                    class => {
                        if class == ErrorClass::Auth {
                            self.forget_client(&job.account_id).await;
                            if self.db.account(&job.account_id)?.is_some_and(|a| a.state != "key_rejected") {
                                self.db.set_account_state(&job.account_id, "key_rejected")?;
                                self.account_changed(&job.account_id);
                            }
                        }
                        errors += 1;
                        self.db.patch_job(id, Patch::new().error("poll_failed", &format!("Checking the status failed; trying again. {e}"), e.trace_id()))?;
                        self.job_changed(id);
                    }
                },
            }
        }
    }

    fn finished(&self, account_id: &str, id: i64) {
        self.slot_freed(account_id);
        self.job_changed(id);
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_early_frequent_near_the_end_slower_when_overdue() {
        let (min, max) = (Duration::from_millis(100), Duration::from_secs(60));
        let first = poll_delay(0.0, 60.0, min, max).as_secs_f64();
        assert!((40.0..=50.0).contains(&first), "{first}");
        let near = poll_delay(50.0, 60.0, min, max).as_secs_f64();
        assert!((2.5..=3.5).contains(&near), "{near}");
        let late = poll_delay(600.0, 60.0, min, max).as_secs_f64();
        assert!(late > 50.0, "{late}");
        assert_eq!(poll_delay(36000.0, 60.0, min, max), max);
        assert_eq!(poll_delay(0.0011, 0.001, min, max), min);
    }
}
