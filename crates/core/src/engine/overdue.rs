//! A task Loova has not finished within the deadline. Loova says a
//! generation takes up to about 3 hours; the same model's upstream service
//! expires a task after 48. A task still "running" long after that is stuck,
//! or Loova reports its end in a word we do not know, and polling it forever
//! helps nobody. The job stops polling and waits for the person, with its
//! task id kept: nothing is sent again (the task exists and was charged
//! once). The person looks on Loova, then attaches it again or marks it
//! failed (`JobAction::Attach`, `JobAction::MarkFailed`).

use super::{EngineError, Inner, NoticeKind};
use crate::store::{now_ms, JobRow, JobState, Patch};
use crate::ErrorCode;
use std::time::Duration;

/// How long a task may run before its job stops polling, and the hours the
/// person set (what the message names).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    pub after: Duration,
    pub hours: u64,
}

/// What the job says once it stopped polling.
pub fn overdue_text(hours: u64, task_id: &str) -> String {
    let unit = if hours == 1 { "hour" } else { "hours" };
    format!(
        "Loova has not finished this task in {hours} {unit} — check it on Loova, then attach or mark failed. Task {task_id} was created and charged once; Loova Desk stopped asking about it and never sends it again by itself."
    )
}

impl Inner {
    /// The deadline in force: the engine's override (tests), else the
    /// setting, scaled like every other engine time.
    pub(crate) fn task_deadline(&self) -> Deadline {
        let hours = crate::settings::task_deadline_hours(&self.db);
        let after = self.config.task_deadline.unwrap_or_else(|| Duration::from_secs_f64(hours as f64 * 3600.0 * self.config.time_scale));
        Deadline { after, hours }
    }

    /// After a round that left the job running: past the deadline, the job
    /// stops polling (`outcome_unknown`, task id kept) and the person is
    /// told. True when it stopped.
    pub(crate) fn stop_if_overdue(&self, job: &JobRow, task_id: &str, started: i64, deadline: Deadline) -> Result<bool, EngineError> {
        if now_ms() - started < deadline.after.as_millis() as i64 {
            return Ok(false);
        }
        let text = overdue_text(deadline.hours, task_id);
        let patch = Patch::new().error(ErrorCode::TaskOverdue, &text, None);
        if self.db.transition(job.id, &[JobState::Running], JobState::OutcomeUnknown, patch)? {
            self.job_notice(job.id, NoticeKind::NeedsDecision, format!("Job {}: Loova has not finished it", job.id), text);
            self.job_changed(job.id);
            self.wake.notify_one();
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_names_the_hours_and_both_ways_out() {
        let t = super::overdue_text(6, "task_9");
        assert!(t.starts_with("Loova has not finished this task in 6 hours — check it on Loova, then attach or mark failed."), "{t}");
        assert!(t.contains("task_9") && t.contains("charged once"), "{t}");
        assert!(super::overdue_text(1, "t").contains("in 1 hour —"));
    }
}
