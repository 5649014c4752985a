//! Tasks and their creation: the charge, the limit, and the draws that fix
//! how long a task runs and whether it fails.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::Inner;
use crate::config::LimitMode;
use crate::validate::{Model, ValidCreate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl TaskStatus {
    /// The documented word (the `/__sim/state` view and the default answers).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Queued => "queued",
            TaskStatus::Running => "running",
            TaskStatus::Succeeded => "succeeded",
            TaskStatus::Failed => "failed",
        }
    }
    pub fn is_final(self) -> bool {
        matches!(self, TaskStatus::Succeeded | TaskStatus::Failed)
    }
}

/// One task. Times are wall-clock milliseconds so they survive a restart.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    /// The creating key's digest ([`super::key_digest`]), never the key.
    pub key_sha256: String,
    /// The owning user's id: any of the user's keys may read the task.
    #[serde(default)]
    pub user: String,
    pub seq: u64,
    /// The settings the task runs with, and how they arrived.
    pub request: ValidCreate,
    pub status: TaskStatus,
    pub credits_cost: i64,
    pub refunded: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Earliest time the task may leave `queued` (end of the queued phase).
    pub ready_at: i64,
    pub run_ms: i64,
    pub started_at: Option<i64>,
    /// Planned finish (started_at + run_ms).
    pub finish_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub will_fail: bool,
    pub error_message: Option<String>,
}

/// Why a create was refused after validation.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateRefusal {
    InsufficientCredits,
    Concurrency,
}

/// What the random draws decided for a new task.
struct Draws {
    run_ms: i64,
    will_fail: bool,
    id_bits: u64,
}

impl Inner {
    /// Charge the key's user and create a task (`key` is the digest of a
    /// known key).
    pub fn create(&mut self, key: &str, req: ValidCreate) -> Result<String, CreateRefusal> {
        let now = self.now();
        let user = self.user_of(key).expect("authenticated key exists").to_string();
        self.advance_user(&user, now);
        let cost = crate::pricing::charge(&self.config.prices, &req);
        let us = &self.users[&user];
        if us.credits_available < cost {
            return Err(CreateRefusal::InsufficientCredits);
        }
        let limits = &self.config.limits;
        if limits.mode == LimitMode::Reject && us.active.len() >= limits.concurrency {
            return Err(CreateRefusal::Concurrency);
        }
        let draws = self.draw(&req);
        self.seq += 1;
        let id = format!("task_{}{:012x}", self.seq, draws.id_bits >> 16);
        let queued_ms = self.scaled_ms(self.config.timings.queued_secs);
        self.tasks.insert(
            id.clone(),
            Task {
                id: id.clone(),
                key_sha256: key.to_string(),
                user: user.clone(),
                seq: self.seq,
                request: req,
                status: TaskStatus::Queued,
                credits_cost: cost,
                refunded: false,
                created_at: now,
                updated_at: now,
                ready_at: now + queued_ms,
                run_ms: draws.run_ms,
                started_at: None,
                finish_at: None,
                finished_at: None,
                will_fail: draws.will_fail,
                error_message: None,
            },
        );
        let us = self.users.get_mut(&user).expect("exists");
        us.credits_available -= cost;
        us.tasks_created += 1;
        us.active.push(id.clone());
        let ks = self.keys.get_mut(key).expect("exists");
        ks.tasks_created += 1;
        ks.tasks.push(id.clone());
        self.dirty = true;
        self.advance_user(&user, now);
        Ok(id)
    }

    /// Draws in a fixed order (jitter, failure, id), so a seed reproduces
    /// the same tasks.
    fn draw(&mut self, req: &ValidCreate) -> Draws {
        let rt = match req.model {
            Model::Seedance20 => &self.config.timings.seedance_2_0,
            Model::Seedance20Fast => &self.config.timings.seedance_2_0_fast,
        };
        let jitter: f64 = if rt.jitter > 0.0 { self.rng.gen_range(-rt.jitter..=rt.jitter) } else { 0.0 };
        let secs = (rt.base_secs + rt.per_video_second_secs * req.duration as f64) * (1.0 + jitter);
        let run_ms = self.scaled_ms(secs);
        let will_fail = self.rng.gen::<f64>() < self.config.fail_rate;
        let id_bits: u64 = self.rng.gen();
        Draws { run_ms, will_fail, id_bits }
    }

    /// Simulated seconds → real milliseconds.
    fn scaled_ms(&self, secs: f64) -> i64 {
        (secs * self.config.timings.time_scale * 1000.0).max(0.0).round() as i64
    }
}
