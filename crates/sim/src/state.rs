//! All mutable simulator state, behind one mutex so that credit accounting,
//! counts and "highest number running at once" are exact under any amount of
//! concurrency.
//!
//! Task lifecycles are computed from timestamps: `advance` replays, per key and
//! in time order, every finish and every queued→running start that happened
//! up to `now`. The result therefore does not depend on when (or how often)
//! it is evaluated; requests, snapshots and a ticker all call it.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::clock::{now_ms, rfc3339};
use crate::config::{CostFormat, LimitMode, SimConfig};
use crate::faults::FaultKind;
use crate::validate::{FunctionMode, Model, ValidCreate};

/// The last 4 characters of a key, which is all that is ever shown.
pub fn key_hint(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

/// How the simulator identifies a key: the lowercase hex SHA-256 of its
/// bytes. The key itself is never kept — not in memory state, not in the
/// state file — only this digest and the hint, both computed from the clear
/// key when it is added or presented as a Bearer token.
pub fn key_digest(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl TaskStatus {
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
    /// The owning key's digest ([`key_digest`]), never the key.
    pub key_sha256: String,
    pub seq: u64,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyState {
    /// [`key_digest`] of the key; the key itself is never stored.
    pub key_sha256: String,
    /// [`key_hint`] of the key, computed when it was added.
    pub key_hint: String,
    pub credits_available: i64,
    pub credits_total: i64,
    pub tasks_created: u64,
    pub max_running_at_once: usize,
    /// Time up to which this key's timeline has been replayed.
    pub clock: i64,
    /// Non-final task ids in creation order.
    pub active: Vec<String>,
    /// All task ids in creation order.
    pub tasks: Vec<String>,
}

impl KeyState {
    /// State for the clear `key`, of which only the digest and hint are kept.
    fn new(key: &str, credits: i64, now: i64) -> Self {
        KeyState {
            key_sha256: key_digest(key),
            key_hint: key_hint(key),
            credits_available: credits,
            credits_total: credits,
            tasks_created: 0,
            max_running_at_once: 0,
            clock: now,
            active: Vec::new(),
            tasks: Vec::new(),
        }
    }
}

/// One entry of the request log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogEntry {
    pub at: String,
    pub method: String,
    pub path: String,
    /// `None` when the connection was dropped without an answer.
    pub status: Option<u16>,
    pub duration_ms: u64,
    pub key_hint: Option<String>,
    pub fault: Option<FaultKind>,
}

// ---- snapshots (what /__sim/state and SimHandle::state return) ----

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskSnapshot {
    pub task_id: String,
    pub prompt: String,
    pub model: String,
    pub function_mode: FunctionMode,
    pub ratio: String,
    pub duration: u32,
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
    pub credits_available: i64,
    pub credits_total: i64,
    pub tasks_created: u64,
    pub max_running_at_once: usize,
    pub running: usize,
    pub queued: usize,
    pub tasks: Vec<TaskSnapshot>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StateSnapshot {
    pub now: String,
    pub tasks_created: u64,
    pub keys: Vec<KeySnapshot>,
    pub requests: Vec<LogEntry>,
}

impl StateSnapshot {
    /// The entry for the clear `key` (matched by its digest).
    pub fn key(&self, key: &str) -> Option<&KeySnapshot> {
        let digest = key_digest(key);
        self.keys.iter().find(|k| k.key_sha256 == digest)
    }
    pub fn task(&self, task_id: &str) -> Option<&TaskSnapshot> {
        self.keys
            .iter()
            .flat_map(|k| k.tasks.iter())
            .find(|t| t.task_id == task_id)
    }
}

/// Why a create was refused after validation.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateRefusal {
    InsufficientCredits,
    Concurrency,
}

/// The persisted part of the state (state file).
#[derive(Debug, Serialize, Deserialize)]
pub struct Persisted {
    pub saved_at: i64,
    pub seq: u64,
    pub keys: Vec<KeyState>,
    pub tasks: Vec<Task>,
}

/// One `files` part of a multipart create, as received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReceivedFile {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: usize,
}

/// A multipart create as received: its text fields in order of arrival
/// (repeated keys repeated) and its `files` parts.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ReceivedForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<ReceivedFile>,
}

/// How many received multipart creates are kept (newest last).
pub const RECEIVED_FORMS_KEPT: usize = 50;

