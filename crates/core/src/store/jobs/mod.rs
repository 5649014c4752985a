//! Job rows. Every state change is one UPDATE guarded by the states it may
//! start from (`WHERE state IN (...)`), so it is atomic, and two actors (the
//! engine and a person in another process) can never both move the same job:
//! the loser's UPDATE matches no row.
//!
//! - `insert`: the one `INSERT INTO jobs` (single jobs and whole batches);
//! - `queries`: reads, counts by state (SQL `GROUP BY`), the scheduler's reads;
//! - `transitions`: guarded state changes, patches, reordering.

mod insert;
mod order;
mod overflow;
mod queries;
mod retry;
mod transitions;

pub use insert::{EditedJob, NewBatch, NewJob};
pub use order::{Place, Placed};
pub use queries::{AccountStateCount, JobFilter, JobOrder, StateCounts, TextSearch};
pub use transitions::{Col, Patch};

use super::bad_value;
use crate::ErrorCode;
use rusqlite::Row;
use serde::{Deserialize, Serialize};

/// Where a job is in its life. See `docs/ARCHITECTURE.md` ("Job states").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    /// The create request is (or may be) on its way: written before it leaves.
    Submitting,
    Running,
    /// Sent, no usable answer: may have been created and charged. A person decides.
    OutcomeUnknown,
    Succeeded,
    Downloading,
    Downloaded,
    Failed,
    Invalid,
    Canceled,
    /// The video link expired before the video was saved.
    Expired,
}

impl JobState {
    pub const ALL: [JobState; 11] = [
        JobState::Queued,
        JobState::Submitting,
        JobState::Running,
        JobState::OutcomeUnknown,
        JobState::Succeeded,
        JobState::Downloading,
        JobState::Downloaded,
        JobState::Failed,
        JobState::Invalid,
        JobState::Canceled,
        JobState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Submitting => "submitting",
            JobState::Running => "running",
            JobState::OutcomeUnknown => "outcome_unknown",
            JobState::Succeeded => "succeeded",
            JobState::Downloading => "downloading",
            JobState::Downloaded => "downloaded",
            JobState::Failed => "failed",
            JobState::Invalid => "invalid",
            JobState::Canceled => "canceled",
            JobState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A state a person typed (a filter), or the sentence naming the ones
    /// that exist: every front end says it the same way.
    pub fn parse_named(s: &str) -> Result<JobState, String> {
        JobState::parse(s).ok_or_else(|| {
            let all: Vec<&str> = JobState::ALL.iter().map(|st| st.as_str()).collect();
            format!("unknown state \"{s}\"; use one of {}", all.join(", "))
        })
    }

    /// The states counted against the account's concurrency limit: the one
    /// list of them (SQL gets it through [`JobState::sql_list`]).
    pub const IN_FLIGHT: [JobState; 3] = [JobState::Submitting, JobState::Running, JobState::OutcomeUnknown];

    /// Counted against the account's concurrency limit.
    pub fn in_flight(self) -> bool {
        Self::IN_FLIGHT.contains(&self)
    }

    /// `'a', 'b', …` for an SQL `IN (…)`: state names are fixed identifiers
    /// of this enum, never input, so they are spelled into the statement.
    pub fn sql_list(states: &[JobState]) -> String {
        states.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
    }

    /// Nothing more will happen without a person.
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Downloaded | JobState::Failed | JobState::Invalid | JobState::Canceled | JobState::Expired)
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub id: i64,
    pub account_id: String,
    pub batch_id: Option<String>,
    pub name: Option<String>,
    pub spec: crate::job::JobSpec,
    pub position: i64,
    pub estimate_credits: Option<i64>,
    pub price_list_date: Option<String>,
    pub state: JobState,
    pub task_id: Option<String>,
    pub raw_status: Option<String>,
    pub credits_cost: Option<i64>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_code: Option<ErrorCode>,
    pub trace_id: Option<String>,
    pub video_url: Option<String>,
    pub video_path: Option<String>,
    pub bytes_done: Option<i64>,
    pub bytes_total: Option<i64>,
    pub expected_secs: Option<f64>,
    /// The service ran the job with other settings than were sent (a field
    /// spelling it did not understand): kept for good, unlike `last_error`.
    pub settings_note: Option<String>,
    /// The failed job this one retries (a batch's "Retry failed").
    pub retry_of: Option<i64>,
    /// Moved here by overflow: from which account (its name then) and why.
    pub moved_from: Option<MovedFrom>,
}

