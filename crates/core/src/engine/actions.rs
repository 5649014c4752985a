//! The person's actions on a job, shared by the desktop app and the CLI.
//! They work from any process: they only touch SQLite (one guarded UPDATE
//! each), and the running engine notices within a second.

use super::view::{drop_copies, job, JobView};
use super::EngineError;
use crate::media;
use crate::store::Col;
use crate::store::{Db, JobState, Patch, Place};
use crate::ErrorCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    /// Only before submission: nothing was sent, nothing is charged.
    Cancel,
    /// A failed, invalid, expired or canceled job: queued again (a new charge).
    Retry,
    /// Outcome unknown: send again, knowing it may be charged twice.
    Resubmit,
    /// Outcome unknown: "I found it on Loova — task id …". Needs the task
    /// id, so it is performed by [`super::attach`], not [`perform`].
    Attach,
    /// Outcome unknown: stop tracking it and free the slot.
    Forget,
    /// A task Loova has not finished within the deadline (outcome unknown,
    /// its task id known): the person saw on Loova that it will not finish
    /// and ends the job as failed. Nothing is sent.
    MarkFailed,
    /// Only before submission: a new recipe in place (the Composer or
    /// `loova jobs edit`). Needs the recipe, so it is performed by
    /// [`super::edit`], not [`perform`].
    Edit,
    /// To the front of its account's queue.
    MoveTop,
    MoveUp,
    MoveDown,
    /// To the back of its account's queue.
    MoveBottom,
    /// Open the saved video (the shell opens it).
    OpenVideo,
    /// Show the saved video in its folder (the shell does it).
    ShowInFolder,
}

/// What an action did: the job as it is now, or the file the shell opens.
#[derive(Debug, Clone)]
pub enum Performed {
    Changed(Box<JobView>),
    Open { path: String, reveal: bool },
}

impl JobAction {
    pub const ALL: [JobAction; 13] = [
        JobAction::Edit,
        JobAction::Cancel,
        JobAction::Retry,
        JobAction::Resubmit,
        JobAction::Attach,
        JobAction::Forget,
        JobAction::MarkFailed,
        JobAction::MoveTop,
        JobAction::MoveUp,
        JobAction::MoveDown,
        JobAction::MoveBottom,
        JobAction::OpenVideo,
        JobAction::ShowInFolder,
    ];

    /// The states a job may be in for this action: the one rule the UI's
    /// buttons, the CLI and the guarded UPDATEs follow.
    pub fn from_states(self) -> &'static [JobState] {
        match self {
            JobAction::Cancel | JobAction::Edit | JobAction::MoveTop | JobAction::MoveUp | JobAction::MoveDown | JobAction::MoveBottom => &[JobState::Queued],
            JobAction::Retry => &[JobState::Failed, JobState::Invalid, JobState::Expired, JobState::Canceled],
            JobAction::Resubmit | JobAction::Attach | JobAction::Forget | JobAction::MarkFailed => &[JobState::OutcomeUnknown],
            JobAction::OpenVideo | JobAction::ShowInFolder => &[JobState::Downloaded],
        }
    }

    pub fn allowed_in(self, state: JobState) -> bool {
        self.from_states().contains(&state)
    }

    /// What a job in `state` allows, knowing whether it has a task on Loova.
    /// An unknown outcome with a task id is a task that did not finish in
    /// time: it exists and was charged, so sending it again (a second
    /// charge) is not offered and "forget" is "mark failed"; one without a
    /// task id is a lost create answer, which nothing can mark failed.
    pub fn allowed_for(self, state: JobState, has_task: bool) -> bool {
        let fits = match self {
            JobAction::Resubmit | JobAction::Forget => !has_task,
            JobAction::MarkFailed => has_task,
            _ => true,
        };
        fits && self.allowed_in(state)
    }

    /// "Job 3 is running; it cannot be …"
    pub(crate) fn refusal(self) -> &'static str {
        match self {
            JobAction::Cancel => "canceled (only a queued job can be)",
            JobAction::Retry => "retried (only a failed, invalid, expired or canceled job can be)",
            JobAction::Resubmit => "submitted again (only a job whose outcome is unknown can be)",
            JobAction::Attach => "given a task found on Loova (only a job whose outcome is unknown can be)",
            JobAction::Forget => "forgotten (only a job whose outcome is unknown can be)",
            JobAction::MarkFailed => "marked failed (only a job whose task Loova has not finished in time can be)",
            JobAction::Edit => "edited (only a job not sent yet can be: it may have been sent by now)",
            JobAction::MoveTop | JobAction::MoveUp | JobAction::MoveDown | JobAction::MoveBottom => "moved (only a queued job can be)",
            JobAction::OpenVideo | JobAction::ShowInFolder => "opened (only a downloaded job has a video)",
        }
    }

    /// "Job 3 …" after the action succeeded (the CLI's line).
    pub fn done(self) -> &'static str {
        match self {
            JobAction::Cancel => "canceled",
            JobAction::Retry => "queued again (a new task: it will be charged again)",
            JobAction::Resubmit => "queued to be submitted again",
            JobAction::Attach => "follows the task found on Loova; its video is downloaded when it is ready",
            JobAction::Forget => "forgotten",
            JobAction::MarkFailed => "marked failed (nothing was sent again)",
            JobAction::Edit => "changed (it keeps its place in the queue)",
            JobAction::MoveTop => "moved to the top of its queue",
            JobAction::MoveUp => "moved up",
            JobAction::MoveDown => "moved down",
            JobAction::MoveBottom => "moved to the bottom of its queue",
            JobAction::OpenVideo | JobAction::ShowInFolder => "opened",
        }
    }
}

