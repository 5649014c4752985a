//! Retrying a batch's failures: each new job links to the failed one
//! (`retry_of`), in the same batch, and a failed job is retried at most
//! once, checked inside the inserting transaction (two clicks, or the app
//! and the CLI at once, make one retry).

use super::insert::{insert_row, NewJob};
use super::JobState;
use crate::store::{now_ms, Db, StoreError};
use rusqlite::{params, OptionalExtension};

/// The states of a job that definitely failed: no task runs for it and no
/// video will come (an unknown outcome is not one of them).
pub const FAILED: [JobState; 3] = [JobState::Failed, JobState::Invalid, JobState::Expired];

impl Db {
    /// The batch's jobs that definitely failed and were not retried yet, in
    /// queue order.
    pub fn retryable_in_batch(&self, batch_id: &str) -> Result<Vec<super::JobRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM jobs j WHERE j.batch_id = ?1 AND j.state IN ({})
               AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.retry_of = j.id)
             ORDER BY j.position, j.id",
            super::COLUMNS.split(',').map(|c| format!("j.{}", c.trim())).collect::<Vec<_>>().join(", "),
            JobState::sql_list(&FAILED)
        ))?;
        let rows = stmt.query_map([batch_id], super::from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Inserts one new job per `(failed id, job)` into `batch_id`, after
    /// every queued job, each linked to its failed job. A failed job no
    /// longer failed, or already retried, is skipped. `finish(new id,
    /// index)` runs inside the transaction (copies of local files). Returns
    /// (failed id, new id) for the jobs made.
    pub fn insert_retries<E: From<StoreError>>(
        &self,
        batch_id: &str,
        retries: &[(i64, NewJob<'_>)],
        mut finish: impl FnMut(i64, usize) -> Result<Option<crate::JobSpec>, E>,
    ) -> Result<Vec<(i64, i64)>, E> {
        let now = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(StoreError::from)?;
        let last: i64 = tx.query_row("SELECT COALESCE(MAX(position), 0) FROM jobs", [], |r| r.get(0)).map_err(StoreError::from)?;
        let still = format!(
            "SELECT 1 FROM jobs j WHERE j.id = ?1 AND j.batch_id = ?2 AND j.state IN ({}) AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.retry_of = j.id)",
            JobState::sql_list(&FAILED)
        );
        let mut made = Vec::new();
        for (i, (failed, job)) in retries.iter().enumerate() {
            let open: Option<i64> = tx.query_row(&still, params![failed, batch_id], |r| r.get(0)).optional().map_err(StoreError::from)?;
            if open.is_none() {
                continue;
            }
            let id = insert_row(&tx, job, Some(batch_id), last + 1 + i as i64, now)?;
            tx.execute("UPDATE jobs SET retry_of = ?2 WHERE id = ?1", params![id, failed]).map_err(StoreError::from)?;
            if let Some(spec) = finish(id, i)? {
                tx.execute("UPDATE jobs SET spec = ?2 WHERE id = ?1", params![id, super::insert::spec_json(&spec)]).map_err(StoreError::from)?;
            }
            made.push((*failed, id));
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(made)
    }
}
