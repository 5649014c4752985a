//! The lease protocol (docs/ARCHITECTURE.md, "A studio"). Every slot
//! decision happens in one transaction that first locks the studio
//! account's row, so two computers never count the same free slot; every
//! time is the database's `now()`, never a computer's clock.

use super::pg::{q, StudioDb};
use super::turns::{turns_of, Waiter};
use super::{ComputerSlots, StudioError};

/// A job this computer wants to send, and how long its lease is held if
/// its holder vanishes before the create answers (the unknown-outcome hold).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Want {
    pub job_id: i64,
    pub hold_ms: i64,
}

/// A job of this computer that needs a lease: a create in flight, a running
/// task, or an unknown outcome still within its hold.
#[derive(Debug, Clone)]
pub(crate) struct Needed {
    pub job_id: i64,
    pub task_id: Option<String>,
    pub unknown: bool,
    pub hold_ms: i64,
}

/// What the studio looks like from the database.
pub(crate) struct Seen {
    pub lease_limit: Option<i64>,
    pub computers: Vec<ComputerSlots>,
}

/// Removes the leases without a task id whose holder has been silent and
/// whose hold (from the lease, or from when its outcome became unknown)
/// has ended: only then is such a slot assumed free.
const EXPIRE: &str = "DELETE FROM loova_leases l USING loova_computers c
    WHERE l.studio_account = $1 AND c.studio_account = l.studio_account AND c.name = l.computer
      AND l.task_id IS NULL AND c.last_seen < now() - $2::bigint * interval '1 millisecond'
      AND coalesce(l.unknown_since, l.created_at) + l.hold_ms * interval '1 millisecond' < now()";

const SEEN: &str = "UPDATE loova_computers SET last_seen = now(), queued = $3 WHERE studio_account = $1 AND name = $2";

/// The most silent holders' tasks one heartbeat follows: a studio holds at
/// most its slot limit (6 on Loova's price list) in tasks, so more than
/// this is a database written by someone else, not a crash.
pub(crate) const MAX_ORPHANS: i64 = 32;

/// A task id as Loova hands them out (`task_17a3f0c2…`): 1 to 128 ASCII
/// letters, digits, `-`, `_`, `.` or `:`. Anything else in a lease came
/// from elsewhere and is not polled.
pub(crate) fn is_task_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

impl StudioDb {
    /// Creates the studio account and this computer if they are new.
    pub(crate) async fn register(&self, studio: &str, computer: &str) -> Result<(), StudioError> {
        let (studio, computer) = (studio.to_string(), computer.to_string());
        self.call(|conn| async move {
            conn.execute("INSERT INTO loova_studio_accounts (name) VALUES ($1) ON CONFLICT DO NOTHING", &[&studio]).await.map_err(q)?;
            conn.execute(
                "INSERT INTO loova_computers (studio_account, name) VALUES ($1, $2) ON CONFLICT (studio_account, name) DO UPDATE SET last_seen = now()",
                &[&studio, &computer],
            )
            .await
            .map_err(q)?;
            Ok(())
        })
        .await
    }

