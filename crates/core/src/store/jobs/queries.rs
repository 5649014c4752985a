//! Reads of the jobs table. Counts are SQL (`GROUP BY`) and lists are
//! bounded (`LIMIT`), so a queue of 100,000 jobs costs what a short one does.

use super::{from_row, JobRow, JobState, COLUMNS};
use crate::store::{Db, StoreError};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JobOrder {
    /// Queue order: position, then id.
    #[default]
    Queue,
    /// Most recently finished first.
    RecentlyFinished,
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub account_id: Option<String>,
    pub batch_id: Option<String>,
    pub states: Vec<JobState>,
    pub order: JobOrder,
    pub limit: Option<usize>,
    /// Jobs whose name, prompt, task id or saved file contain this text
    /// (any case); see [`text_pattern`].
    pub text: Option<String>,
}

/// The `LIKE` pattern of a filter text: contains it, any case. `%` and `_`
/// typed by a person stay wildcards (the trigram index cannot escape them),
/// which only ever widens the match.
pub fn text_pattern(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| format!("%{t}%"))
}

/// Jobs per state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateCounts(HashMap<JobState, u64>);

impl StateCounts {
    pub fn get(&self, state: JobState) -> u64 {
        self.0.get(&state).copied().unwrap_or(0)
    }

    /// The sum over `states`.
    pub fn of(&self, states: &[JobState]) -> u64 {
        states.iter().map(|s| self.get(*s)).sum()
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

/// One account's jobs in one state, and what they were charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStateCount {
    pub account_id: String,
    pub state: JobState,
    pub jobs: u64,
    pub credits_charged: i64,
}

fn state_of(s: String) -> rusqlite::Result<JobState> {
    JobState::parse(&s).ok_or_else(|| crate::store::bad_value(0, "jobs.state", &s))
}

/// The jobs a filter text matches: few enough to name, or so many that the
/// lists are better walked in their own order, each row checked, until
/// they have their 100 (see [`Db::text_search`]).
#[derive(Debug, Clone)]
enum TextMatches {
    Few(Vec<i64>),
    Many,
}

/// A filter text, searched once ([`Db::text_search`]): the Queue reads four
/// lists per account for one keystroke, and each would otherwise ask the
/// index again (a text of one or two characters reads every job's text).
#[derive(Debug, Clone)]
pub struct TextSearch {
    pattern: String,
    matches: TextMatches,
}

/// Up to this many matches are named; more are checked row by row. At
/// 100,000 jobs, 1,111 matches ("shot 42") named took 10 ms, walked 38 ms.
const FEW_MATCHES: usize = 2_000;

impl Db {
    /// What `text` matches, for [`Db::jobs_searched`] (`None`: a blank text
    /// filters nothing). Asks the trigram index (migration 16) for at most
    /// [`FEW_MATCHES`] + 1 matches: a rare text ("shot 4217") is found
    /// without reading the queue; a common one ("fox", in every prompt)
    /// stops the index early, and the lists then check each row they walk
    /// (reading 100,000 matches to keep 100 took 0.2–0.5 s).
    /// A text of one or two characters has no trigram: the index would scan
    /// its whole content (22 ms at 100,000 jobs), the plain `job_text`
    /// table is read in half that.
    pub fn text_search(&self, text: &str) -> Result<Option<TextSearch>, StoreError> {
        let Some(pattern) = text_pattern(text) else { return Ok(None) };
        let conn = self.conn();
        let short = pattern.trim_matches('%').chars().count() < 3;
        let sql = if short { "SELECT id FROM job_text WHERE text LIKE ?1 LIMIT ?2" } else { "SELECT rowid FROM job_text_index WHERE text LIKE ?1 LIMIT ?2" };
        let mut stmt = conn.prepare_cached(sql)?;
        let ids = stmt.query_map(params![pattern, FEW_MATCHES as i64 + 1], |r| r.get::<_, i64>(0))?.collect::<Result<Vec<_>, _>>()?;
        let matches = if ids.len() > FEW_MATCHES { TextMatches::Many } else { TextMatches::Few(ids) };
        Ok(Some(TextSearch { pattern, matches }))
    }

    pub fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        let conn = self.conn();
        Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"), [id], from_row).optional()?)
    }

