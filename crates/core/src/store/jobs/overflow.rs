//! Overflow: an account that ran dry hands its waiting jobs to another.
//! Only `queued` jobs move — never one that may have been sent (`submitting`
//! or later, or sent again after an unknown outcome, which may exist on its
//! first account) — in one transaction, so a crash moves all of them or
//! none. Each keeps its place in the order it was queued; what it waited
//! for on its first account (a budget, a backoff) goes with the move.

use super::MoveReason;
use crate::store::{now_ms, Db, StoreError};
use rusqlite::params;

impl Db {
    /// Moves `from`'s queued jobs (but `skip`: jobs whose last attempt is
    /// still winding down in this process) to `to`. Returns the moved ids.
    pub fn overflow_jobs(&self, from: &str, to: &str, why: MoveReason, skip: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let from_name: String = tx.query_row("SELECT name FROM accounts WHERE id = ?1", [from], |r| r.get(0))?;
        let ids: Vec<i64> = {
            let mut stmt = tx.prepare("SELECT id FROM jobs WHERE account_id = ?1 AND state = 'queued' AND resent_after_unknown = 0 ORDER BY position, id")?;
            let rows = stmt.query_map([from], |r| r.get(0))?;
            rows.collect::<Result<Vec<i64>, _>>()?.into_iter().filter(|id| !skip.contains(id)).collect()
        };
        let now = now_ms();
        for id in &ids {
            tx.execute(
                "UPDATE jobs SET account_id = ?2, moved_from = ?3, moved_from_name = ?4, moved_why = ?5, updated_at = ?6,
                 last_error = NULL, last_error_code = NULL, trace_id = NULL, next_attempt_at = NULL
                 WHERE id = ?1 AND account_id = ?3 AND state = 'queued'",
                params![id, to, from, from_name, why.as_str(), now],
            )?;
        }
        // A kill here (before the commit) must move nothing.
        crate::failpoint::hit("overflow_before_commit");
        tx.commit()?;
        Ok(ids)
    }
}