/// Performs `action` on job `id`.
pub fn perform(db: &Db, id: i64, action: JobAction) -> Result<Performed, EngineError> {
    let changed = match action {
        JobAction::Cancel => cancel(db, id)?,
        JobAction::Retry => retry(db, id)?,
        JobAction::Resubmit => resubmit_unknown(db, id)?,
        JobAction::Forget => forget(db, id)?,
        JobAction::MarkFailed => mark_failed(db, id)?,
        JobAction::Attach => return Err(super::AttachError::NoTaskId.into()),
        JobAction::Edit => {
            let needs = "Open it in the Composer (it saves in place), or use `loova jobs edit ID --duration …`.";
            return Err(EngineError::InvalidSpec(vec![crate::Violation::new(ErrorCode::InvalidInput, "spec", "Editing a job needs its new recipe", needs)]));
        }
        JobAction::MoveTop => super::edit::place(db, id, Place::Top)?,
        JobAction::MoveBottom => super::edit::place(db, id, Place::Bottom)?,
        JobAction::MoveUp => move_job(db, id, true)?,
        JobAction::MoveDown => move_job(db, id, false)?,
        JobAction::OpenVideo | JobAction::ShowInFolder => {
            let view = job(db, id)?;
            let path = view.video_path.filter(|p| std::path::Path::new(p).exists()).ok_or(EngineError::NoVideo(id))?;
            return Ok(Performed::Open { path, reveal: action == JobAction::ShowInFolder });
        }
    };
    Ok(Performed::Changed(Box::new(changed)))
}

fn act(db: &Db, id: i64, to: JobState, patch: Patch, action: JobAction) -> Result<JobView, EngineError> {
    if db.transition(id, action.from_states(), to, patch)? {
        return job(db, id);
    }
    let current = db.job(id)?.ok_or(EngineError::NoSuchJob(id))?;
    Err(EngineError::WrongState { id, state: current.state, action })
}

/// Only before submission: nothing was sent, nothing is charged.
pub fn cancel(db: &Db, id: i64) -> Result<JobView, EngineError> {
    let patch = Patch::new().error(ErrorCode::Canceled, "Canceled before it was sent.", None);
    let view = act(db, id, JobState::Canceled, patch, JobAction::Cancel)?;
    drop_copies(db, id);
    Ok(view)
}