    /// The job that follows task `task_id`, if any (a person's action: a
    /// scan is fine).
    pub fn job_with_task(&self, task_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.conn().query_row("SELECT id FROM jobs WHERE task_id = ?1 LIMIT 1", [task_id], |r| r.get(0)).optional()?)
    }

    /// Jobs by the filter, in its order (queue order by default).
    pub fn jobs(&self, filter: &JobFilter) -> Result<Vec<JobRow>, StoreError> {
        let search = match filter.text.as_deref() {
            Some(text) => self.text_search(text)?,
            None => None,
        };
        self.jobs_searched(filter, search.as_ref())
    }

    /// [`Db::jobs`], its text already searched: `search` stands for
    /// `filter.text`, which is not read.
    pub fn jobs_searched(&self, filter: &JobFilter, search: Option<&TextSearch>) -> Result<Vec<JobRow>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM jobs WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        // With a few named matches, SQLite must look each up by id and sort
        // them: left to itself it walks the account's list index in order
        // (no sort) and checks every job against the names, 10 ms at
        // 100,000 jobs for 11 matches or none. A unary `+` keeps the
        // account and state terms off their indexes.
        let few = matches!(search, Some(TextSearch { matches: TextMatches::Few(_), .. }));
        let plus = if few { "+" } else { "" };
        match search {
            Some(TextSearch { matches: TextMatches::Few(ids), .. }) if ids.is_empty() => return Ok(Vec::new()),
            Some(TextSearch { matches: TextMatches::Few(ids), .. }) => {
                args.push(Value::Text(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())));
                sql.push_str(&format!(" AND id IN (SELECT value FROM json_each(?{}))", args.len()));
            }
            Some(TextSearch { pattern, matches: TextMatches::Many }) => {
                args.push(Value::Text(pattern.clone()));
                sql.push_str(&format!(" AND (SELECT text FROM job_text WHERE job_text.id = jobs.id) LIKE ?{}", args.len()));
            }
            None => {}
        }
        if let Some(a) = &filter.account_id {
            args.push(Value::Text(a.clone()));
            sql.push_str(&format!(" AND {plus}account_id = ?{}", args.len()));
        }
        if let Some(b) = &filter.batch_id {
            args.push(Value::Text(b.clone()));
            sql.push_str(&format!(" AND {plus}batch_id = ?{}", args.len()));
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
            sql.push_str(&format!(" AND {plus}state IN ({})", marks.join(", ")));
        }
        sql.push_str(match filter.order {
            JobOrder::Queue => " ORDER BY position, id",
            JobOrder::RecentlyFinished => " ORDER BY COALESCE(finished_at, updated_at) DESC, id DESC",
        });
        if let Some(n) = filter.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Jobs per state, of one account or of all (from `job_counts`).
    pub fn count_by_state(&self, account_id: Option<&str>) -> Result<StateCounts, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT state, SUM(jobs) FROM job_counts WHERE ?1 IS NULL OR account_id = ?1 GROUP BY state HAVING SUM(jobs) > 0")?;
        let rows = stmt.query_map([account_id], |r| Ok((state_of(r.get(0)?)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(StateCounts(rows.collect::<Result<HashMap<_, _>, _>>()?))
    }

    /// Jobs and charges per account and state: a few rows of `job_counts`
    /// (kept by triggers, migration 9), whatever the queue holds.
    pub fn count_by_account_and_state(&self) -> Result<Vec<AccountStateCount>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT account_id, state, SUM(jobs), SUM(credits_charged) FROM job_counts GROUP BY account_id, state HAVING SUM(jobs) > 0")?;
        let rows = stmt.query_map([], |r| {
            Ok(AccountStateCount { account_id: r.get(0)?, state: state_of(r.get(1)?)?, jobs: r.get::<_, i64>(2)? as u64, credits_charged: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The account's running jobs of `model`, in the order they started
    /// (while that model's run time is unknown they poll on one staggered
    /// grid, `engine::next_poll`).
    pub fn running_of_model(&self, account_id: &str, model: &str) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT id FROM jobs WHERE account_id = ?1 AND state = 'running' AND model = ?2 ORDER BY started_at, id")?;
        let ids = stmt.query_map(params![account_id, model], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    }

    /// The next queued jobs of an account that are due (no backoff running
    /// at `now`), in queue order, at most `limit`.
    pub fn next_queued(&self, account_id: &str, now: i64, limit: usize) -> Result<Vec<JobRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE account_id = ?1 AND state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?2)
             ORDER BY position, id LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![account_id, now, limit as i64], from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// When the first backoff of an account's queued jobs ends (after `now`).
    pub fn next_backoff_end(&self, account_id: &str, now: i64) -> Result<Option<i64>, StoreError> {
        Ok(self.conn().query_row(
            "SELECT MIN(next_attempt_at) FROM jobs WHERE account_id = ?1 AND state = 'queued' AND next_attempt_at > ?2",
            params![account_id, now],
            |r| r.get(0),
        )?)
    }

    /// Per account: in flight, of which `running`, of which `outcome_unknown`.
    pub fn in_flight(&self, account_id: &str) -> Result<(i64, i64, i64), StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(state = 'running'), 0), COALESCE(SUM(state = 'outcome_unknown'), 0) FROM jobs
             WHERE account_id = ?1 AND state IN ({})",
            JobState::sql_list(&JobState::IN_FLIGHT)
        );
        let counts = conn.prepare_cached(&sql)?.query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(counts)
    }

    /// Sum of the estimates of the account's queued, submitting and
    /// outcome-unknown jobs, how many they are and how many have no estimate.
    pub fn reserved(&self, account_id: &str) -> Result<(i64, i64, i64), StoreError> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(estimate_credits), 0), COUNT(*), COALESCE(SUM(estimate_credits IS NULL), 0) FROM jobs
             WHERE account_id = ?1 AND state IN ('queued', 'submitting', 'outcome_unknown')",
            [account_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }

    /// Recent run times (seconds) of one account's finished jobs of this
    /// model and length, most recent first. Per account: the Sandbox runs
    /// far faster than Loova.
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

    /// Whether a job other than `except` is saving its video under `path`
    /// now (`succeeded` between tries, or `downloading`): that name is taken
    /// even before its `.part` exists.
    pub fn video_path_held(&self, path: &str, except: i64) -> Result<bool, StoreError> {
        Ok(self.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM jobs WHERE state IN ('succeeded', 'downloading') AND video_path = ?1 AND id != ?2)",
            params![path, except],
            |r| r.get(0),
        )?)
    }

    /// Changes whenever another connection (another process) commits: a
    /// cheap way to notice jobs queued elsewhere.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn().pragma_query_value(None, "data_version", |r| r.get(0))?)
    }
}