pub struct Inner {
    pub config: SimConfig,
    /// The last multipart creates received (whatever their outcome).
    pub forms: VecDeque<ReceivedForm>,
    /// By key digest ([`key_digest`]).
    pub keys: BTreeMap<String, KeyState>,
    pub tasks: HashMap<String, Task>,
    pub rng: StdRng,
    /// Separate stream for trace ids so they do not shift outcome draws.
    pub trace_rng: StdRng,
    pub log: VecDeque<LogEntry>,
    pub seq: u64,
    pub last_now: i64,
    /// Set on every change the state file must see.
    pub dirty: bool,
}

fn rngs(seed: Option<u64>) -> (StdRng, StdRng) {
    match seed {
        Some(s) => (
            StdRng::seed_from_u64(s),
            StdRng::seed_from_u64(s ^ 0x5eed_7ace),
        ),
        None => (StdRng::from_entropy(), StdRng::from_entropy()),
    }
}

impl Inner {
    pub fn new(config: SimConfig) -> Self {
        let (rng, trace_rng) = rngs(config.seed);
        let mut inner = Inner {
            config,
            forms: VecDeque::new(),
            keys: BTreeMap::new(),
            tasks: HashMap::new(),
            rng,
            trace_rng,
            log: VecDeque::new(),
            seq: 0,
            last_now: 0,
            dirty: false,
        };
        inner.grant_configured_keys();
        inner
    }

    fn grant_configured_keys(&mut self) {
        let now = self.now();
        for g in &self.config.keys {
            let ks = KeyState::new(&g.key, g.credits, now);
            self.keys.insert(ks.key_sha256.clone(), ks);
        }
    }

    /// Wall clock, never going backwards within this process.
    pub fn now(&mut self) -> i64 {
        self.last_now = self.last_now.max(now_ms());
        self.last_now
    }

    /// Keep a received multipart create for tests to inspect.
    pub fn record_form(&mut self, form: ReceivedForm) {
        self.forms.push_back(form);
        while self.forms.len() > RECEIVED_FORMS_KEPT {
            self.forms.pop_front();
        }
    }

    /// Back to the configured keys and grants, no tasks, empty log, RNG
    /// reseeded. The task sequence number keeps counting so old ids never
    /// come back.
    pub fn reset(&mut self) {
        self.keys.clear();
        self.tasks.clear();
        self.log.clear();
        self.forms.clear();
        let (rng, trace_rng) = rngs(self.config.seed);
        self.rng = rng;
        self.trace_rng = trace_rng;
        self.grant_configured_keys();
        self.dirty = true;
    }

    /// Add the clear `key` with `credits`, or top it up. Returns its digest.
    pub fn add_key(&mut self, key: &str, credits: i64) -> String {
        let now = self.now();
        let digest = key_digest(key);
        let k = self
            .keys
            .entry(digest.clone())
            .or_insert_with(|| KeyState::new(key, 0, now));
        k.credits_available += credits;
        k.credits_total += credits;
        self.dirty = true;
        digest
    }

    /// The digest of the clear `key` if that key is known.
    pub fn known_key(&self, key: &str) -> Option<String> {
        let digest = key_digest(key);
        self.keys.contains_key(&digest).then_some(digest)
    }

    pub fn trace_id(&mut self) -> String {
        format!("{:032x}", self.trace_rng.gen::<u128>())
    }

    pub fn log_request(&mut self, entry: LogEntry) {
        self.log.push_back(entry);
        while self.log.len() > self.config.request_log_limit {
            self.log.pop_front();
        }
    }

    pub fn advance_all(&mut self) {
        let now = self.now();
        let keys: Vec<String> = self.keys.keys().cloned().collect();
        for k in keys {
            self.advance(&k, now);
        }
    }

