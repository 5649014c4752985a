//! "I found it on Loova — task id …": a person recovers the lost answer of
//! an outcome_unknown job by naming the task Loova made for it. The task is
//! fetched with the job's own account key (`GET /v1/tasks`, which shows only
//! that user's tasks), checked against the job (model, duration), and the
//! job continues as `running` with that task: the engine polls and
//! downloads it like any other. Nothing is created, so nothing is charged.

use super::actions::JobAction;
use super::view::{job, JobView};
use super::EngineError;
use crate::accounts::Accounts;
use crate::api::{ApiError, ErrorClass};
use crate::store::Col;
use crate::store::{now_ms, Db, JobRow, JobState, Patch};
use crate::ErrorCode;

/// Why a task cannot be attached to the job.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("Enter the task id shown on Loova's dashboard (for example 3f1c…); it was empty.")]
    NoTaskId,
    #[error(
        "Loova has no task {task_id} on this job's account ({account}). Check the id on Loova's dashboard, and that the job's account is the one that made it."
    )]
    NotOnAccount { task_id: String, account: String },
    #[error("Task {task_id} is not this job's: {what}. Check the id, or choose \"It is not on Loova — send it\".")]
    Mismatch { task_id: String, what: String },
    #[error("Task {task_id} is already job {other}'s; one task cannot belong to two jobs.")]
    Taken { task_id: String, other: i64 },
    #[error("Could not look the task up on Loova: {0}")]
    Api(ApiError),
}

impl AttachError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AttachError::NoTaskId => ErrorCode::InvalidInput,
            AttachError::NotOnAccount { .. } => ErrorCode::TaskNotFound,
            AttachError::Mismatch { .. } | AttachError::Taken { .. } => ErrorCode::AttachMismatch,
            AttachError::Api(e) => e.code(),
        }
    }

    /// The person named the wrong task (CLI exit 2), not a failure of the
    /// service or this computer (exit 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, AttachError::Api(_))
    }
}

/// Attaches task `task_id` to the outcome_unknown job `id` (any process:
/// the running engine notices the change and follows the task).
pub async fn attach(db: &Db, accounts: &Accounts, id: i64, task_id: &str) -> Result<JobView, EngineError> {
    let task_id = task_id.trim();
    let current = db.job(id)?.ok_or(EngineError::NoSuchJob(id))?;
    if !JobAction::Attach.allowed_in(current.state) {
        return Err(EngineError::WrongState { id, state: current.state, action: JobAction::Attach });
    }
    if task_id.is_empty() {
        return Err(AttachError::NoTaskId.into());
    }
    if let Some(other) = db.job_with_task(task_id)?.filter(|o| *o != id) {
        return Err(AttachError::Taken { task_id: task_id.into(), other }.into());
    }
    let row = db.account(&current.account_id)?.ok_or_else(|| EngineError::NoSuchAccount(current.account_id.clone()))?;
    let client = accounts.client(&row).await?;
    let key = accounts.key(&row.id).await?;
    let task = match client.task(&key, task_id).await {
        Ok(t) => t,
        Err(e) if e.class() == ErrorClass::NotFound => return Err(AttachError::NotOnAccount { task_id: task_id.into(), account: row.name }.into()),
        Err(e) => return Err(AttachError::Api(e).into()),
    };
    if let Some(what) = mismatch(&current, task.model.as_deref(), task.duration) {
        return Err(AttachError::Mismatch { task_id: task_id.into(), what }.into());
    }
    let patch = Patch::new()
        .text(Col::TaskId, Some(&task.task_id))
        .text(Col::RawStatus, Some(&task.raw_status))
        .int(Col::CreditsCost, task.credits_cost.or(current.estimate_credits))
        // A task that did not finish in time gets a fresh deadline from now;
        // a lost create answer's task started when it was sent.
        .int(Col::StartedAt, Some(if current.task_id.is_some() { now_ms() } else { current.submitted_at.unwrap_or_else(now_ms) }))
        .int(Col::NextAttemptAt, None)
        .clear_error();
    if !db.transition(id, JobAction::Attach.from_states(), JobState::Running, patch)? {
        // Someone decided first (resubmitted or forgot it meanwhile).
        let now = db.job(id)?.ok_or(EngineError::NoSuchJob(id))?;
        return Err(EngineError::WrongState { id, state: now.state, action: JobAction::Attach });
    }
    job(db, id)
}

/// What differs between the job and the task, naming both values. A field
/// the task's status does not show (the documented answer has no duration)
/// cannot be compared and is not held against it.
fn mismatch(job: &JobRow, model: Option<&str>, duration: Option<u32>) -> Option<String> {
    mismatch_of(&job.spec.model, job.spec.duration, model, duration)
}

fn mismatch_of(job_model: &str, job_duration: u32, model: Option<&str>, duration: Option<u32>) -> Option<String> {
    let mut diffs = Vec::new();
    if let Some(model) = model.filter(|m| *m != job_model) {
        diffs.push(format!("its model is {model}, the job's is {job_model}"));
    }
    if let Some(d) = duration.filter(|d| *d != job_duration) {
        diffs.push(format!("its duration is {d} s, the job's is {job_duration} s"));
    }
    (!diffs.is_empty()).then(|| diffs.join("; "))
}

#[cfg(test)]
mod tests {
    use super::mismatch_of;

    #[test]
    fn a_mismatch_names_both_values() {
        assert_eq!(mismatch_of("seedance_2_0", 5, Some("seedance_2_0"), Some(5)), None);
        assert_eq!(mismatch_of("seedance_2_0", 5, Some("seedance_2_0"), None), None, "a duration not shown is not held against it");
        assert_eq!(
            mismatch_of("seedance_2_0", 5, Some("seedance_2_0_fast"), Some(8)).as_deref(),
            Some("its model is seedance_2_0_fast, the job's is seedance_2_0; its duration is 8 s, the job's is 5 s")
        );
    }
}