    /// Takes up to `wants.len()` leases for this computer: free slots are
    /// min(`limit`, the studio's own limit) less the live leases, handed out
    /// round-robin in the order the computers began waiting (this one
    /// last if it was not waiting) by [`turns_of`]; another's turn is kept
    /// for it (`owed`) until it asks. Returns the jobs that got one; only
    /// those may be sent. The rest wait in `loova_waiters`.
    pub(crate) async fn acquire(
        &self,
        studio: &str,
        computer: &str,
        limit: i64,
        wants: &[Want],
        queued: i64,
        silence_ms: i64,
    ) -> Result<Vec<i64>, StudioError> {
        let (studio, computer, wants) = (studio.to_string(), computer.to_string(), wants.to_vec());
        self.call(|mut conn| async move {
            let tx = conn.transaction().await.map_err(q)?;
            let row = tx.query_opt("SELECT lease_limit FROM loova_studio_accounts WHERE name = $1 FOR UPDATE", &[&studio]).await.map_err(q)?;
            let Some(row) = row else {
                return Err(StudioError::Failed(format!("the studio account \"{studio}\" is not in the database; connect again")));
            };
            let own: Option<i32> = row.get(0);
            let limit = own.map_or(limit, |o| limit.min(o as i64));
            if tx.execute(SEEN, &[&studio, &computer, &(queued as i32)]).await.map_err(q)? == 0 {
                tx.execute("INSERT INTO loova_computers (studio_account, name, queued) VALUES ($1, $2, $3)", &[&studio, &computer, &(queued as i32)])
                    .await
                    .map_err(q)?;
            }
            tx.execute(EXPIRE, &[&studio, &silence_ms]).await.map_err(q)?;
            let live: i64 = tx.query_one("SELECT count(*) FROM loova_leases WHERE studio_account = $1", &[&studio]).await.map_err(q)?.get(0);
            let free = (limit - live).max(0);
            // This computer's place in line and the slots a turn of another
            // already handed it; the other live computers waiting, in line
            // order, each with whether it is ahead of this one.
            let own = tx
                .query_opt("SELECT owed FROM loova_waiters WHERE studio_account = $1 AND computer = $2", &[&studio, &computer])
                .await
                .map_err(q)?;
            let waiting = own.is_some();
            let my_owed = own.map_or(0, |r| r.get::<_, i32>(0) as i64);
            let others = tx
                .query(
                    "SELECT w.computer, w.want, w.owed,
                       (NOT $3 OR (w.waiting_since, w.computer) < (SELECT waiting_since, computer FROM loova_waiters WHERE studio_account = $1 AND computer = $2)) AS ahead
                     FROM loova_waiters w JOIN loova_computers c ON c.studio_account = w.studio_account AND c.name = w.computer
                     WHERE w.studio_account = $1 AND w.computer <> $2 AND c.last_seen >= now() - $4::bigint * interval '1 millisecond'
                     ORDER BY w.waiting_since, w.computer",
                    &[&studio, &computer, &waiting, &silence_ms],
                )
                .await
                .map_err(q)?;
            let others: Vec<Waiter> = others
                .iter()
                .map(|r| {
                    let (want, owed) = (r.get::<_, i32>(1) as i64, r.get::<_, i32>(2) as i64);
                    Waiter { computer: r.get(0), want: want - owed.min(want), owed: owed.min(want), ahead: r.get(3) }
                })
                .collect();
            let turns = turns_of(free, my_owed, wants.len() as i64, &others);
            let mut granted = Vec::new();
            for w in wants.iter().take(turns.mine as usize) {
                let n = tx
                    .execute(
                        "INSERT INTO loova_leases (studio_account, computer, job_id, hold_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        &[&studio, &computer, &w.job_id, &w.hold_ms],
                    )
                    .await
                    .map_err(q)?;
                if n == 1 {
                    granted.push(w.job_id);
                }
            }
            // The others' turns are kept for them, and they go to the back
            // of the line as if they had taken them: behind this computer
            // too if it starts waiting now (a microsecond later, as
            // timestamps in one transaction are all the same `now()`).
            for (other, got) in others.iter().zip(&turns.others).filter(|(_, got)| **got > 0) {
                tx.execute(
                    "UPDATE loova_waiters SET owed = owed + $3, waiting_since = now() + interval '1 microsecond' WHERE studio_account = $1 AND computer = $2",
                    &[&studio, &other.computer, &(*got as i32)],
                )
                .await
                .map_err(q)?;
            }
            let left = (wants.len() - granted.len()) as i32;
            if left == 0 {
                tx.execute("DELETE FROM loova_waiters WHERE studio_account = $1 AND computer = $2", &[&studio, &computer]).await.map_err(q)?;
            } else {
                // Served: to the back of the line. Not served: keep its place.
                let restart = !granted.is_empty();
                tx.execute(
                    "INSERT INTO loova_waiters (studio_account, computer, want) VALUES ($1, $2, $3)
                     ON CONFLICT (studio_account, computer) DO UPDATE SET want = $3, owed = 0,
                       waiting_since = CASE WHEN $4 THEN now() ELSE loova_waiters.waiting_since END",
                    &[&studio, &computer, &left, &restart],
                )
                .await
                .map_err(q)?;
            }
            tx.commit().await.map_err(q)?;
            Ok(granted)
        })
        .await
    }

