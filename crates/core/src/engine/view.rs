//! What a UI shows of a job, and queueing one. Works from any process (the
//! GUI, `loova` while the app runs): it only touches SQLite.

use super::actions::JobAction;
use super::EngineError;
use crate::job::JobSpec;
use crate::media::{self, MediaLimits, MediaLimitsFromDb};
use crate::pricing::LoadedPriceList;
use crate::store::{now_ms, Db, JobFilter, JobRow, JobState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobView {
    pub id: i64,
    pub account_id: String,
    /// The job's name, or the start of its prompt.
    pub title: String,
    pub name: Option<String>,
    pub spec: JobSpec,
    pub position: i64,
    pub state: JobState,
    /// The service's status word, verbatim (also unknown ones).
    pub raw_status: Option<String>,
    pub task_id: Option<String>,
    pub estimate_credits: Option<i64>,
    pub price_list_date: Option<String>,
    /// What the service charged (from the create answer or the task status).
    pub credits_cost: Option<i64>,
    /// Charged differs from the estimate.
    pub charge_differs: bool,
    /// Why, when the difference is a pattern Loova Desk recognises: "Loova
    /// seems to charge the reference video's 6 s too" (while the job's
    /// copies of its reference videos are there to measure).
    pub charge_note: Option<String>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub error: Option<String>,
    pub error_code: Option<crate::ErrorCode>,
    pub trace_id: Option<String>,
    pub video_path: Option<String>,
    pub bytes_done: Option<i64>,
    pub bytes_total: Option<i64>,
    pub expected_secs: Option<f64>,
    /// "Loova ran this as omni_reference — the mode field was not
    /// understood": the service ran other settings than were sent.
    pub settings_note: Option<String>,
    /// 0..1: elapsed vs expected run time while running (capped at 0.99),
    /// bytes while downloading, 1 when downloaded. See [`JobView::progress_at`].
    pub progress: Option<f64>,
    /// Priced at the video-reference rate: a video URL or a local video file.
    pub has_video_reference: bool,
    /// The service's status word while running when this client does not
    /// know it (shown verbatim so nothing is hidden); `None` for known words.
    pub unrecognized_status: Option<String>,
    /// What the person may do with the job now (see `JobAction::from_states`).
    pub allowed_actions: Vec<JobAction>,
    /// Done with, one way or another: its settings and files can start a new
    /// job in the Composer.
    pub can_open_in_composer: bool,
    /// The failed job this one retries.
    pub retry_of: Option<i64>,
    /// Moved here from a dry account by overflow: the Queue row says
    /// "moved from Studio (out of credits)".
    pub moved_from: Option<crate::store::MovedFrom>,
    /// The same in words, as the Queue row and `loova jobs` say it.
    pub moved_note: Option<String>,
    /// A saved video's pick and rating (the Queue fills it for the rows it
    /// lists; `None` elsewhere and before the video is in the Library).
    pub take: Option<crate::store::Take>,
}

/// 0..1 for a progress bar at `now` (ms since the epoch): elapsed against
/// expected run time while running (capped at 0.99: only the service says
/// when it is done), bytes sent while uploading, bytes saved while
/// downloading, 1 once saved.
pub fn progress(state: JobState, started_at: Option<i64>, expected_secs: Option<f64>, bytes: (Option<i64>, Option<i64>), now: i64) -> Option<f64> {
    let fraction = |(done, total): (Option<i64>, Option<i64>)| match (done, total) {
        (Some(d), Some(t)) if t > 0 => Some((d as f64 / t as f64).clamp(0.0, 1.0)),
        _ => None,
    };
    match state {
        JobState::Running => match (started_at, expected_secs) {
            (Some(s), Some(e)) if e > 0.0 => Some(((now - s) as f64 / 1000.0 / e).clamp(0.0, 0.99)),
            _ => None,
        },
        JobState::Submitting => fraction(bytes),
        JobState::Downloading => fraction(bytes).or(Some(0.0)),
        JobState::Downloaded => Some(1.0),
        _ => None,
    }
}

pub fn title_of(name: Option<&str>, prompt: &str) -> String {
    let base = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(prompt.trim());
    let mut t: String = base.chars().take(60).collect();
    if base.chars().count() > 60 {
        t.push('…');
    }
    t
}

impl JobView {
    /// The progress bar's fraction at `now`: a running job's moves with the
    /// clock between changes, so the app re-reads it every second.
    pub fn progress_at(&self, now: i64) -> Option<f64> {
        progress(self.state, self.started_at, self.expected_secs, (self.bytes_done, self.bytes_total), now)
    }

    pub fn from_row(r: JobRow) -> JobView {
        let progress = progress(r.state, r.started_at, r.expected_secs, (r.bytes_done, r.bytes_total), now_ms());
        let unrecognized_status =
            r.raw_status.clone().filter(|raw| r.state == JobState::Running && crate::api::TaskState::from_raw(raw) == crate::api::TaskState::Other);
        JobView {
            title: title_of(r.name.as_deref(), &r.spec.prompt),
            charge_differs: matches!((r.estimate_credits, r.credits_cost), (Some(e), Some(c)) if e != c),
            charge_note: crate::pricing::charge_note::reference_video_note(&r.spec, r.estimate_credits, r.credits_cost),
            has_video_reference: r.spec.has_video_reference(),
            allowed_actions: JobAction::ALL.into_iter().filter(|a| a.allowed_for(r.state, r.task_id.is_some())).collect(),
            can_open_in_composer: matches!(r.state, JobState::Failed | JobState::Invalid | JobState::Expired | JobState::Canceled | JobState::Downloaded),
            unrecognized_status,
            progress,
            id: r.id,
            account_id: r.account_id,
            name: r.name,
            spec: r.spec,
            position: r.position,
            state: r.state,
            raw_status: r.raw_status,
            task_id: r.task_id,
            estimate_credits: r.estimate_credits,
            price_list_date: r.price_list_date,
            credits_cost: r.credits_cost,
            created_at: r.created_at,
            submitted_at: r.submitted_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            updated_at: r.updated_at,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            error: r.last_error,
            error_code: r.last_error_code,
            trace_id: r.trace_id,
            video_path: r.video_path,
            bytes_done: r.bytes_done,
            bytes_total: r.bytes_total,
            expected_secs: r.expected_secs,
            settings_note: r.settings_note,
            retry_of: r.retry_of,
            moved_note: r.moved_from.as_ref().map(|m| format!("Moved from {} ({})", m.account_name, m.why.words())),
            moved_from: r.moved_from,
            take: None,
        }
    }
}

/// Queues a job. Refuses an invalid spec with every violation; stores the
/// estimate with the date of the price list it came from.
///
/// Local files are checked first (readable, a supported format of the right
/// kind, within [`MediaLimitsFromDb::from_db`]), then copied into
/// `<data dir>/media/<job id>/` in the same transaction that inserts the job,
/// so the stored spec points at the copies and no engine sees the job before
/// they exist. The data dir is the folder of the database.
pub fn enqueue(db: &Db, account_id: &str, spec: &JobSpec, name: Option<&str>, prices: &LoadedPriceList) -> Result<JobView, EngineError> {
    check_spec(db, spec)?;
    if db.account(account_id)?.is_none() {
        return Err(EngineError::NoSuchAccount(account_id.to_string()));
    }
    let est = crate::estimate(spec, &prices.list, &prices.info);
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let date = est.as_ref().map(|e| e.price_list.effective_date.to_string());
    let new = crate::store::NewJob { account_id, name, spec, estimate_credits: est.as_ref().map(|e| e.credits as i64), price_list_date: date.as_deref() };
    let id = if spec.has_local_files() {
        let data_dir = db.data_dir();
        let mut made: Option<i64> = None;
        let r = db.insert_job_with(&new, |id| {
            made = Some(id);
            media::copy_into(&data_dir, id, spec).map(Some).map_err(|e| EngineError::Media(vec![e]))
        });
        if r.is_err() {
            if let Some(id) = made {
                media::remove_copies(&data_dir, id);
            }
        }
        r?
    } else {
        db.insert_job(&new)?
    };
    job(db, id)
}

/// The rules a recipe must keep to be queued or saved over a queued one:
/// every field's (all violations at once), then its local files' (kind,
/// size, length, against the person's limits).
pub(super) fn check_spec(db: &Db, spec: &JobSpec) -> Result<(), EngineError> {
    let violations = spec.validate();
    if !violations.is_empty() {
        return Err(EngineError::InvalidSpec(violations));
    }
    if spec.has_local_files() {
        let problems = media::check_spec(spec, &MediaLimits::from_db(db));
        if !problems.is_empty() {
            return Err(EngineError::Media(problems));
        }
    }
    Ok(())
}

/// Removes the copies of a job's local files (after it ended for good).
pub(crate) fn drop_copies(db: &Db, id: i64) {
    media::remove_copies(&db.data_dir(), id);
}

pub fn job(db: &Db, id: i64) -> Result<JobView, EngineError> {
    db.job(id)?.map(JobView::from_row).ok_or(EngineError::NoSuchJob(id))
}

pub fn list_jobs(db: &Db, filter: &JobFilter) -> Result<Vec<JobView>, EngineError> {
    Ok(db.jobs(filter)?.into_iter().map(JobView::from_row).collect())
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