/// A failed, invalid, expired or canceled job back into the queue: a new
/// task and a new charge (the UI confirms that first).
pub fn retry(db: &Db, id: i64) -> Result<JobView, EngineError> {
    // A canceled job's copies are gone: it cannot be sent as it was.
    let current = db.job(id)?.ok_or(EngineError::NoSuchJob(id))?;
    let missing: Vec<media::MediaError> = media::local_files(&current.spec)
        .into_iter()
        .filter(|(_, p)| !std::path::Path::new(p).is_file())
        .map(|(_, p)| media::MediaError::Unreadable {
            path: p.to_string(),
            reason: "the job's copy of this file was removed when the job ended; queue a new job with the original file".into(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(EngineError::Media(missing));
    }
    let fresh = Patch::new()
        .clear_error()
        .text(Col::TaskId, None)
        .text(Col::RawStatus, None)
        .int(Col::CreditsCost, None)
        .int(Col::SubmittedAt, None)
        .int(Col::StartedAt, None)
        .int(Col::FinishedAt, None)
        .int(Col::NextAttemptAt, None)
        .int(Col::Attempts, Some(0))
        .text(Col::VideoUrl, None)
        .text(Col::VideoPath, None)
        .int(Col::BytesDone, None)
        .int(Col::BytesTotal, None);
    act(db, id, JobState::Queued, fresh, JobAction::Retry)
}

/// The job must allow `action` knowing whether it has a task (see
/// [`JobAction::allowed_for`]).
fn check_task_rule(db: &Db, id: i64, action: JobAction) -> Result<(), EngineError> {
    let current = db.job(id)?.ok_or(EngineError::NoSuchJob(id))?;
    if action.allowed_for(current.state, current.task_id.is_some()) {
        return Ok(());
    }
    Err(EngineError::WrongState { id, state: current.state, action })
}

/// "Submit again (may be charged twice)": the person accepts the risk.
/// Never for a job whose task Loova made (it did not finish in time): that
/// is a second charge for certain.
pub fn resubmit_unknown(db: &Db, id: i64) -> Result<JobView, EngineError> {
    check_task_rule(db, id, JobAction::Resubmit)?;
    let patch =
        Patch::new().clear_error().text(Col::TaskId, None).int(Col::NextAttemptAt, None).int(Col::SubmittedAt, None).int(Col::ResentAfterUnknown, Some(1));
    act(db, id, JobState::Queued, patch, JobAction::Resubmit)
}

/// "Forget": the person gives up on an unknown outcome; frees the slot.
pub fn forget(db: &Db, id: i64) -> Result<JobView, EngineError> {
    check_task_rule(db, id, JobAction::Forget)?;
    let patch = Patch::new().error(ErrorCode::Forgotten, "Forgotten: it may still have been created and charged on Loova.", None);
    let view = act(db, id, JobState::Canceled, patch, JobAction::Forget)?;
    drop_copies(db, id);
    Ok(view)
}

/// "Mark failed": a task Loova did not finish in time, which the person
/// saw will not finish. Frees the slot; nothing is sent. The charge stays
/// as Loova reported it (a refund shows in the balance if Loova makes one).
pub fn mark_failed(db: &Db, id: i64) -> Result<JobView, EngineError> {
    check_task_rule(db, id, JobAction::MarkFailed)?;
    let task = db.job(id)?.and_then(|j| j.task_id).unwrap_or_default();
    let text = format!("Marked failed by you: Loova had not finished task {task}. Nothing was sent again; Retry would make (and charge) a new task.");
    let patch = Patch::new().int(Col::FinishedAt, Some(crate::store::now_ms())).error(ErrorCode::TaskOverdue, &text, None);
    let view = act(db, id, JobState::Failed, patch, JobAction::MarkFailed)?;
    drop_copies(db, id);
    Ok(view)
}

pub fn move_job(db: &Db, id: i64, up: bool) -> Result<JobView, EngineError> {
    let view = job(db, id)?;
    let action = if up { JobAction::MoveUp } else { JobAction::MoveDown };
    if !action.allowed_in(view.state) {
        return Err(EngineError::WrongState { id, state: view.state, action });
    }
    db.move_job(id, up)?;
    job(db, id)
}
