//! The engine's side of a studio (`crate::studio`): leases before creates,
//! a heartbeat that keeps this computer's leases in step with its jobs and
//! follows silent computers' tasks, and the latest status per account for
//! the slot meter. An account whose database does not answer sends no
//! create at all: it never falls back to counting only its own jobs.

use super::{Engine, EngineError, Inner, NoticeKind};
use crate::api::TaskState;
use crate::store::{now_ms, AccountRow, JobFilter, JobRow, JobState, StoredStudioLink};
use crate::studio::{self, Needed, StudioDb, StudioError, StudioLink, StudioStatus, Want};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

#[derive(Default)]
pub(crate) struct Studios {
    /// The open pool of each linked account, with the link version it was
    /// opened for (a new connect, in any process, reopens it).
    pools: tokio::sync::Mutex<HashMap<String, (i64, StudioDb)>>,
    status: Mutex<HashMap<String, StudioStatus>>,
    /// Held from a lease to the job's move to `submitting`, and by the
    /// heartbeat's sync (which would otherwise release that lease).
    pub gate: tokio::sync::Mutex<()>,
    /// Something changed (a task ended, a create answered): sync now.
    pub poke: Notify,
    /// Per account, how many jobs this computer tried to send at its last
    /// look (0 when paused, held by its budget, or its own slots full): a
    /// computer that cannot use a slot leaves the line at its heartbeat,
    /// so no turn is kept for it while others wait.
    wanting: Mutex<HashMap<String, i64>>,
}

impl Engine {
    /// This engine's latest view of the account's studio (refreshed by each
    /// heartbeat), or `None` when the account does not share its slots.
    pub fn studio_status(&self, account_id: &str) -> Option<StudioStatus> {
        self.inner.studios.status.lock().unwrap_or_else(|e| e.into_inner()).get(account_id).cloned()
    }
}

impl Inner {
    /// Leases for as many of `chosen` as the studio grants (none when the
    /// database does not answer). Called with the gate held.
    pub(crate) async fn studio_grant(&self, account: &AccountRow, limit: i64, chosen: &[JobRow]) -> Result<Vec<i64>, EngineError> {
        let Some(stored) = self.db.studio_link(&account.id)? else {
            return Ok(Vec::new());
        };
        if chosen.is_empty() || self.studio_known_down(&account.id) {
            // Down: the heartbeat probes the database and wakes the loop
            // when it answers again.
            return Ok(Vec::new());
        }
        let mut wants = Vec::with_capacity(chosen.len());
        for j in chosen {
            wants.push(Want { job_id: j.id, hold_ms: self.hold_of(j)?.as_millis() as i64 });
        }
        let queued = self.queued_count(&account.id)?;
        let silence = studio::silence_ms(self.config.time_scale);
        let answer = match self.studio_db(&stored).await {
            Ok(sdb) => sdb.acquire(&stored.studio_account, &stored.computer, limit, &wants, queued, silence).await,
            Err(e) => Err(e),
        };
        match answer {
            Ok(granted) => Ok(granted),
            Err(e) => {
                self.studio_down(account, &stored, e);
                Ok(Vec::new())
            }
        }
    }

    /// How many jobs this computer wants slots for now (see `wanting`).
    pub(crate) fn studio_wanting(&self, account_id: &str, jobs: usize) {
        self.studios.wanting.lock().unwrap_or_else(|e| e.into_inner()).insert(account_id.to_string(), jobs as i64);
    }

    /// Sync soon (a task ended or a create answered).
    pub(crate) fn studio_poke(&self) {
        self.studios.poke.notify_one();
    }