    /// Replay the key's timeline up to `now` (see module comment). `key` is
    /// the key's digest.
    pub fn advance(&mut self, key: &str, now: i64) {
        let limit = self.config.limits.concurrency;
        let fail_message = self.config.fail_message.clone();
        let refund = self.config.refund_on_failure;
        let Some(ks) = self.keys.get_mut(key) else {
            return;
        };
        let tasks = &mut self.tasks;
        let mut cursor = ks.clock;
        let mut changed = false;
        loop {
            let running: Vec<&String> = ks
                .active
                .iter()
                .filter(|id| tasks[*id].status == TaskStatus::Running)
                .collect();
            let next_finish = running
                .iter()
                .map(|id| {
                    (
                        tasks[*id].finish_at.unwrap_or(i64::MAX),
                        tasks[*id].seq,
                        (*id).clone(),
                    )
                })
                .min();
            let n_running = running.len();
            // Start the first queued task (FIFO) if a slot is free and its
            // start comes no later than the next finish.
            if n_running < limit {
                if let Some(qid) = ks
                    .active
                    .iter()
                    .find(|id| tasks[*id].status == TaskStatus::Queued)
                    .cloned()
                {
                    let start = tasks[&qid].ready_at.max(cursor);
                    let before_finish = next_finish.as_ref().map_or(true, |(f, _, _)| start <= *f);
                    if start <= now && before_finish {
                        let t = tasks.get_mut(&qid).expect("active task exists");
                        t.status = TaskStatus::Running;
                        t.started_at = Some(start);
                        t.finish_at = Some(start + t.run_ms);
                        t.updated_at = start;
                        cursor = start;
                        ks.max_running_at_once = ks.max_running_at_once.max(n_running + 1);
                        changed = true;
                        continue;
                    }
                }
            }
            match next_finish {
                Some((f, _, id)) if f <= now => {
                    let t = tasks.get_mut(&id).expect("active task exists");
                    t.finished_at = Some(f);
                    t.updated_at = f;
                    if t.will_fail {
                        t.status = TaskStatus::Failed;
                        t.error_message = Some(fail_message.clone());
                        if refund {
                            ks.credits_available += t.credits_cost;
                            t.refunded = true;
                        }
                    } else {
                        t.status = TaskStatus::Succeeded;
                    }
                    ks.active.retain(|x| *x != id);
                    cursor = f;
                    changed = true;
                }
                _ => break,
            }
        }
        ks.clock = now.max(ks.clock);
        if changed {
            self.dirty = true;
        }
    }

    /// Charge and create a task for the key with digest `key` (which must
    /// exist).
    pub fn create(&mut self, key: &str, req: ValidCreate) -> Result<String, CreateRefusal> {
        let now = self.now();
        self.advance(key, now);
        let cost = crate::pricing::charge(&self.config.prices, &req);
        let limit = self.config.limits.concurrency;
        let mode = self.config.limits.mode;
        let ks = self.keys.get(key).expect("authenticated key exists");
        if ks.credits_available < cost {
            return Err(CreateRefusal::InsufficientCredits);
        }
        if mode == LimitMode::Reject && ks.active.len() >= limit {
            return Err(CreateRefusal::Concurrency);
        }
        // Draws in a fixed order, so a seed reproduces the same tasks.
        let rt = match req.model {
            Model::Seedance20 => &self.config.timings.seedance_2_0,
            Model::Seedance20Fast => &self.config.timings.seedance_2_0_fast,
        };
        let jitter: f64 = if rt.jitter > 0.0 {
            self.rng.gen_range(-rt.jitter..=rt.jitter)
        } else {
            0.0
        };
        let secs = (rt.base_secs + rt.per_video_second_secs * req.duration as f64) * (1.0 + jitter);
        let scale = self.config.timings.time_scale;
        let run_ms = (secs * scale * 1000.0).max(0.0).round() as i64;
        let will_fail = self.rng.gen::<f64>() < self.config.fail_rate;
        let id_bits: u64 = self.rng.gen();
        self.seq += 1;
        let id = format!("task_{}{:012x}", self.seq, id_bits >> 16);
        let queued_ms = (self.config.timings.queued_secs * scale * 1000.0)
            .max(0.0)
            .round() as i64;
        let task = Task {
            id: id.clone(),
            key_sha256: key.to_string(),
            seq: self.seq,
            request: req,
            status: TaskStatus::Queued,
            credits_cost: cost,
            refunded: false,
            created_at: now,
            updated_at: now,
            ready_at: now + queued_ms,
            run_ms,
            started_at: None,
            finish_at: None,
            finished_at: None,
            will_fail,
            error_message: None,
        };
        self.tasks.insert(id.clone(), task);
        let ks = self.keys.get_mut(key).expect("exists");
        ks.credits_available -= cost;
        ks.tasks_created += 1;
        ks.active.push(id.clone());
        ks.tasks.push(id.clone());
        self.dirty = true;
        self.advance(key, now);
        Ok(id)
    }

    pub fn snapshot(&mut self) -> StateSnapshot {
        self.advance_all();
        let now = self.now();
        let mut keys = self
            .keys
            .values()
            .map(|ks| {
                let tasks: Vec<TaskSnapshot> = ks
                    .tasks
                    .iter()
                    .map(|id| task_snapshot(&self.tasks[id]))
                    .collect();
                KeySnapshot {
                    key_hint: ks.key_hint.clone(),
                    key_sha256: ks.key_sha256.clone(),
                    credits_available: ks.credits_available,
                    credits_total: ks.credits_total,
                    tasks_created: ks.tasks_created,
                    max_running_at_once: ks.max_running_at_once,
                    running: tasks
                        .iter()
                        .filter(|t| t.status == TaskStatus::Running)
                        .count(),
                    queued: tasks
                        .iter()
                        .filter(|t| t.status == TaskStatus::Queued)
                        .count(),
                    tasks,
                }
            })
            .collect::<Vec<_>>();
        keys.sort_by(|a, b| (&a.key_hint, &a.key_sha256).cmp(&(&b.key_hint, &b.key_sha256)));
        StateSnapshot {
            now: rfc3339(now),
            tasks_created: keys.iter().map(|k| k.tasks_created).sum(),
            keys,
            requests: self.log.iter().cloned().collect(),
        }
    }

