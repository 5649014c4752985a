//! Queueing: the only `INSERT INTO jobs` of the code base. A single job and
//! a whole batch go through [`Db::insert_jobs`], so positions, timestamps
//! and the spec's columns are written one way.

use crate::job::JobSpec;
use crate::store::{now_ms, Db, StoreError};
use rusqlite::{params, Transaction};

pub struct NewJob<'a> {
    pub account_id: &'a str,
    pub name: Option<&'a str>,
    pub spec: &'a JobSpec,
    pub estimate_credits: Option<i64>,
    pub price_list_date: Option<&'a str>,
}

/// A batch, inserted with its jobs.
pub struct NewBatch<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub source_file: &'a str,
    pub account_id: &'a str,
}

pub(super) fn spec_json(spec: &JobSpec) -> String {
    serde_json::to_string(spec).expect("a JobSpec serializes")
}

pub(super) fn insert_row(tx: &Transaction<'_>, j: &NewJob<'_>, batch_id: Option<&str>, position: i64, now: i64) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO jobs (account_id, batch_id, name, spec, model, duration, position, estimate_credits, price_list_date,
            created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        j.account_id,
        batch_id,
        j.name,
        spec_json(j.spec),
        j.spec.model,
        j.spec.duration,
        position,
        j.estimate_credits,
        j.price_list_date,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}

/// A queued job's new recipe (the person edited it before it was sent).
pub struct EditedJob<'a> {
    pub name: Option<&'a str>,
    pub spec: &'a JobSpec,
    pub estimate_credits: Option<i64>,
    pub price_list_date: Option<&'a str>,
}

impl Db {
    /// Replaces a queued job's recipe in place (its position, batch and
    /// account stay). False when it is no longer queued: a job that may
    /// have been sent is never changed.
    pub fn replace_queued(&self, id: i64, e: &EditedJob<'_>) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "UPDATE jobs SET name = ?2, spec = ?3, model = ?4, duration = ?5, estimate_credits = ?6, price_list_date = ?7,
                expected_secs = NULL, updated_at = ?8
             WHERE id = ?1 AND state = 'queued'",
            params![id, e.name, spec_json(e.spec), e.spec.model, e.spec.duration, e.estimate_credits, e.price_list_date, super::super::now_ms()],
        )?;
        Ok(n == 1)
    }

    pub fn insert_job(&self, j: &NewJob<'_>) -> Result<i64, StoreError> {
        let ids = self.insert_jobs(None, std::slice::from_ref(j), |_, _| Ok::<_, StoreError>(None))?;
        Ok(ids[0])
    }

    /// Inserts a job and, in the same transaction, runs `finish` with its id;
    /// when `finish` returns a spec, the job gets that spec instead. Nothing
    /// (no other connection, no engine) sees the job before `finish` is done,
    /// and an error from `finish` leaves no job behind.
    pub fn insert_job_with<E: From<StoreError>>(&self, j: &NewJob<'_>, finish: impl FnOnce(i64) -> Result<Option<JobSpec>, E>) -> Result<i64, E> {
        let mut finish = Some(finish);
        let ids = self.insert_jobs(None, std::slice::from_ref(j), |id, _| finish.take().map_or(Ok(None), |f| f(id)))?;
        Ok(ids[0])
    }

    /// Inserts `jobs` (and `batch`, when given) in one IMMEDIATE
    /// transaction, at consecutive positions after every existing job, in
    /// order. `finish(id, index)` runs for each job inside the transaction
    /// and may replace its spec (e.g. with paths of its copied files); an
    /// error from it leaves nothing behind.
    pub fn insert_jobs<E: From<StoreError>>(
        &self,
        batch: Option<&NewBatch<'_>>,
        jobs: &[NewJob<'_>],
        mut finish: impl FnMut(i64, usize) -> Result<Option<JobSpec>, E>,
    ) -> Result<Vec<i64>, E> {
        let now = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(StoreError::from)?;
        if let Some(b) = batch {
            tx.execute(
                "INSERT INTO batches (id, name, source_file, account_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![b.id, b.name, b.source_file, b.account_id, now],
            )
            .map_err(StoreError::from)?;
        }
        let last: i64 = tx.query_row("SELECT COALESCE(MAX(position), 0) FROM jobs", [], |r| r.get(0)).map_err(StoreError::from)?;
        let mut ids = Vec::with_capacity(jobs.len());
        for (i, j) in jobs.iter().enumerate() {
            let id = insert_row(&tx, j, batch.map(|b| b.id), last + 1 + i as i64, now)?;
            ids.push(id);
            if let Some(changed) = finish(id, i)? {
                tx.execute("UPDATE jobs SET spec = ?2 WHERE id = ?1", params![id, spec_json(&changed)]).map_err(StoreError::from)?;
            }
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(ids)
    }
}
