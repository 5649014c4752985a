//! Job rows. Every state change is one UPDATE guarded by the states it may
//! start from (`WHERE state IN (...)`), so it is atomic, and two actors (the
//! engine and a person in another process) can never both move the same job:
//! the loser's UPDATE matches no row.

use super::{now_ms, Db, StoreError};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};
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

    /// Counted against the account's concurrency limit.
    pub fn in_flight(self) -> bool {
        matches!(self, JobState::Submitting | JobState::Running | JobState::OutcomeUnknown)
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
    pub last_error_code: Option<String>,
    pub trace_id: Option<String>,
    pub video_url: Option<String>,
    pub video_path: Option<String>,
    pub bytes_done: Option<i64>,
    pub bytes_total: Option<i64>,
    pub expected_secs: Option<f64>,
}

pub struct NewJob<'a> {
    pub account_id: &'a str,
    pub name: Option<&'a str>,
    pub spec: &'a crate::job::JobSpec,
    pub estimate_credits: Option<i64>,
    pub price_list_date: Option<&'a str>,
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub account_id: Option<String>,
    pub states: Vec<JobState>,
}

/// The columns that change with a state, set together with it.
#[derive(Debug, Default, Clone)]
pub struct Patch {
    sets: Vec<(&'static str, Value)>,
}

impl Patch {
    pub fn new() -> Patch {
        Patch::default()
    }
    fn set(mut self, col: &'static str, v: Value) -> Patch {
        self.sets.push((col, v));
        self
    }
    pub fn text(self, col: &'static str, v: Option<&str>) -> Patch {
        self.set(col, v.map_or(Value::Null, |s| Value::Text(s.to_string())))
    }
    pub fn int(self, col: &'static str, v: Option<i64>) -> Patch {
        self.set(col, v.map_or(Value::Null, Value::Integer))
    }
    pub fn real(self, col: &'static str, v: Option<f64>) -> Patch {
        self.set(col, v.map_or(Value::Null, Value::Real))
    }
    /// Clears `last_error`, `last_error_code` and `trace_id`.
    pub fn clear_error(self) -> Patch {
        self.text("last_error", None).text("last_error_code", None).text("trace_id", None)
    }
    pub fn error(self, code: &str, message: &str, trace_id: Option<&str>) -> Patch {
        self.text("last_error", Some(message)).text("last_error_code", Some(code)).text("trace_id", trace_id)
    }
}

const COLUMNS: &str = "id, account_id, batch_id, name, spec, position, estimate_credits, price_list_date, state, task_id,
    raw_status, credits_cost, created_at, submitted_at, started_at, finished_at, updated_at, attempts, next_attempt_at,
    last_error, last_error_code, trace_id, video_url, video_path, bytes_done, bytes_total, expected_secs";

fn from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    let spec: String = r.get(4)?;
    let state: String = r.get(8)?;
    Ok(JobRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        batch_id: r.get(2)?,
        name: r.get(3)?,
        // Written by us from a JobSpec; an unreadable one shows as an empty spec.
        spec: serde_json::from_str(&spec).unwrap_or_default(),
        position: r.get(5)?,
        estimate_credits: r.get(6)?,
        price_list_date: r.get(7)?,
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
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
        last_error_code: r.get(20)?,
        trace_id: r.get(21)?,
        video_url: r.get(22)?,
        video_path: r.get(23)?,
        bytes_done: r.get(24)?,
        bytes_total: r.get(25)?,
        expected_secs: r.get(26)?,
    })
}

