//! What the campaign checks at the end, against the simulator's ledger:
//! no task created twice for one job, at most 6 running per user at every
//! moment, every charged task's video on disk and byte-identical to the
//! service's (or its job showing why not), no job stuck, no `.part` file,
//! the key in no file.

use crate::sim::Sim;
use loova_core::store::{JobRow, JobState};
use loova_sim::{StateSnapshot, TaskStatus};
use std::collections::HashMap;
use std::path::Path;

/// The app's cap per user (the price list's concurrency limit).
pub const OUR_CAP: usize = 6;

#[derive(Debug, Default)]
pub struct Figures {
    pub tasks_created: u64,
    pub max_running: usize,
    pub videos_verified: u32,
    pub jobs_failed: u32,
    /// Tasks created from a multipart create (jobs with a local file).
    pub multipart: u32,
}

pub struct Findings {
    pub figures: Figures,
    pub violations: Vec<String>,
}

pub async fn check(sim: &Sim, ledger: &StateSnapshot, jobs: &[JobRow], folders: &[&Path], key: &str) -> anyhow::Result<Findings> {
    let mut v = Vec::new();
    let mut f = Figures { tasks_created: ledger.tasks_created, ..Figures::default() };

    let by_prompt: HashMap<&str, &JobRow> = jobs.iter().map(|j| (j.spec.prompt.as_str(), j)).collect();
    let mut tasks_of: HashMap<i64, Vec<&loova_sim::TaskSnapshot>> = HashMap::new();
    for t in ledger.keys.iter().flat_map(|k| k.tasks.iter()) {
        match by_prompt.get(t.prompt.as_str()) {
            Some(j) => tasks_of.entry(j.id).or_default().push(t),
            None => v.push(format!("task {} on Loova belongs to no job (prompt {:?})", t.task_id, t.prompt)),
        }
    }
    for (id, tasks) in &tasks_of {
        let job = jobs.iter().find(|j| j.id == *id).expect("a job of the ledger's tasks");
        for t in tasks {
            let (spec, asked) = (&job.spec, (job.spec.model.as_str(), job.spec.function_mode.as_str(), job.spec.ratio.as_str(), job.spec.duration));
            if (t.model.as_str(), t.function_mode.as_str(), t.ratio.as_str(), t.duration) != asked {
                v.push(format!(
                    "job {id}: Loova ran task {} as {} {} {} {} s, not as asked ({asked:?})",
                    t.task_id,
                    t.model,
                    t.function_mode.as_str(),
                    t.ratio,
                    t.duration
                ));
            }
            if spec.has_local_files() {
                f.multipart += 1;
            }
        }
        if tasks.len() > 1 {
            let ids: Vec<&str> = tasks.iter().map(|t| t.task_id.as_str()).collect();
            v.push(format!("job {id}: {} tasks created on Loova for one job: {ids:?}", tasks.len()));
        }
    }

    for u in &ledger.users {
        f.max_running = f.max_running.max(u.max_running_at_once);
        if u.max_running_at_once > OUR_CAP {
            v.push(format!("user {}: {} tasks ran at once (the app's cap is {OUR_CAP})", u.user, u.max_running_at_once));
        }
    }

    for j in jobs {
        if !j.state.is_final() {
            v.push(format!("job {} stuck in {} ({})", j.id, j.state, j.last_error.as_deref().unwrap_or("no reason shown")));
        }
        match j.state {
            JobState::Invalid => v.push(format!("job {} ended invalid although it was valid: {}", j.id, j.last_error.as_deref().unwrap_or("no reason"))),
            JobState::Failed => {
                f.jobs_failed += 1;
                let task = tasks_of.get(&j.id).and_then(|ts| ts.iter().find(|t| Some(&t.task_id) == j.task_id.as_ref()));
                if task.is_none_or(|t| t.status != TaskStatus::Failed) {
                    v.push(format!("job {} failed ({}) but its task on Loova did not", j.id, j.last_error.as_deref().unwrap_or("no reason")));
                }
            }
            _ => {}
        }
    }

    // Charged tasks: every succeeded one delivered, byte for byte.
    sim.clear_faults().await?;
    for (id, tasks) in &tasks_of {
        let job = jobs.iter().find(|j| j.id == *id).expect("a job of the ledger's tasks");
        for t in tasks.iter().filter(|t| t.status == TaskStatus::Succeeded) {
            if job.task_id.as_deref() != Some(&t.task_id) {
                v.push(format!("job {id}: Loova made and charged task {} but the job follows {:?}", t.task_id, job.task_id));
                continue;
            }
            let Some(path) = job.video_path.as_deref().filter(|_| job.state == JobState::Downloaded) else {
                if job.last_error.is_none() {
                    v.push(format!("job {id}: task {} succeeded, the job is {} and shows no reason", t.task_id, job.state));
                }
                continue;
            };
            let served = sim.video(&t.task_id).await?;
            match std::fs::read(path) {
                Ok(saved) if saved == served => f.videos_verified += 1,
                Ok(saved) => v.push(format!("job {id}: {path} has {} bytes that differ from Loova's {} bytes", saved.len(), served.len())),
                Err(e) => v.push(format!("job {id}: its video {path} cannot be read: {e}")),
            }
        }
    }

    for dir in folders {
        for p in loova_testkit::part_files(dir) {
            v.push(format!("partial download left: {}", p.display()));
        }
        for p in loova_testkit::files_containing(dir, key) {
            v.push(format!("the API key is in {}", p.display()));
        }
    }
    Ok(Findings { figures: f, violations: v })
}
