//! `list_jobs`, `job_status`, `cancel_job`, `retry_job`: the queue as the app
//! shows it (`engine::list_jobs`, `engine::job`) and the actions it allows,
//! through the queue's own guarded rules (`engine::cancel`, `engine::retry`).

use super::reply;
use super::server::LoovaMcp;
use loova_core::engine::{self, JobAction, JobView};
use loova_core::store::{JobFilter, JobState};
use loova_core::ErrorCode;
use rmcp::model::CallToolResult;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    /// Only this batch's jobs (its id or name, as `queue_jobs` answered).
    pub batch: Option<String>,
    /// Only jobs in this state: queued, submitting, running, outcome_unknown, succeeded, downloading, downloaded, failed, invalid, expired or canceled.
    pub state: Option<String>,
    /// Only this account's jobs (its name).
    pub account: Option<String>,
    /// Only jobs whose prompt, name, Loova task id or saved file contain this text, in any case.
    pub text: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobId {
    /// The job's id (from `queue_jobs` or `list_jobs`).
    pub id: i64,
}

/// What an assistant needs of a job.
#[derive(Debug, Serialize)]
pub struct JobLine {
    id: i64,
    title: String,
    state: JobState,
    /// 0..1 while running or downloading, 1 when saved.
    progress: Option<f64>,
    estimate_credits: Option<i64>,
    /// What Loova charged (known once it accepted the job).
    credits_cost: Option<i64>,
    charge_differs: bool,
    /// The saved video, once downloaded.
    video_path: Option<String>,
    /// Its recipe, as an MCP resource.
    recipe: Option<String>,
    error: Option<String>,
    error_code: Option<ErrorCode>,
    /// What may be done with it now (cancel_job: `cancel`, retry_job: `retry`).
    allowed_actions: Vec<JobAction>,
}

impl JobLine {
    fn of(j: JobView) -> JobLine {
        let downloaded = j.state == JobState::Downloaded;
        JobLine {
            recipe: downloaded.then(|| super::resources::recipe_uri(j.id)),
            video_path: j.video_path.filter(|_| downloaded),
            id: j.id,
            title: j.title,
            state: j.state,
            progress: j.progress,
            estimate_credits: j.estimate_credits,
            credits_cost: j.credits_cost,
            charge_differs: j.charge_differs,
            error: j.error,
            error_code: j.error_code,
            allowed_actions: j.allowed_actions,
        }
    }
}

pub fn list_jobs(server: &LoovaMcp, input: &ListInput) -> CallToolResult {
    let db = server.db();
    let mut filter = JobFilter::default();
    if let Some(s) = &input.state {
        match JobState::parse_named(s) {
            Ok(st) => filter.states.push(st),
            Err(why) => return reply::error(ErrorCode::InvalidInput, why, Some("state")),
        }
    }
    if let Some(name) = &input.account {
        match server.accounts().find(name) {
            Ok(a) => filter.account_id = Some(a.id),
            Err(e) => return reply::failure(&e),
        }
    }
    if let Some(b) = &input.batch {
        let batches = match db.batches() {
            Ok(bs) => bs,
            Err(e) => return reply::failure(&e),
        };
        match batches.iter().rev().find(|x| x.id == *b || x.name == *b) {
            Some(found) => filter.batch_id = Some(found.id.clone()),
            None => {
                return reply::error(
                    ErrorCode::InvalidInput,
                    format!("No batch has the id or name \"{b}\"; `list_jobs` without `batch` shows every job."),
                    Some("batch"),
                )
            }
        }
    }
    filter.text = input.text.clone();
    let jobs = match engine::list_jobs(db, &filter) {
        Ok(j) => j,
        Err(e) => return reply::engine(&e),
    };
    let lines: Vec<JobLine> = jobs.into_iter().map(JobLine::of).collect();
    let mut counts: std::collections::BTreeMap<&str, u64> = Default::default();
    for l in &lines {
        *counts.entry(l.state.as_str()).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let said = if lines.is_empty() { "No jobs.".to_string() } else { format!("{} job(s): {}.", lines.len(), parts.join(", ")) };
    reply::ok(said, &serde_json::json!({"jobs": lines, "engine": server.engine_status()}))
}

pub fn job_status(server: &LoovaMcp, id: i64) -> CallToolResult {
    match engine::job(server.db(), id) {
        Ok(j) => {
            let line = JobLine::of(j);
            let said = match (&line.video_path, &line.error) {
                (Some(p), _) => format!("Job {id} is {}: saved at {p}.", line.state),
                (None, Some(e)) => format!("Job {id} is {}: {e}", line.state),
                _ => format!("Job {id} is {}.", line.state),
            };
            reply::ok(said, &line)
        }
        Err(e) => reply::engine(&e),
    }
}

type Perform = fn(&loova_core::store::Db, i64) -> Result<JobView, engine::EngineError>;

/// Cancel (only a queued job: nothing was sent) or retry (a failed, invalid,
/// expired or canceled job: a new task and a new charge).
pub fn act(server: &LoovaMcp, id: i64, action: JobAction) -> CallToolResult {
    let perform: Perform = if action == JobAction::Retry { engine::retry } else { engine::cancel };
    match perform(server.db(), id) {
        Ok(j) => {
            server.wake_engine();
            let said = format!("Job {id} {}.", action.done());
            reply::ok(said, &JobLine::of(j))
        }
        Err(e) => reply::engine(&e),
    }
}
