//! The order of an account's queue: `jobs.position` (then id), which the
//! scheduler follows exactly. Only queued jobs move; every move is one
//! transaction that first checks the job is still queued.

use crate::store::{Db, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// Where a queued job goes in its account's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Sent before every other queued job of its account.
    Top,
    /// After every job queued so far (a job queued later comes after it).
    Bottom,
    /// Just before this queued job of the same account.
    Before(i64),
}

/// What a move found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    Moved,
    /// The job is no longer queued (sent, canceled…): nothing changed.
    NotQueued,
    /// `Before`'s job is not queued: nothing changed.
    TargetNotQueued,
    /// `Before`'s job is another account's: nothing changed.
    OtherAccount,
}

impl Db {
    /// Moves a queued job to `place` in its account's queue.
    pub fn place_job(&self, id: i64, place: Place) -> Result<Placed, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let queued = |tx: &rusqlite::Transaction<'_>, id: i64| -> Result<Option<(String, i64)>, StoreError> {
            Ok(tx.query_row("SELECT account_id, position FROM jobs WHERE id = ?1 AND state = 'queued'", [id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
        };
        let Some((account, _)) = queued(&tx, id)? else {
            return Ok(Placed::NotQueued);
        };
        let position: i64 = match place {
            Place::Top => {
                let first: i64 =
                    tx.query_row("SELECT MIN(position) FROM jobs WHERE account_id = ?1 AND state = 'queued' AND id <> ?2", params![account, id], |r| {
                        Ok(r.get::<_, Option<i64>>(0)?.unwrap_or(0))
                    })?;
                first - 1
            }
            // As a job queued now would be: after every job of any account.
            Place::Bottom => tx.query_row("SELECT COALESCE(MAX(position), 0) + 1 FROM jobs", [], |r| r.get(0))?,
            Place::Before(other) if other == id => return Ok(Placed::Moved),
            Place::Before(other) => {
                let Some((other_account, at)) = queued(&tx, other)? else {
                    return Ok(Placed::TargetNotQueued);
                };
                if other_account != account {
                    return Ok(Placed::OtherAccount);
                }
                // Make room: the target and every queued job of the account
                // after it move back one, so no two share a position.
                tx.execute(
                    "UPDATE jobs SET position = position + 1 WHERE account_id = ?1 AND state = 'queued' AND position >= ?2 AND id <> ?3",
                    params![account, at, id],
                )?;
                at
            }
        };
        tx.execute("UPDATE jobs SET position = ?2 WHERE id = ?1", params![id, position])?;
        // A kill here (room made, nothing committed) must change nothing.
        crate::failpoint::hit("place_before_commit");
        tx.commit()?;
        Ok(Placed::Moved)
    }

    /// Queued jobs only: swaps the job with its neighbour in the queue of
    /// the same account (one transaction). False at either end.
    pub fn move_job(&self, id: i64, up: bool) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let me: Option<(String, i64)> =
            tx.query_row("SELECT account_id, position FROM jobs WHERE id = ?1 AND state = 'queued'", [id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((account, pos)) = me else {
            return Ok(false);
        };
        let sql = if up {
            "SELECT id, position FROM jobs WHERE account_id = ?1 AND state = 'queued' AND position < ?2 ORDER BY position DESC LIMIT 1"
        } else {
            "SELECT id, position FROM jobs WHERE account_id = ?1 AND state = 'queued' AND position > ?2 ORDER BY position LIMIT 1"
        };
        let other: Option<(i64, i64)> = tx.query_row(sql, params![account, pos], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((other_id, other_pos)) = other else {
            return Ok(false);
        };
        tx.execute("UPDATE jobs SET position = ?2 WHERE id = ?1", params![id, other_pos])?;
        tx.execute("UPDATE jobs SET position = ?2 WHERE id = ?1", params![other_id, pos])?;
        tx.commit()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EditedJob, JobState, NewAccount, NewJob, Patch};

    fn queue(accounts: &[&str], jobs: usize) -> (tempfile::TempDir, Db, Vec<i64>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        for id in accounts {
            db.insert_account(&NewAccount { id, name: id, base_url: "http://x/api", key_hint: "…1234", sandbox: false, verified: true }).unwrap();
        }
        let spec = crate::JobSpec { prompt: "p".into(), ..Default::default() };
        let ids = (0..jobs)
            .map(|i| {
                let account_id = accounts[i % accounts.len()];
                db.insert_job(&NewJob { account_id, name: None, spec: &spec, estimate_credits: Some(75), price_list_date: None }).unwrap()
            })
            .collect();
        (dir, db, ids)
    }

    /// What the scheduler would send next, in order.
    fn order(db: &Db, account: &str) -> Vec<i64> {
        db.next_queued(account, i64::MAX, 100).unwrap().iter().map(|j| j.id).collect()
    }

    #[test]
    fn top_bottom_and_before_are_the_order_the_scheduler_sends_in() {
        let (_d, db, ids) = queue(&["a"], 5);
        assert_eq!(db.place_job(ids[3], Place::Top).unwrap(), Placed::Moved);
        assert_eq!(order(&db, "a"), [ids[3], ids[0], ids[1], ids[2], ids[4]]);
        assert_eq!(db.place_job(ids[3], Place::Bottom).unwrap(), Placed::Moved);
        assert_eq!(order(&db, "a"), [ids[0], ids[1], ids[2], ids[4], ids[3]]);
        assert_eq!(db.place_job(ids[4], Place::Before(ids[1])).unwrap(), Placed::Moved);
        assert_eq!(order(&db, "a"), [ids[0], ids[4], ids[1], ids[2], ids[3]]);
        assert_eq!(db.place_job(ids[0], Place::Before(ids[3])).unwrap(), Placed::Moved);
        assert_eq!(order(&db, "a"), [ids[4], ids[1], ids[2], ids[0], ids[3]]);
        // Every position is distinct: no tie left to the ids.
        let positions: std::collections::HashSet<i64> = db.next_queued("a", i64::MAX, 100).unwrap().iter().map(|j| j.position).collect();
        assert_eq!(positions.len(), 5);
    }

    #[test]
    fn only_queued_jobs_move_and_only_among_their_accounts() {
        let (_d, db, ids) = queue(&["a", "b"], 4);
        // ids[0], ids[2] are a's; ids[1], ids[3] are b's.
        assert_eq!(db.place_job(ids[2], Place::Before(ids[1])).unwrap(), Placed::OtherAccount);
        assert!(db.transition(ids[0], &[JobState::Queued], JobState::Submitting, Patch::new()).unwrap());
        assert_eq!(db.place_job(ids[0], Place::Top).unwrap(), Placed::NotQueued, "it may have been sent");
        assert_eq!(db.place_job(ids[2], Place::Before(ids[0])).unwrap(), Placed::TargetNotQueued);
        assert_eq!(order(&db, "a"), [ids[2]]);
        assert_eq!(order(&db, "b"), [ids[1], ids[3]]);
    }

    #[test]
    fn an_edit_changes_only_a_queued_job_and_keeps_its_place() {
        let (_d, db, ids) = queue(&["a"], 3);
        let spec = crate::JobSpec { prompt: "longer".into(), duration: 8, ..Default::default() };
        let edit = EditedJob { name: Some("Take 2"), spec: &spec, estimate_credits: Some(120), price_list_date: None };
        assert!(db.replace_queued(ids[1], &edit).unwrap());
        let j = db.job(ids[1]).unwrap().unwrap();
        assert_eq!((j.spec.duration, j.estimate_credits, j.name.as_deref()), (8, Some(120), Some("Take 2")));
        assert_eq!(order(&db, "a"), ids);
        assert!(db.transition(ids[2], &[JobState::Queued], JobState::Submitting, Patch::new()).unwrap());
        assert!(!db.replace_queued(ids[2], &edit).unwrap(), "sent: never changed");
        assert_eq!(db.job(ids[2]).unwrap().unwrap().spec.prompt, "p");
    }
}
