//! Batch rows and their progress (counts by state in SQL). Batches are
//! inserted with their jobs by `Db::insert_jobs`.

use super::{Db, StoreError};
use rusqlite::OptionalExtension;

/// A batch as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    pub id: String,
    pub name: String,
    pub source_file: String,
    pub account_id: Option<String>,
    pub created_at: i64,
}

/// A batch's jobs by where they are, and their credits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    pub total: u64,
    pub downloaded: u64,
    /// Submitting, running, outcome unknown, succeeded or downloading.
    pub running: u64,
    pub queued: u64,
    /// Failed, invalid or expired.
    pub failed: u64,
    pub canceled: u64,
    pub credits_charged: u64,
    pub credits_estimated: u64,
}

impl Db {
    pub fn batch(&self, id: &str) -> Result<Option<StoredBatch>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT id, name, source_file, account_id, created_at FROM batches WHERE id = ?1", [id], |r| {
                Ok(StoredBatch { id: r.get(0)?, name: r.get(1)?, source_file: r.get(2)?, account_id: r.get(3)?, created_at: r.get(4)? })
            })
            .optional()?)
    }

    /// Every batch, newest first.
    pub fn batches(&self) -> Result<Vec<StoredBatch>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, name, source_file, account_id, created_at FROM batches ORDER BY created_at DESC, rowid DESC")?;
        let rows =
            stmt.query_map([], |r| Ok(StoredBatch { id: r.get(0)?, name: r.get(1)?, source_file: r.get(2)?, account_id: r.get(3)?, created_at: r.get(4)? }))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn batch_counts(&self, batch_id: &str) -> Result<BatchCounts, StoreError> {
        Ok(self.conn().query_row(
            // `job_counts` (migration 9): a few rows per batch, however big.
            "SELECT COALESCE(SUM(jobs), 0),
                COALESCE(SUM(jobs * (state = 'downloaded')), 0),
                COALESCE(SUM(jobs * (state IN ('submitting', 'running', 'outcome_unknown', 'succeeded', 'downloading'))), 0),
                COALESCE(SUM(jobs * (state = 'queued')), 0),
                COALESCE(SUM(jobs * (state IN ('failed', 'invalid', 'expired'))), 0),
                COALESCE(SUM(jobs * (state = 'canceled')), 0),
                COALESCE(SUM(credits_charged), 0),
                COALESCE(SUM(credits_estimated), 0)
             FROM job_counts WHERE batch_id = ?1",
            [batch_id],
            |r| {
                let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
                Ok(BatchCounts {
                    total: n(0)?,
                    downloaded: n(1)?,
                    running: n(2)?,
                    queued: n(3)?,
                    failed: n(4)?,
                    canceled: n(5)?,
                    credits_charged: n(6)?,
                    credits_estimated: n(7)?,
                })
            },
        )?)
    }
}
