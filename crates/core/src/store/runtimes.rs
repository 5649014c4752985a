//! The run-time history the engine learns from (`runtime_model`): one row
//! per task that finished, newest read first, bounded.

use crate::runtime_model::{Observation, RunKey};
use crate::store::{now_ms, Db, StoreError};
use rusqlite::params;

impl Db {
    pub fn record_run_time(&self, account_id: &str, o: &Observation) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO run_times (account_id, model, duration, video_reference, prior_secs, lo_secs, hi_secs, observed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![account_id, o.key.model, o.key.duration, o.key.video_reference, o.prior_secs, o.lo_secs, o.hi_secs, now_ms()],
        )?;
        Ok(())
    }

    /// The account's latest `limit` observations, newest first (an index
    /// walk: the table grows by one row per finished task).
    pub fn run_time_history(&self, account_id: &str, limit: usize) -> Result<Vec<Observation>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT model, duration, video_reference, prior_secs, lo_secs, hi_secs FROM run_times
             WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![account_id, limit as i64], |r| {
            Ok(Observation {
                key: RunKey { model: r.get(0)?, duration: r.get(1)?, video_reference: r.get(2)? },
                prior_secs: r.get(3)?,
                lo_secs: r.get(4)?,
                hi_secs: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