/// Why an account's waiting jobs went to its overflow account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MoveReason {
    OutOfCredits,
    OverBudget,
}

impl MoveReason {
    pub fn as_str(self) -> &'static str {
        match self {
            MoveReason::OutOfCredits => "out_of_credits",
            MoveReason::OverBudget => "over_budget",
        }
    }

    pub fn parse(s: &str) -> Option<MoveReason> {
        [MoveReason::OutOfCredits, MoveReason::OverBudget].into_iter().find(|r| r.as_str() == s)
    }

    /// As a Queue row says it: "moved from Studio (out of credits)".
    pub fn words(self) -> &'static str {
        match self {
            MoveReason::OutOfCredits => "out of credits",
            MoveReason::OverBudget => "over its budget",
        }
    }
}

/// Where an overflowed job came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MovedFrom {
    pub account_id: String,
    /// The account's name when the job moved.
    pub account_name: String,
    pub why: MoveReason,
}

pub(crate) const COLUMNS: &str = "id, account_id, batch_id, name, spec, position, estimate_credits, price_list_date, state, task_id,
    raw_status, credits_cost, created_at, submitted_at, started_at, finished_at, updated_at, attempts, next_attempt_at,
    last_error, last_error_code, trace_id, video_url, video_path, bytes_done, bytes_total, expected_secs, settings_note, retry_of,
    moved_from, moved_from_name, moved_why";

/// A row as stored. A value this version does not know (a state, a code, a
/// spec that is not a JobSpec) is an error, never read as some default.
pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    let spec: String = r.get(4)?;
    let state: String = r.get(8)?;
    let code: Option<String> = r.get(20)?;
    Ok(JobRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        batch_id: r.get(2)?,
        name: r.get(3)?,
        spec: serde_json::from_str(&spec).map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?,
        position: r.get(5)?,
        estimate_credits: r.get(6)?,
        price_list_date: r.get(7)?,
        state: JobState::parse(&state).ok_or_else(|| bad_value(8, "jobs.state", &state))?,
        task_id: r.get(9)?,
        raw_status: r.get(10)?,
        credits_cost: r.get(11)?,
        created_at: r.get(12)?,
        submitted_at: r.get(13)?,
        started_at: r.get(14)?,
        finished_at: r.get(15)?,
        updated_at: r.get(16)?,
        attempts: r.get(17)?,
        next_attempt_at: r.get(18)?,
        last_error: r.get(19)?,
        last_error_code: code.map(|c| ErrorCode::parse(&c).ok_or_else(|| bad_value(20, "jobs.last_error_code", &c))).transpose()?,
        trace_id: r.get(21)?,
        video_url: r.get(22)?,
        video_path: r.get(23)?,
        bytes_done: r.get(24)?,
        bytes_total: r.get(25)?,
        expected_secs: r.get(26)?,
        settings_note: r.get(27)?,
        retry_of: r.get(28)?,
        moved_from: moved_from(r)?,
    })
}

fn moved_from(r: &Row<'_>) -> rusqlite::Result<Option<MovedFrom>> {
    let (id, name, why): (Option<String>, Option<String>, Option<String>) = (r.get(29)?, r.get(30)?, r.get(31)?);
    let (Some(account_id), Some(why)) = (id, why) else {
        return Ok(None);
    };
    let why = MoveReason::parse(&why).ok_or_else(|| bad_value(31, "jobs.moved_why", &why))?;
    Ok(Some(MovedFrom { account_name: name.unwrap_or_else(|| account_id.clone()), account_id, why }))
}
