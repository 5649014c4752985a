//! What `GET /__sim/state` and `SimHandle::state` return: per key, per user
//! and per task, never a key in clear.

use serde::{Deserialize, Serialize};

use super::{key_digest, Inner, KeyState, LogEntry, Task, TaskStatus};
use crate::clock::rfc3339;
use crate::validate::{Dialect, FunctionMode};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskSnapshot {
    pub task_id: String,
    pub prompt: String,
    pub model: String,
    /// The mode, ratio and duration the task runs in (what the service
    /// understood of the request, defaults applied).
    pub function_mode: FunctionMode,
    pub ratio: String,
    pub duration: u32,
    /// The encoding the create arrived in: json, flat, camel or params.
    #[serde(default)]
    pub dialect: Dialect,
    /// Request fields the service ignored (not part of its dialect).
    #[serde(default)]
    pub ignored_fields: Vec<String>,
    /// The name the mode was read under (`function_mode` or `functionMode`),
    /// `None` when the request named no mode (it ran the default).
    #[serde(default)]
    pub mode_field: Option<String>,
    pub images: usize,
    pub videos: usize,
    pub audios: usize,
    pub has_video_ref: bool,
    pub status: TaskStatus,
    pub credits_cost: i64,
    pub refunded: bool,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeySnapshot {
    pub key_hint: String,
    /// [`key_digest`] of the key (the key itself is never kept).
    #[serde(default)]
    pub key_sha256: String,
    /// The id of the key's user: its name, or `key:<digest>` for a key that
    /// is its own user.
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub revoked: bool,
    /// The user's balance (shared by all of the user's keys).
    pub credits_available: i64,
    pub credits_total: i64,
    /// Tasks created with this key.
    pub tasks_created: u64,
    /// The highest number of this key's tasks running at once.
    pub max_running_at_once: usize,
    /// This key's tasks running / queued now.
    pub running: usize,
    pub queued: usize,
    /// The tasks created with this key.
    pub tasks: Vec<TaskSnapshot>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserSnapshot {
    /// The user's name, or `key:<digest>` for a key that is its own user.
    pub user: String,
    /// Hints of the user's keys (revoked ones included).
    pub key_hints: Vec<String>,
    pub credits_available: i64,
    pub credits_total: i64,
    /// Tasks created with any of the user's keys.
    pub tasks_created: u64,
    /// The highest number of the user's tasks running at once: what the
    /// per-user limit caps.
    pub max_running_at_once: usize,
    pub running: usize,
    pub queued: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StateSnapshot {
    pub now: String,
    pub tasks_created: u64,
    pub keys: Vec<KeySnapshot>,
    #[serde(default)]
    pub users: Vec<UserSnapshot>,
    pub requests: Vec<LogEntry>,
}

impl StateSnapshot {
    /// The entry for the clear `key` (matched by its digest).
    pub fn key(&self, key: &str) -> Option<&KeySnapshot> {
        let digest = key_digest(key);
        self.keys.iter().find(|k| k.key_sha256 == digest)
    }

    /// The entry for a user, by name (or `key:<digest>`, see [`KeySnapshot::user`]).
    pub fn user(&self, user: &str) -> Option<&UserSnapshot> {
        self.users.iter().find(|u| u.user == user)
    }

    /// Every task of a user, whichever of its keys created it (grouped by
    /// key, each key's in creation order).
    pub fn user_tasks(&self, user: &str) -> Vec<&TaskSnapshot> {
        self.keys.iter().filter(|k| k.user == user).flat_map(|k| k.tasks.iter()).collect()
    }

    pub fn task(&self, task_id: &str) -> Option<&TaskSnapshot> {
        self.keys.iter().flat_map(|k| k.tasks.iter()).find(|t| t.task_id == task_id)
    }
}

fn count(tasks: &[TaskSnapshot], status: TaskStatus) -> usize {
    tasks.iter().filter(|t| t.status == status).count()
}

impl Inner {
    pub fn snapshot(&mut self) -> StateSnapshot {
        self.advance_all();
        let now = self.now();
        let mut keys: Vec<KeySnapshot> = self.keys.values().map(|ks| self.key_snapshot(ks)).collect();
        keys.sort_by(|a, b| (&a.key_hint, &a.key_sha256).cmp(&(&b.key_hint, &b.key_sha256)));
        let users = self
            .users
            .values()
            .map(|us| {
                let of_user = |s: TaskStatus| us.active.iter().filter(|id| self.tasks[*id].status == s).count();
                UserSnapshot {
                    user: us.user.clone(),
                    key_hints: keys.iter().filter(|k| k.user == us.user).map(|k| k.key_hint.clone()).collect(),
                    credits_available: us.credits_available,
                    credits_total: us.credits_total,
                    tasks_created: us.tasks_created,
                    max_running_at_once: us.max_running_at_once,
                    running: of_user(TaskStatus::Running),
                    queued: of_user(TaskStatus::Queued),
                }
            })
            .collect();
        StateSnapshot {
            now: rfc3339(now),
            tasks_created: keys.iter().map(|k| k.tasks_created).sum(),
            keys,
            users,
            requests: self.log.iter().cloned().collect(),
        }
    }

    fn key_snapshot(&self, ks: &KeyState) -> KeySnapshot {
        let tasks: Vec<TaskSnapshot> = ks.tasks.iter().map(|id| task_snapshot(&self.tasks[id])).collect();
        let (credits_available, credits_total) = self.users.get(&ks.user).map_or((0, 0), |u| (u.credits_available, u.credits_total));
        KeySnapshot {
            key_hint: ks.key_hint.clone(),
            key_sha256: ks.key_sha256.clone(),
            user: ks.user.clone(),
            revoked: ks.revoked,
            credits_available,
            credits_total,
            tasks_created: ks.tasks_created,
            max_running_at_once: ks.max_running_at_once,
            running: count(&tasks, TaskStatus::Running),
            queued: count(&tasks, TaskStatus::Queued),
            tasks,
        }
    }
}

pub fn task_snapshot(t: &Task) -> TaskSnapshot {
    TaskSnapshot {
        task_id: t.id.clone(),
        prompt: t.request.prompt.clone(),
        model: t.request.model.as_str().to_string(),
        function_mode: t.request.function_mode,
        ratio: t.request.ratio.clone(),
        duration: t.request.duration,
        dialect: t.request.dialect,
        ignored_fields: t.request.ignored_fields.clone(),
        mode_field: t.request.mode_field.clone(),
        images: t.request.images,
        videos: t.request.videos,
        audios: t.request.audios,
        has_video_ref: t.request.has_video_ref(),
        status: t.status,
        credits_cost: t.credits_cost,
        refunded: t.refunded,
        created_at: rfc3339(t.created_at),
        updated_at: rfc3339(t.updated_at),
        started_at: t.started_at.map(rfc3339),
        finished_at: t.finished_at.map(rfc3339),
        error_message: t.error_message.clone(),
    }
}
