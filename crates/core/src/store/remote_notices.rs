//! Remote notice targets (ntfy, a webhook, Discord, Slack), the outbox of
//! notices waiting to be delivered, and which batches were summarised
//! (migration 14). No secret is stored here: a target's URL and token are in
//! the keychain (`remote_notices::secret`); `host` is only what the list shows.

use super::{now_ms, Db, StoreError};
use rusqlite::{params, OptionalExtension, Transaction};

/// A target as stored. `kinds` is the comma-separated notice kinds it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTarget {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub host: String,
    pub kinds: String,
    pub created_at: i64,
    pub last_at: Option<i64>,
    pub last_ok: Option<bool>,
    /// Already redacted by the caller: never the URL or token.
    pub last_error: Option<String>,
}

/// One notice waiting for one target (JSON of `remote_notices::Message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub target_id: String,
    pub message: String,
    pub attempts: i64,
    pub next_at: i64,
    pub created_at: i64,
}

/// A batch's jobs in one state, with what they were charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStateCount {
    pub state: String,
    pub jobs: i64,
    pub credits_charged: i64,
}

const TARGET_COLUMNS: &str = "id, name, kind, host, kinds, created_at, last_at, last_ok, last_error";

fn target(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredTarget> {
    Ok(StoredTarget {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        host: r.get(3)?,
        kinds: r.get(4)?,
        created_at: r.get(5)?,
        last_at: r.get(6)?,
        last_ok: r.get(7)?,
        last_error: r.get(8)?,
    })
}

fn outbox(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow { id: r.get(0)?, target_id: r.get(1)?, message: r.get(2)?, attempts: r.get(3)?, next_at: r.get(4)?, created_at: r.get(5)? })
}

fn insert_outbox(tx: &Transaction<'_>, target_ids: &[String], message: &str, now: i64) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached("INSERT INTO notice_outbox (target_id, message, attempts, next_at, created_at) VALUES (?1, ?2, 0, ?3, ?3)")?;
    for id in target_ids {
        stmt.execute(params![id, message, now])?;
    }
    Ok(())
}

impl Db {
    /// False when the name is taken.
    pub fn insert_notice_target(&self, t: &StoredTarget) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "INSERT INTO notice_targets (id, name, kind, host, kinds, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING",
            params![t.id, t.name, t.kind, t.host, t.kinds, t.created_at],
        )?;
        Ok(n > 0)
    }

    pub fn notice_targets(&self) -> Result<Vec<StoredTarget>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("SELECT {TARGET_COLUMNS} FROM notice_targets ORDER BY created_at, name"))?;
        let rows = stmt.query_map([], target)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// By id, or else by name.
    pub fn notice_target(&self, id_or_name: &str) -> Result<Option<StoredTarget>, StoreError> {
        let conn = self.conn();
        let sql = format!("SELECT {TARGET_COLUMNS} FROM notice_targets WHERE id = ?1 UNION ALL SELECT {TARGET_COLUMNS} FROM notice_targets WHERE name = ?1");
        Ok(conn.query_row(&sql, [id_or_name], target).optional()?)
    }

    /// Deletes the target and what waited for it. True when there was one.
    pub fn delete_notice_target(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute("DELETE FROM notice_targets WHERE id = ?1", [id])? > 0)
    }

    pub fn set_notice_target_kinds(&self, id: &str, kinds: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute("UPDATE notice_targets SET kinds = ?2 WHERE id = ?1", params![id, kinds])? > 0)
    }

    /// The last delivery attempt: `error` must already be redacted.
    pub fn set_notice_target_result(&self, id: &str, ok: bool, error: Option<&str>) -> Result<(), StoreError> {
        self.conn().execute("UPDATE notice_targets SET last_at = ?2, last_ok = ?3, last_error = ?4 WHERE id = ?1", params![id, now_ms(), ok, error])?;
        Ok(())
    }

    /// One message for each of `target_ids`, in one transaction.
    pub fn queue_remote_notice(&self, target_ids: &[String], message: &str) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert_outbox(&tx, target_ids, message, now_ms())?;
        tx.commit()?;
        Ok(())
    }

    /// Records that batch `batch_id` (of `jobs` jobs) is summarised and queues
    /// `message` for `target_ids`, in one transaction. False (nothing queued)
    /// when it was already summarised with as many jobs: a restart, a second
    /// look or another process never sends it twice; a batch that grew
    /// (`loova batch retry`) gets one more summary.
    pub fn claim_batch_summary(&self, batch_id: &str, jobs: i64, target_ids: &[String], message: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = now_ms();
        let claimed = tx.execute(
            "INSERT INTO notice_batches (batch_id, jobs, at) VALUES (?1, ?2, ?3)
             ON CONFLICT (batch_id) DO UPDATE SET jobs = excluded.jobs, at = excluded.at WHERE excluded.jobs > notice_batches.jobs",
            params![batch_id, jobs, now],
        )? > 0;
        if claimed {
            insert_outbox(&tx, target_ids, message, now)?;
        }
        tx.commit()?;
        Ok(claimed)
    }

    pub fn batch_summarised(&self, batch_id: &str) -> Result<bool, StoreError> {
        Ok(self.conn().query_row("SELECT 1 FROM notice_batches WHERE batch_id = ?1", [batch_id], |_| Ok(())).optional()?.is_some())
    }

    /// A batch's jobs per state (from `job_counts`, a few rows).
    pub fn batch_state_counts(&self, batch_id: &str) -> Result<Vec<BatchStateCount>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT state, SUM(jobs), SUM(credits_charged) FROM job_counts WHERE batch_id = ?1 GROUP BY state")?;
        let rows = stmt
            .query_map([batch_id], |r| Ok(BatchStateCount { state: r.get(0)?, jobs: r.get(1)?, credits_charged: r.get(2)? }))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Targets with a message due at `now`.
    pub fn outbox_targets_due(&self, now: i64) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT DISTINCT target_id FROM notice_outbox WHERE next_at <= ?1")?;
        let rows = stmt.query_map([now], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// A target's due messages, oldest first.
    pub fn outbox_due(&self, target_id: &str, now: i64) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, target_id, message, attempts, next_at, created_at FROM notice_outbox WHERE target_id = ?1 AND next_at <= ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![target_id, now], outbox)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every waiting message (Settings shows how many wait per target).
    pub fn outbox(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT id, target_id, message, attempts, next_at, created_at FROM notice_outbox ORDER BY id")?;
        let rows = stmt.query_map([], outbox)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub fn outbox_next_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.conn().query_row("SELECT MIN(next_at) FROM notice_outbox", [], |r| r.get(0))?)
    }

    pub fn outbox_delete(&self, ids: &[i64]) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("DELETE FROM notice_outbox WHERE id = ?1")?;
        for id in ids {
            stmt.execute([id])?;
        }
        Ok(())
    }

    /// One more failed attempt; tried again at `next_at`.
    pub fn outbox_retry_at(&self, id: i64, next_at: i64) -> Result<(), StoreError> {
        self.conn().execute("UPDATE notice_outbox SET attempts = attempts + 1, next_at = ?2 WHERE id = ?1", params![id, next_at])?;
        Ok(())
    }
}
