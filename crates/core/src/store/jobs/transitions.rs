//! Guarded state changes: one UPDATE each, `WHERE state IN (from…)`.

use super::JobState;
use crate::store::{now_ms, Db, StoreError};
use crate::ErrorCode;
use rusqlite::params_from_iter;
use rusqlite::types::Value;

/// The columns of `jobs` a transition or a patch may set: a misspelt one
/// does not compile, and the state, spec and position are not among them
/// (they change only through their own guarded statements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    TaskId,
    RawStatus,
    CreditsCost,
    SubmittedAt,
    StartedAt,
    FinishedAt,
    Attempts,
    NextAttemptAt,
    LastError,
    LastErrorCode,
    TraceId,
    VideoUrl,
    VideoPath,
    BytesDone,
    BytesTotal,
    ExpectedSecs,
    /// The multipart dialect the create was sent in.
    Dialect,
    /// Sent again after an unknown outcome: it may exist on its account,
    /// so overflow never moves it.
    ResentAfterUnknown,
}

impl Col {
    fn name(self) -> &'static str {
        match self {
            Col::TaskId => "task_id",
            Col::RawStatus => "raw_status",
            Col::CreditsCost => "credits_cost",
            Col::SubmittedAt => "submitted_at",
            Col::StartedAt => "started_at",
            Col::FinishedAt => "finished_at",
            Col::Attempts => "attempts",
            Col::NextAttemptAt => "next_attempt_at",
            Col::LastError => "last_error",
            Col::LastErrorCode => "last_error_code",
            Col::TraceId => "trace_id",
            Col::VideoUrl => "video_url",
            Col::VideoPath => "video_path",
            Col::BytesDone => "bytes_done",
            Col::BytesTotal => "bytes_total",
            Col::ExpectedSecs => "expected_secs",
            Col::Dialect => "dialect",
            Col::ResentAfterUnknown => "resent_after_unknown",
        }
    }
}

/// The columns that change with a state, set together with it.
#[derive(Debug, Default, Clone)]
pub struct Patch {
    sets: Vec<(Col, Value)>,
}

impl Patch {
    pub fn new() -> Patch {
        Patch::default()
    }
    fn set(mut self, col: Col, v: Value) -> Patch {
        self.sets.push((col, v));
        self
    }
    pub fn text(self, col: Col, v: Option<&str>) -> Patch {
        self.set(col, v.map_or(Value::Null, |s| Value::Text(s.to_string())))
    }
    pub fn int(self, col: Col, v: Option<i64>) -> Patch {
        self.set(col, v.map_or(Value::Null, Value::Integer))
    }
    pub fn real(self, col: Col, v: Option<f64>) -> Patch {
        self.set(col, v.map_or(Value::Null, Value::Real))
    }
    /// Clears `last_error`, `last_error_code` and `trace_id`.
    pub fn clear_error(self) -> Patch {
        self.text(Col::LastError, None).text(Col::LastErrorCode, None).text(Col::TraceId, None)
    }
    pub fn error(self, code: ErrorCode, message: &str, trace_id: Option<&str>) -> Patch {
        self.text(Col::LastError, Some(message)).text(Col::LastErrorCode, Some(code.as_str())).text(Col::TraceId, trace_id)
    }
}

impl Db {
    /// Moves a job from one of `from` to `to`, setting `patch` in the same
    /// statement. False when the job was not in one of `from` (someone else
    /// moved it first) or does not exist.
    pub fn transition(&self, id: i64, from: &[JobState], to: JobState, patch: Patch) -> Result<bool, StoreError> {
        let (sql, args) = transition_sql(id, from, to, patch);
        Ok(self.conn().execute(&sql, params_from_iter(args))? == 1)
    }

    /// Many guarded transitions to `to` in one transaction, each as
    /// [`Db::transition`]; how many moved. For seeding a big queue
    /// (`scripts/bench`): one commit instead of one per job.
    pub fn transition_many(&self, moves: Vec<(i64, Patch)>, from: &[JobState], to: JobState) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut moved = 0;
        for (id, patch) in moves {
            let (sql, args) = transition_sql(id, from, to, patch);
            moved += tx.prepare_cached(&sql)?.execute(params_from_iter(args))?;
        }
        tx.commit()?;
        Ok(moved)
    }

    /// Columns that change without a state change (progress, last poll).
    pub fn patch_job(&self, id: i64, patch: Patch) -> Result<(), StoreError> {
        if patch.sets.is_empty() {
            return Ok(());
        }
        let mut args: Vec<Value> = vec![Value::Integer(now_ms()), Value::Integer(id)];
        let mut sets = vec!["updated_at = ?1".to_string()];
        for (col, v) in patch.sets {
            args.push(v);
            sets.push(format!("{} = ?{}", col.name(), args.len()));
        }
        self.conn().execute(&format!("UPDATE jobs SET {} WHERE id = ?2", sets.join(", ")), params_from_iter(args))?;
        Ok(())
    }
}

/// One transition's guarded UPDATE and its arguments.
fn transition_sql(id: i64, from: &[JobState], to: JobState, patch: Patch) -> (String, Vec<Value>) {
    let mut args: Vec<Value> = vec![Value::Text(to.as_str().into()), Value::Integer(now_ms()), Value::Integer(id)];
    let mut sets = vec!["state = ?1".to_string(), "updated_at = ?2".to_string()];
    for (col, v) in patch.sets {
        args.push(v);
        sets.push(format!("{} = ?{}", col.name(), args.len()));
    }
    let marks: Vec<String> = from
        .iter()
        .map(|s| {
            args.push(Value::Text(s.as_str().into()));
            format!("?{}", args.len())
        })
        .collect();
    (format!("UPDATE jobs SET {} WHERE id = ?3 AND state IN ({})", sets.join(", "), marks.join(", ")), args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{JobFilter, NewAccount, NewJob};

    fn db_with_account() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        db.insert_account(&NewAccount { id: "a1", name: "A", base_url: "http://x/api", key_hint: "…1234", sandbox: false, verified: true }).unwrap();
        (dir, db)
    }

    #[test]
    fn transitions_are_guarded_and_move_reorders() {
        let (_d, db) = db_with_account();
        let spec = crate::JobSpec { prompt: "p".into(), ..Default::default() };
        let ids: Vec<i64> = (0..3)
            .map(|_| db.insert_job(&NewJob { account_id: "a1", name: None, spec: &spec, estimate_credits: Some(75), price_list_date: None }).unwrap())
            .collect();
        assert!(db.transition(ids[0], &[JobState::Queued], JobState::Submitting, Patch::new().int(Col::Attempts, Some(1))).unwrap());
        // A second actor loses: the job is no longer queued.
        assert!(!db.transition(ids[0], &[JobState::Queued], JobState::Canceled, Patch::new()).unwrap());
        assert_eq!(db.in_flight("a1").unwrap(), (1, 0, 0));
        assert!(db.move_job(ids[2], true).unwrap());
        let order: Vec<i64> = db.jobs(&JobFilter { states: vec![JobState::Queued], ..Default::default() }).unwrap().iter().map(|j| j.id).collect();
        assert_eq!(order, vec![ids[2], ids[1]]);
        assert!(!db.move_job(ids[2], true).unwrap(), "already first");
        let j = db.job(ids[0]).unwrap().unwrap();
        assert_eq!((j.state, j.attempts, j.spec.prompt.as_str()), (JobState::Submitting, 1, "p"));
    }
}
