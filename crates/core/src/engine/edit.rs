//! Changing a job before it is sent: a new recipe in place, or a new place
//! in its account's queue. Both only while it is `queued` (waiting for a
//! slot, its budget or its paused account): every write is guarded by that
//! state, so a job that may have been sent is never changed.

use super::actions::JobAction;
use super::view::{job, JobView};
use super::EngineError;
use crate::media;
use crate::pricing::LoadedPriceList;
use crate::store::{Db, EditedJob, Place, Placed};
use crate::JobSpec;

/// Replaces queued job `id`'s recipe with `spec` (and its name with `name`
/// when given; empty clears it), re-priced now, in the same place in the
/// queue. Refused, with nothing changed, when the spec breaks a rule or the
/// job moved on (to `submitting`: it may be sent) while it was edited.
///
/// Local files are copied into a new sub-folder of the job's copies before
/// the change commits; afterwards the files the old recipe alone used go.
pub fn edit(db: &Db, id: i64, spec: &JobSpec, name: Option<&str>, prices: &LoadedPriceList) -> Result<JobView, EngineError> {
    let current = job(db, id)?;
    let refused = |state| EngineError::WrongState { id, state, action: JobAction::Edit };
    if !JobAction::Edit.allowed_in(current.state) {
        return Err(refused(current.state));
    }
    super::view::check_spec(db, spec)?;
    let data_dir = db.data_dir();
    let stored = if spec.has_local_files() { media::copy_for_edit(&data_dir, id, spec).map_err(|e| EngineError::Media(vec![e]))? } else { spec.clone() };
    let est = crate::estimate(&stored, &prices.list, &prices.info);
    let date = est.as_ref().map(|e| e.price_list.effective_date.to_string());
    let name = match name {
        Some(n) => Some(n.trim()).filter(|n| !n.is_empty()),
        None => current.name.as_deref(),
    };
    let edited = EditedJob { name, spec: &stored, estimate_credits: est.as_ref().map(|e| e.credits as i64), price_list_date: date.as_deref() };
    if !db.replace_queued(id, &edited)? {
        // Sent (or canceled) meanwhile: the new copies go, the old stay.
        media::prune_copies(&data_dir, id, &current.spec);
        let now = db.job(id)?.ok_or(EngineError::NoSuchJob(id))?;
        return Err(refused(now.state));
    }
    media::prune_copies(&data_dir, id, &stored);
    job(db, id)
}

/// Moves queued job `id` to `place` in its account's queue (the scheduler
/// sends in that order).
pub fn place(db: &Db, id: i64, place: Place) -> Result<JobView, EngineError> {
    let action = match place {
        Place::Top => JobAction::MoveTop,
        Place::Bottom => JobAction::MoveBottom,
        Place::Before(_) => JobAction::MoveUp,
    };
    // Only `Before` names another job: the one a refusal is about.
    let target = match place {
        Place::Before(other) => other,
        _ => id,
    };
    let why = match db.place_job(id, place)? {
        Placed::Moved => return job(db, id),
        Placed::NotQueued => return Err(EngineError::WrongState { id, state: job(db, id)?.state, action }),
        Placed::TargetNotQueued => format!("job {target} is {}, not queued", job(db, target)?.state),
        Placed::OtherAccount => format!("job {target} is in another account's queue"),
    };
    Err(EngineError::WrongTarget { id, target, why })
}