    /// The heartbeat: this computer is alive (with `queued` jobs), its
    /// leases match its jobs (a lease per job that needs one, with the task
    /// id once known, none for the others), it waits for at most `wanting`
    /// slots, and silent holders' expired leases go.
    pub(crate) async fn sync(&self, studio: &str, computer: &str, needed: &[Needed], queued: i64, wanting: i64, silence_ms: i64) -> Result<(), StudioError> {
        let (studio, computer, needed) = (studio.to_string(), computer.to_string(), needed.to_vec());
        self.call(|mut conn| async move {
            let tx = conn.transaction().await.map_err(q)?;
            tx.query_opt("SELECT 1 FROM loova_studio_accounts WHERE name = $1 FOR UPDATE", &[&studio]).await.map_err(q)?;
            if tx.execute(SEEN, &[&studio, &computer, &(queued as i32)]).await.map_err(q)? == 0 {
                tx.execute("INSERT INTO loova_computers (studio_account, name, queued) VALUES ($1, $2, $3)", &[&studio, &computer, &(queued as i32)])
                    .await
                    .map_err(q)?;
            }
            let ids: Vec<i64> = needed.iter().map(|n| n.job_id).collect();
            tx.execute("DELETE FROM loova_leases WHERE studio_account = $1 AND computer = $2 AND NOT (job_id = ANY($3))", &[&studio, &computer, &ids])
                .await
                .map_err(q)?;
            for n in &needed {
                // Re-adopted after a restart (or held since before the
                // link): inserted; the task id is set once known; an
                // unknown outcome's hold runs from when it became unknown.
                tx.execute(
                    "INSERT INTO loova_leases (studio_account, computer, job_id, task_id, hold_ms, unknown_since)
                     VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)
                     ON CONFLICT (studio_account, computer, job_id) DO UPDATE SET
                       task_id = coalesce(excluded.task_id, loova_leases.task_id), hold_ms = excluded.hold_ms,
                       unknown_since = CASE WHEN $6 THEN coalesce(loova_leases.unknown_since, now()) END",
                    &[&studio, &computer, &n.job_id, &n.task_id, &n.hold_ms, &n.unknown],
                )
                .await
                .map_err(q)?;
            }
            // In line only while it can use a slot (not paused, not held by
            // its budget, its queue not empty), wanting no more than now.
            if wanting == 0 {
                tx.execute("DELETE FROM loova_waiters WHERE studio_account = $1 AND computer = $2", &[&studio, &computer]).await.map_err(q)?;
            } else {
                tx.execute(
                    "UPDATE loova_waiters SET want = LEAST(want, $3), owed = LEAST(owed, $3) WHERE studio_account = $1 AND computer = $2",
                    &[&studio, &computer, &(wanting as i32)],
                )
                .await
                .map_err(q)?;
            }
            tx.execute(EXPIRE, &[&studio, &silence_ms]).await.map_err(q)?;
            tx.commit().await.map_err(q)?;
            Ok(())
        })
        .await
    }

    /// Leases with a task id whose holder has gone silent: another computer
    /// of the studio follows those tasks and releases them when final.
    /// Each one is a status request with this computer's key, so whoever
    /// can write to the database could make it poll anything, without end:
    /// at most [`MAX_ORPHANS`] a heartbeat (a studio never holds more than
    /// its slots), oldest first, and only ids shaped like a task id.
    pub(crate) async fn orphans(&self, studio: &str, computer: &str, silence_ms: i64) -> Result<Vec<(i64, String)>, StudioError> {
        let (studio, computer) = (studio.to_string(), computer.to_string());
        self.call(|conn| async move {
            let rows = conn
                .query(
                    "SELECT l.id, l.task_id FROM loova_leases l JOIN loova_computers c ON c.studio_account = l.studio_account AND c.name = l.computer
                     WHERE l.studio_account = $1 AND l.computer <> $2 AND l.task_id IS NOT NULL AND c.last_seen < now() - $3::bigint * interval '1 millisecond'
                     ORDER BY l.id LIMIT $4",
                    &[&studio, &computer, &silence_ms, &MAX_ORPHANS],
                )
                .await
                .map_err(q)?;
            Ok(rows.iter().map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1))).filter(|(_, task)| is_task_id(task)).collect())
        })
        .await
    }

    /// Releases a silent holder's lease whose task has ended.
    pub(crate) async fn release_finished(&self, lease_id: i64, task_id: &str) -> Result<bool, StudioError> {
        let task_id = task_id.to_string();
        self.call(|conn| async move {
            let n = conn.execute("DELETE FROM loova_leases WHERE id = $1 AND task_id = $2", &[&lease_id, &task_id]).await.map_err(q)?;
            Ok(n == 1)
        })
        .await
    }

    /// Every computer of the studio account, with its leases and queue.
    pub(crate) async fn seen(&self, studio: &str, computer: &str, silence_ms: i64) -> Result<Seen, StudioError> {
        let (studio, computer) = (studio.to_string(), computer.to_string());
        self.call(|conn| async move {
            let limit = conn.query_opt("SELECT lease_limit FROM loova_studio_accounts WHERE name = $1", &[&studio]).await.map_err(q)?;
            let lease_limit = limit.and_then(|r| r.get::<_, Option<i32>>(0)).map(i64::from);
            let rows = conn
                .query(
                    "SELECT c.name, c.queued, (extract(epoch FROM c.last_seen) * 1000)::bigint,
                       (SELECT count(*) FROM loova_leases l WHERE l.studio_account = c.studio_account AND l.computer = c.name),
                       c.last_seen >= now() - $2::bigint * interval '1 millisecond'
                     FROM loova_computers c WHERE c.studio_account = $1 ORDER BY c.name",
                    &[&studio, &silence_ms],
                )
                .await
                .map_err(q)?;
            let computers = rows
                .iter()
                .map(|r| {
                    let name: String = r.get(0);
                    ComputerSlots {
                        here: name == computer,
                        name,
                        waiting: r.get::<_, i32>(1) as i64,
                        last_seen_ms: r.get(2),
                        running: r.get(3),
                        alive: r.get(4),
                    }
                })
                .collect();
            Ok(Seen { lease_limit, computers })
        })
        .await
    }

    /// How many leases this computer holds.
    pub(crate) async fn held_by(&self, studio: &str, computer: &str) -> Result<i64, StudioError> {
        let (studio, computer) = (studio.to_string(), computer.to_string());
        self.call(|conn| async move {
            let row =
                conn.query_one("SELECT count(*) FROM loova_leases WHERE studio_account = $1 AND computer = $2", &[&studio, &computer]).await.map_err(q)?;
            Ok(row.get(0))
        })
        .await
    }

    /// Forgets this computer (its waiting place with it).
    pub(crate) async fn forget_computer(&self, studio: &str, computer: &str) -> Result<(), StudioError> {
        let (studio, computer) = (studio.to_string(), computer.to_string());
        self.call(|conn| async move {
            conn.execute("DELETE FROM loova_computers WHERE studio_account = $1 AND name = $2", &[&studio, &computer]).await.map_err(q)?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::is_task_id;

    #[test]
    fn only_task_shaped_ids_are_followed() {
        for ok in ["task_17a3f0c2b4d5e6", "3f2b-11ee-9a:1", "a"] {
            assert!(is_task_id(ok), "{ok}");
        }
        let long = "t".repeat(129);
        for bad in ["", "../v1/credits", "task?x=1", "task id", "tâche", "a\nb", long.as_str()] {
            assert!(!is_task_id(bad), "{bad:?}");
        }
    }
}