    /// The heartbeat loop; runs as long as the engine runs.
    pub(crate) async fn studio_heartbeats(self: Arc<Self>) {
        let every = studio::heartbeat_every(self.config.time_scale);
        loop {
            if let Err(e) = self.studio_round().await {
                eprintln!("loova-desk: studio heartbeat: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = self.studios.poke.notified() => {}
            }
        }
    }

    async fn studio_round(self: &Arc<Self>) -> Result<(), EngineError> {
        let links = self.db.studio_links()?;
        let gone: Vec<String> = {
            let mut status = self.studios.status.lock().unwrap_or_else(|e| e.into_inner());
            let gone: Vec<String> = status.keys().filter(|id| !links.iter().any(|l| &l.account_id == *id)).cloned().collect();
            for id in &gone {
                status.remove(id);
            }
            gone
        };
        for id in gone {
            self.studios.pools.lock().await.remove(id.as_str());
            self.account_changed(&id);
        }
        for stored in links {
            let Some(account) = self.db.account(&stored.account_id)? else { continue };
            self.studio_beat(&account, &stored).await?;
        }
        Ok(())
    }

    /// One heartbeat of one account: sync the leases, follow silent
    /// holders' tasks, read the studio's status.
    async fn studio_beat(self: &Arc<Self>, account: &AccountRow, stored: &StoredStudioLink) -> Result<(), EngineError> {
        let silence = studio::silence_ms(self.config.time_scale);
        let sdb = match self.studio_db(stored).await {
            Ok(sdb) => sdb,
            Err(e) => {
                self.studio_down(account, stored, e);
                return Ok(());
            }
        };
        let synced = {
            let _gate = self.studios.gate.lock().await;
            let needed = self.needed_leases(&account.id)?;
            let queued = self.queued_count(&account.id)?;
            let wanting = self.studios.wanting.lock().unwrap_or_else(|e| e.into_inner()).get(&account.id).copied().unwrap_or(0).min(queued);
            sdb.sync(&stored.studio_account, &stored.computer, &needed, queued, wanting, silence).await
        };
        if let Err(e) = synced {
            self.studio_down(account, stored, e);
            return Ok(());
        }
        if let Ok(orphans) = sdb.orphans(&stored.studio_account, &stored.computer, silence).await {
            self.follow_orphans(account, &sdb, orphans).await;
        }
        let seen = sdb.seen(&stored.studio_account, &stored.computer, silence).await;
        let link = self.link_of(stored);
        let status = studio::status_from(&link, crate::pricing::limit::effective_limit(self.prices.list.concurrency_limit, account.concurrency_limit), seen);
        let has_room = status.reachable && status.in_use < status.limit;
        self.studio_set_status(account, status);
        if has_room && self.queued_count(&account.id)? > 0 {
            // A slot is free somewhere in the studio: try for it.
            self.wake.notify_one();
        }
        Ok(())
    }

    /// The jobs of this computer that hold a slot: a create in flight, a
    /// running task, an unknown outcome within its hold.
    fn needed_leases(&self, account_id: &str) -> Result<Vec<Needed>, EngineError> {
        let filter = JobFilter { account_id: Some(account_id.to_string()), states: JobState::IN_FLIGHT.to_vec(), ..Default::default() };
        let now = now_ms();
        let mut needed = Vec::new();
        for j in self.db.jobs(&filter)? {
            let hold = self.hold_of(&j)?.as_millis() as i64;
            let unknown = j.state == JobState::OutcomeUnknown;
            if unknown && j.updated_at + hold <= now {
                continue;
            }
            let task_id = if j.state == JobState::Running { j.task_id.clone() } else { None };
            needed.push(Needed { job_id: j.id, task_id, unknown, hold_ms: hold });
        }
        Ok(needed)
    }

    /// A silent computer's running tasks, polled with this computer's own
    /// key (the same Loova user): each lease goes when its task is final.
    async fn follow_orphans(&self, account: &AccountRow, sdb: &StudioDb, orphans: Vec<(i64, String)>) {
        if orphans.is_empty() {
            return;
        }
        let Ok(used) = self.client(&account.id).await else { return };
        for (lease, task) in orphans {
            self.count(&self.stats.status_requests);
            if let Ok(info) = used.client.task(&used.key, &task).await {
                if matches!(info.status, TaskState::Succeeded | TaskState::Failed) && sdb.release_finished(lease, &task).await.unwrap_or(false) {
                    self.wake.notify_one();
                }
            }
        }
    }

    fn queued_count(&self, account_id: &str) -> Result<i64, EngineError> {
        let counts = self.db.count_by_account_and_state()?;
        Ok(counts.into_iter().filter(|c| c.account_id == account_id && c.state == JobState::Queued).map(|c| c.jobs as i64).sum())
    }

    /// The pool for a link, opened (password from the keychain) on first
    /// use and again after the link changed.
    async fn studio_db(&self, stored: &StoredStudioLink) -> Result<StudioDb, StudioError> {
        let mut pools = self.studios.pools.lock().await;
        if let Some((version, sdb)) = pools.get(&stored.account_id) {
            if *version == stored.version {
                return Ok(sdb.clone());
            }
        }
        let sdb = studio::open_for(&self.db, self.accounts.vault(), &stored.account_id).await?;
        pools.insert(stored.account_id.clone(), (stored.version, sdb.clone()));
        Ok(sdb)
    }

    fn link_of(&self, stored: &StoredStudioLink) -> StudioLink {
        studio::link_from(&stored.account_id, &stored.url, &stored.studio_account, &stored.computer)
    }

    fn studio_known_down(&self, account_id: &str) -> bool {
        self.studios.status.lock().unwrap_or_else(|e| e.into_inner()).get(account_id).is_some_and(|s| !s.reachable)
    }

    /// The database did not answer: no create for this account until it
    /// does; said once on the card and in one notification.
    fn studio_down(&self, account: &AccountRow, stored: &StoredStudioLink, e: StudioError) {
        let link = self.link_of(stored);
        let limit = crate::pricing::limit::effective_limit(self.prices.list.concurrency_limit, account.concurrency_limit);
        let mut status = studio::status_from(&link, limit, Err(e));
        if let Some(old) = self.studio_status_of(&account.id) {
            // The last known computers stay on the meter, greyed by `reachable`.
            status.computers = old.computers;
        }
        self.studio_set_status(account, status);
    }

    fn studio_status_of(&self, account_id: &str) -> Option<StudioStatus> {
        self.studios.status.lock().unwrap_or_else(|e| e.into_inner()).get(account_id).cloned()
    }

    /// Stores the status; tells the UI when what it shows changed, and the
    /// person when the database stopped (or started) answering.
    fn studio_set_status(&self, account: &AccountRow, status: StudioStatus) {
        let old = self.studios.status.lock().unwrap_or_else(|e| e.into_inner()).insert(account.id.clone(), status.clone());
        let was_reachable = old.as_ref().is_none_or(|o| o.reachable);
        if was_reachable && !status.reachable {
            self.notice(
                NoticeKind::StudioUnreachable,
                format!("{}: the studio database does not answer", account.name),
                format!(
                    "No new job of {} is sent until {} answers again (running jobs are still followed and saved). {}",
                    account.name,
                    status.url_display,
                    status.error.clone().unwrap_or_default()
                ),
            );
        }
        if !was_reachable && status.reachable {
            self.wake.notify_one();
        }
        if old.as_ref().is_none_or(|o| shown(o) != shown(&status)) {
            self.account_changed(&account.id);
        }
    }
}

/// What the slot meter shows (heartbeat times left out: they change every beat).
fn shown(s: &StudioStatus) -> StudioStatus {
    let mut s = s.clone();
    for c in &mut s.computers {
        c.last_seen_ms = 0;
    }
    s
}
