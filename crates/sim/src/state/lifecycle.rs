//! Task lifecycles, replayed from timestamps. `advance_user` replays, for one
//! user and in time order, every finish and every queued→running start that
//! happened up to `now`. The result therefore does not depend on when (or how
//! often) it is evaluated; requests, snapshots and a ticker all call it.

use std::collections::{BTreeMap, HashMap};

use super::{Inner, KeyState, Task, TaskStatus, UserState};

type Tasks = HashMap<String, Task>;

impl Inner {
    pub fn advance_all(&mut self) {
        let now = self.now();
        let users: Vec<String> = self.users.keys().cloned().collect();
        for u in users {
            self.advance_user(&u, now);
        }
    }

    /// Replay the timeline of the user of the key with digest `key`.
    pub fn advance_key(&mut self, key: &str, now: i64) {
        if let Some(user) = self.user_of(key).map(str::to_string) {
            self.advance_user(&user, now);
        }
    }

    /// Replay the user's timeline up to `now` (see module comment): start
    /// the first queued task (FIFO) whenever a slot is free no later than
    /// the next finish, else apply the next finish, until both lie after `now`.
    pub fn advance_user(&mut self, user: &str, now: i64) {
        let limit = self.config.limits.concurrency;
        let fail_message = self.config.fail_message.clone();
        let refund = self.config.refund_on_failure;
        let Some(us) = self.users.get_mut(user) else {
            return;
        };
        let (tasks, keys) = (&mut self.tasks, &mut self.keys);
        let mut cursor = us.clock;
        let mut changed = false;
        loop {
            let finish = next_finish(us, tasks);
            let finish_at = finish.as_ref().map(|(at, _)| *at);
            if let Some((id, at)) = next_start(us, tasks, limit, cursor, now, finish_at) {
                start(us, tasks, keys, &id, at);
                cursor = at;
                changed = true;
                continue;
            }
            match finish {
                Some((at, id)) if at <= now => {
                    let t = tasks.get_mut(&id).expect("active task exists");
                    end(us, t, at, &fail_message, refund);
                    cursor = at;
                    changed = true;
                }
                _ => break,
            }
        }
        us.clock = now.max(us.clock);
        if changed {
            self.dirty = true;
        }
    }
}

fn running<'a>(us: &'a UserState, tasks: &'a Tasks) -> impl Iterator<Item = &'a Task> {
    us.active.iter().map(|id| &tasks[id]).filter(|t| t.status == TaskStatus::Running)
}

/// The running task that finishes first (ties: the older one).
fn next_finish(us: &UserState, tasks: &Tasks) -> Option<(i64, String)> {
    running(us, tasks).map(|t| (t.finish_at.unwrap_or(i64::MAX), t.seq, &t.id)).min().map(|(at, _, id)| (at, id.clone()))
}

/// The first queued task and when it starts, if a slot is free, it starts
/// by `now` and no later than the next finish (which must be applied first).
fn next_start(us: &UserState, tasks: &Tasks, limit: usize, cursor: i64, now: i64, next_finish: Option<i64>) -> Option<(String, i64)> {
    if running(us, tasks).count() >= limit {
        return None;
    }
    let queued = us.active.iter().map(|id| &tasks[id]).find(|t| t.status == TaskStatus::Queued)?;
    let at = queued.ready_at.max(cursor);
    let before_finish = next_finish.map_or(true, |f| at <= f);
    (at <= now && before_finish).then(|| (queued.id.clone(), at))
}

/// Start a task and record the new highest counts of its user and key.
fn start(us: &mut UserState, tasks: &mut Tasks, keys: &mut BTreeMap<String, KeyState>, id: &str, at: i64) {
    let t = tasks.get_mut(id).expect("active task exists");
    t.status = TaskStatus::Running;
    t.started_at = Some(at);
    t.finish_at = Some(at + t.run_ms);
    t.updated_at = at;
    let key = t.key_sha256.clone();
    let of_user = running(us, tasks).count();
    us.max_running_at_once = us.max_running_at_once.max(of_user);
    let of_key = running(us, tasks).filter(|t| t.key_sha256 == key).count();
    if let Some(k) = keys.get_mut(&key) {
        k.max_running_at_once = k.max_running_at_once.max(of_key);
    }
}

/// A task reaches its planned end: succeeded, or failed (and refunded).
fn end(us: &mut UserState, t: &mut Task, at: i64, fail_message: &str, refund: bool) {
    t.finished_at = Some(at);
    t.updated_at = at;
    if t.will_fail {
        t.status = TaskStatus::Failed;
        t.error_message = Some(fail_message.to_string());
        if refund {
            us.credits_available += t.credits_cost;
            t.refunded = true;
        }
    } else {
        t.status = TaskStatus::Succeeded;
    }
    us.active.retain(|x| *x != t.id);
}

#[cfg(test)]
mod tests {
    use crate::config::{KeyGrant, LimitMode, SimConfig, Timings};
    use crate::state::{key_digest, Inner};
    use crate::validate::ValidCreate;

    fn req(duration: u32) -> ValidCreate {
        crate::validate::from_json(&serde_json::json!({"prompt": "p", "duration": duration})).unwrap()
    }

    #[test]
    fn queue_mode_never_exceeds_limit_and_replay_is_exact() {
        let mut cfg = SimConfig::default();
        cfg.keys.push(KeyGrant::new("k1", 1_000_000));
        cfg.limits.concurrency = 2;
        cfg.limits.mode = LimitMode::Queue;
        cfg.timings = Timings { time_scale: 0.0, ..Timings::default() };
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
    fn the_limit_counts_every_key_of_the_user() {
        let mut cfg = SimConfig::for_tests_users(&[("a", 10_000, "u"), ("b", 0, "u")]);
        cfg.limits.concurrency = 3;
        cfg.limits.mode = LimitMode::Queue;
        cfg.timings.time_scale = 1.0; // nothing finishes during the test
        let mut s = Inner::new(cfg);
        let (a, b) = (key_digest("a"), key_digest("b"));
        for k in [&a, &b, &a, &b] {
            s.create(k, req(5)).unwrap();
        }
        let snap = s.snapshot();
        let u = snap.user("u").unwrap();
        assert_eq!((u.running, u.queued, u.max_running_at_once, u.tasks_created), (3, 1, 3, 4));
        assert_eq!(u.credits_available, 10_000 - 4 * 75);
        assert_eq!(snap.key("a").unwrap().max_running_at_once, 2);
        assert_eq!(snap.key("b").unwrap().max_running_at_once, 1);
        assert_eq!(snap.key("b").unwrap().credits_available, u.credits_available);
    }
}
