//! All mutable simulator state, behind one mutex so that credit accounting,
//! counts and "highest number running at once" are exact under any amount of
//! concurrency.
//!
//! - `keys`: keys and the Loova users who own credits, tasks and the limit;
//! - `tasks`: tasks and their creation (charge, limit, random draws);
//! - `lifecycle`: the replay of each user's timeline from timestamps;
//! - `snapshot`: what `/__sim/state` shows.

mod keys;
mod lifecycle;
mod snapshot;
mod tasks;

pub use keys::{key_digest, key_hint, own_user_id, KeyState, UserState};
pub use snapshot::{task_snapshot, KeySnapshot, StateSnapshot, TaskSnapshot, UserSnapshot};
pub use tasks::{CreateRefusal, Task, TaskStatus};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::clock::now_ms;
use crate::config::SimConfig;
use crate::faults::FaultKind;

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

/// The persisted part of the state (state file).
#[derive(Debug, Serialize, Deserialize)]
pub struct Persisted {
    pub saved_at: i64,
    pub seq: u64,
    #[serde(default)]
    pub users: Vec<UserState>,
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
    /// By user id ([`KeyState::user`]).
    pub users: BTreeMap<String, UserState>,
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
        Some(s) => (StdRng::seed_from_u64(s), StdRng::seed_from_u64(s ^ 0x5eed_7ace)),
        None => (StdRng::from_entropy(), StdRng::from_entropy()),
    }
}

impl Inner {
    pub fn new(config: SimConfig) -> Self {
        let (rng, trace_rng) = rngs(config.seed);
        let mut inner = Inner {
            config,
            forms: VecDeque::new(),
            users: BTreeMap::new(),
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

    /// Back to the configured keys and grants (revocations undone), no
    /// tasks, empty log, RNG reseeded. The task sequence number keeps
    /// counting so old ids never come back.
    pub fn reset(&mut self) {
        self.users.clear();
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

    pub fn trace_id(&mut self) -> String {
        format!("{:032x}", self.trace_rng.gen::<u128>())
    }

    pub fn log_request(&mut self, entry: LogEntry) {
        self.log.push_back(entry);
        while self.log.len() > self.config.request_log_limit {
            self.log.pop_front();
        }
    }

    pub fn persisted(&self) -> Persisted {
        let mut tasks: Vec<Task> = self.tasks.values().cloned().collect();
        tasks.sort_by_key(|t| t.seq);
        Persisted { saved_at: now_ms(), seq: self.seq, users: self.users.values().cloned().collect(), keys: self.keys.values().cloned().collect(), tasks }
    }

    /// Replace users, keys, credits and tasks with a saved state. Timelines
    /// are wall-clock, so a running task finishes at its planned time, as
    /// the real service keeps working while a client is closed.
    pub fn restore(&mut self, p: Persisted) {
        self.seq = self.seq.max(p.seq);
        self.users = p.users.into_iter().map(|u| (u.user.clone(), u)).collect();
        self.keys = p.keys.into_iter().map(|k| (k.key_sha256.clone(), k)).collect();
        self.tasks = p.tasks.into_iter().map(|t| (t.id.clone(), t)).collect();
        // Keys granted by the config but absent from the file are added.
        for g in self.config.keys.clone() {
            if !self.keys.contains_key(&key_digest(&g.key)) {
                let _ = self.grant(&g);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_never_holds_a_key_in_clear() {
        let key = "sk-sandbox-SECRET-0123456789";
        let mut s = Inner::new(SimConfig::for_tests(&[(key, 1000)]));
        s.add_key("sk-runtime-SECRET-9876543210", 50);
        let digest = s.known_key(key).unwrap();
        let req = crate::validate::from_json(&serde_json::json!({"prompt": "p"})).unwrap();
        s.create(&digest, req).unwrap();
        let saved = serde_json::to_string(&s.persisted()).unwrap();
        assert!(!saved.contains("SECRET"), "{saved}");
        assert!(!saved.contains("23456789"));
        assert!(!saved.contains("76543210"));
        assert!(saved.contains("…6789"));
    }
}