    pub fn persisted(&self) -> Persisted {
        let mut tasks: Vec<Task> = self.tasks.values().cloned().collect();
        tasks.sort_by_key(|t| t.seq);
        Persisted {
            saved_at: now_ms(),
            seq: self.seq,
            keys: self.keys.values().cloned().collect(),
            tasks,
        }
    }

    /// Replace keys, credits and tasks with a saved state. Timelines are
    /// wall-clock, so a running task finishes at its planned time, as the
    /// real service keeps working while a client is closed.
    pub fn restore(&mut self, p: Persisted) {
        self.seq = self.seq.max(p.seq);
        self.keys = p
            .keys
            .into_iter()
            .map(|k| (k.key_sha256.clone(), k))
            .collect();
        self.tasks = p.tasks.into_iter().map(|t| (t.id.clone(), t)).collect();
        // Keys granted by the config but absent from the file are added.
        let now = self.now();
        for g in &self.config.keys {
            self.keys
                .entry(key_digest(&g.key))
                .or_insert_with(|| KeyState::new(&g.key, g.credits, now));
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

/// `data` of `GET /v1/tasks` for one task.
pub fn task_status_data(t: &Task, fmt: CostFormat, root_url: &str) -> serde_json::Value {
    let cost = match fmt {
        CostFormat::Integer => serde_json::json!(t.credits_cost),
        CostFormat::Decimal => serde_json::json!(t.credits_cost as f64),
    };
    let result = if t.status.is_final() {
        let video_url =
            (t.status == TaskStatus::Succeeded).then(|| format!("{root_url}/files/{}.mp4", t.id));
        serde_json::json!({
            "video_url": video_url,
            "error_message": t.error_message,
            "finished_at": t.finished_at.map(rfc3339),
        })
    } else {
        serde_json::Value::Null
    };
    serde_json::json!({
        "task_id": t.id,
        "status": t.status.as_str(),
        "model": t.request.model.as_str(),
        "created_at": rfc3339(t.created_at),
        "updated_at": rfc3339(t.updated_at),
        "credits_cost": cost,
        "result": result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{KeyGrant, Timings};

    fn req(duration: u32) -> ValidCreate {
        crate::validate::from_json(&serde_json::json!({"prompt": "p", "duration": duration}))
            .unwrap()
    }

    #[test]
    fn queue_mode_never_exceeds_limit_and_replay_is_exact() {
        let mut cfg = SimConfig::default();
        cfg.keys.push(KeyGrant {
            key: "k1".into(),
            credits: 1_000_000,
        });
        cfg.limits.concurrency = 2;
        cfg.limits.mode = LimitMode::Queue;
        cfg.timings = Timings {
            time_scale: 0.0,
            ..Timings::default()
        };
        cfg.seed = Some(3);
        let mut s = Inner::new(cfg);
        let k1 = key_digest("k1");
        for _ in 0..5 {
            s.create(&k1, req(5)).unwrap();
        }
        // time_scale 0: every task finishes the instant it starts.
        let snap = s.snapshot();
        let k = snap.key("k1").unwrap();
        assert!(k.max_running_at_once <= 2);
        assert_eq!(k.tasks_created, 5);
        assert_eq!(k.credits_available, 1_000_000 - 5 * 75);
    }

    #[test]
    fn hint_shows_last_four() {
        assert_eq!(key_hint("sk-abcdef"), "…cdef");
        assert_eq!(key_hint("ab"), "…ab");
    }

    #[test]
    fn digest_is_hex_sha256() {
        assert_eq!(
            key_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn state_never_holds_a_key_in_clear() {
        let key = "sk-sandbox-SECRET-0123456789";
        let mut s = Inner::new(SimConfig::for_tests(&[(key, 1000)]));
        s.add_key("sk-runtime-SECRET-9876543210", 50);
        let digest = s.known_key(key).unwrap();
        s.create(&digest, req(5)).unwrap();
        let saved = serde_json::to_string(&s.persisted()).unwrap();
        assert!(!saved.contains("SECRET"), "{saved}");
        assert!(!saved.contains("23456789"));
        assert!(!saved.contains("76543210"));
        assert!(saved.contains("…6789"));
    }
}