impl Db {
    pub fn insert_job(&self, j: &NewJob<'_>) -> Result<i64, StoreError> {
        let spec = serde_json::to_string(j.spec).expect("a JobSpec serializes");
        let now = now_ms();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO jobs (account_id, name, spec, model, duration, position, estimate_credits, price_list_date,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(position), 0) + 1 FROM jobs), ?6, ?7, ?8, ?8)",
            params![j.account_id, j.name, spec, j.spec.model, j.spec.duration, j.estimate_credits, j.price_list_date, now],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Inserts a job and, in the same transaction, runs `finish` with its id;
    /// when `finish` returns a spec, the job gets that spec instead. Nothing
    /// (no other connection, no engine) sees the job before `finish` is done,
    /// and an error from `finish` leaves no job behind.
    pub fn insert_job_with<E: From<StoreError>>(
        &self,
        j: &NewJob<'_>,
        finish: impl FnOnce(i64) -> Result<Option<crate::job::JobSpec>, E>,
    ) -> Result<i64, E> {
        let spec = serde_json::to_string(j.spec).expect("a JobSpec serializes");
        let now = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(StoreError::from)?;
        tx.execute(
            "INSERT INTO jobs (account_id, name, spec, model, duration, position, estimate_credits, price_list_date,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(position), 0) + 1 FROM jobs), ?6, ?7, ?8, ?8)",
            params![j.account_id, j.name, spec, j.spec.model, j.spec.duration, j.estimate_credits, j.price_list_date, now],
        )
        .map_err(StoreError::from)?;
        let id = tx.last_insert_rowid();
        if let Some(changed) = finish(id)? {
            let changed = serde_json::to_string(&changed).expect("a JobSpec serializes");
            tx.execute("UPDATE jobs SET spec = ?2 WHERE id = ?1", params![id, changed]).map_err(StoreError::from)?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(id)
    }

    pub fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        let conn = self.conn();
        Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"), [id], from_row).optional()?)
    }

    /// Jobs by account and position (the queue order), then id.
    pub fn jobs(&self, filter: &JobFilter) -> Result<Vec<JobRow>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM jobs WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(a) = &filter.account_id {
            args.push(Value::Text(a.clone()));
            sql.push_str(&format!(" AND account_id = ?{}", args.len()));
        }
        if !filter.states.is_empty() {
            let marks: Vec<String> = filter
                .states
                .iter()
                .map(|s| {
                    args.push(Value::Text(s.as_str().into()));
                    format!("?{}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND state IN ({})", marks.join(", ")));
        }
        sql.push_str(" ORDER BY position, id");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Moves a job from one of `from` to `to`, setting `patch` in the same
    /// statement. False when the job was not in one of `from` (someone else
    /// moved it first) or does not exist.
    pub fn transition(&self, id: i64, from: &[JobState], to: JobState, patch: Patch) -> Result<bool, StoreError> {
        let mut args: Vec<Value> = vec![Value::Text(to.as_str().into()), Value::Integer(now_ms()), Value::Integer(id)];
        let mut sets = vec!["state = ?1".to_string(), "updated_at = ?2".to_string()];
        for (col, v) in patch.sets {
            args.push(v);
            sets.push(format!("{col} = ?{}", args.len()));
        }
        let marks: Vec<String> = from
            .iter()
            .map(|s| {
                args.push(Value::Text(s.as_str().into()));
                format!("?{}", args.len())
            })
            .collect();
        let sql = format!("UPDATE jobs SET {} WHERE id = ?3 AND state IN ({})", sets.join(", "), marks.join(", "));
        Ok(self.conn().execute(&sql, params_from_iter(args))? == 1)
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
            sets.push(format!("{col} = ?{}", args.len()));
        }
        self.conn().execute(&format!("UPDATE jobs SET {} WHERE id = ?2", sets.join(", ")), params_from_iter(args))?;
        Ok(())
    }

    /// Queued jobs only: swaps the job with its neighbour in the queue of
    /// the same account (one transaction). False at either end.
    pub fn move_job(&self, id: i64, up: bool) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let me: Option<(String, i64)> = tx
            .query_row("SELECT account_id, position FROM jobs WHERE id = ?1 AND state = 'queued'", [id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((account, pos)) = me else { return Ok(false) };
        let sql = if up {
            "SELECT id, position FROM jobs WHERE account_id = ?1 AND state = 'queued' AND position < ?2 ORDER BY position DESC LIMIT 1"
        } else {
            "SELECT id, position FROM jobs WHERE account_id = ?1 AND state = 'queued' AND position > ?2 ORDER BY position LIMIT 1"
        };
        let other: Option<(i64, i64)> = tx.query_row(sql, params![account, pos], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((other_id, other_pos)) = other else { return Ok(false) };
        tx.execute("UPDATE jobs SET position = ?2 WHERE id = ?1", params![id, other_pos])?;
        tx.execute("UPDATE jobs SET position = ?2 WHERE id = ?1", params![other_id, pos])?;
        tx.commit()?;
        Ok(true)
    }

    /// Per account: in flight, of which `running`, of which `outcome_unknown`.
    pub fn in_flight(&self, account_id: &str) -> Result<(i64, i64, i64), StoreError> {
        let conn = self.conn();
        let counts = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(state = 'running'), 0), COALESCE(SUM(state = 'outcome_unknown'), 0) FROM jobs
             WHERE account_id = ?1 AND state IN ('submitting', 'running', 'outcome_unknown')",
            [account_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(counts)
    }

    /// How long finished jobs of this model and length ran (seconds), most
    /// recent first.
    /// Recent run times of one account's finished jobs of this model and
    /// length. Per account: the Sandbox runs far faster than Loova.
    pub fn run_times(&self, account_id: &str, model: &str, duration: u32, limit: usize) -> Result<Vec<f64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT (finished_at - started_at) / 1000.0 FROM jobs
             WHERE model = ?1 AND duration = ?2 AND account_id = ?4 AND finished_at IS NOT NULL AND started_at IS NOT NULL
               AND state IN ('succeeded', 'downloading', 'downloaded', 'expired') AND finished_at > started_at
             ORDER BY finished_at DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![model, duration, limit as i64, account_id], |r| r.get(0))?.collect::<Result<Vec<f64>, _>>()?;
        Ok(rows)
    }

    /// Changes whenever another connection (another process) commits: a
    /// cheap way to notice jobs queued elsewhere.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn().pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// The person's lower concurrency limit (None = the price list's).
    pub fn set_concurrency_limit(&self, account_id: &str, limit: Option<i64>) -> Result<(), StoreError> {
        self.conn().execute("UPDATE accounts SET concurrency_limit = ?2 WHERE id = ?1", params![account_id, limit])?;
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn().query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewAccount;

    fn db_with_account() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        db.insert_account(&NewAccount { id: "a1", name: "A", base_url: "http://x/api", key_hint: "…1234", sandbox: false, verified: true })
            .unwrap();
        (dir, db)
    }

    #[test]
    fn transitions_are_guarded_and_move_reorders() {
        let (_d, db) = db_with_account();
        let spec = crate::JobSpec { prompt: "p".into(), ..Default::default() };
        let ids: Vec<i64> = (0..3)
            .map(|_| db.insert_job(&NewJob { account_id: "a1", name: None, spec: &spec, estimate_credits: Some(75), price_list_date: None }).unwrap())
            .collect();
        assert!(db.transition(ids[0], &[JobState::Queued], JobState::Submitting, Patch::new().int("attempts", Some(1))).unwrap());
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
