//! The Queue screen's summary: per account, the slot meter and the counts.

use crate::accounts::{AccountState, AccountView};
use crate::engine::JobView;
use crate::store::{AccountStateCount, Db, JobFilter, JobOrder, JobState, StoreError, TextSearch};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountQueue {
    pub account_id: String,
    pub name: String,
    pub sandbox: bool,
    pub paused: bool,
    /// Why the account submits nothing right now, and what to do.
    pub state_note: Option<String>,
    /// The account's limit: the price list's, or the lower one the person set.
    pub limit: u32,
    /// Slots the service showed are used elsewhere (e.g. the Loova web app).
    pub taken_elsewhere: u32,
    pub in_flight: u32,
    pub waiting: u32,
    pub running: u32,
    pub done: u32,
    /// Jobs that need a person: failed, invalid, expired, outcome unknown.
    pub failed: u32,
    pub total: u32,
    /// Jobs of the account left out of `QueueOverview::jobs` (see [`LISTED`]).
    pub not_listed: u32,
    pub credits_charged: i64,
    /// When the account shares its slots with a studio: the studio's slots,
    /// per computer (filled by whoever runs the engine: `Engine::studio_status`).
    pub studio: Option<crate::studio::StudioStatus>,
}

/// Per account, the Queue screen lists at most this many waiting jobs (the
/// next to be sent), this many finished ones (the most recent) and this many
/// of the rest (in flight and needing a person, which stay few in practice).
/// A 10,000-job batch would otherwise send megabytes to the window at every
/// change and draw 10,000 rows; the counts still cover every job.
pub const LISTED: usize = 100;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueOverview {
    /// Who runs the queue ("this window", or `loova run` elsewhere).
    pub engine_status: String,
    /// Where finished videos are saved (one sub-folder per account).
    pub output_dir: String,
    pub accounts: Vec<AccountQueue>,
    /// Imported batches with their progress, newest first.
    pub batches: Vec<crate::batch::BatchView>,
    /// What the screen lists, in queue order: see [`LISTED`].
    pub jobs: Vec<JobView>,
}

/// What changed in the queue since the window's last overview or delta:
/// the account summaries and batches (a few rows of counts) and only the
/// jobs that changed. The window applies it to the rows it has (replace by
/// id, insert in queue order, drop `removed`) and counts `not_listed` from
/// what it then lists, so no row is re-read or re-converted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueDelta {
    pub engine_status: String,
    pub accounts: Vec<AccountQueue>,
    pub batches: Vec<crate::batch::BatchView>,
    /// The changed jobs as they are now.
    pub jobs: Vec<JobView>,
    /// Changed jobs that no longer exist (forgotten).
    pub removed: Vec<i64>,
}

/// The Queue screen's overview, from SQLite: counts per account and state
/// are a few rows of `job_counts`, and only the listed jobs are read (see
/// [`LISTED`]). `observed(account_id)`: the limit the service has shown, if lower.
pub fn queue_overview(
    db: &Db,
    accounts: &[AccountView],
    price_list_limit: u32,
    observed: impl Fn(&str) -> Option<u32>,
    engine_status: String,
) -> Result<QueueOverview, StoreError> {
    let mut summaries = summaries(db, accounts, price_list_limit, observed)?;
    let mut jobs = Vec::new();
    for s in &mut summaries {
        let listed_here = listed(db, &s.account_id, None)?;
        s.not_listed = s.total.saturating_sub(listed_here.len() as u32);
        jobs.extend(listed_here);
    }
    // In queue order across accounts, as the screen shows them.
    jobs.sort_by_key(|j| (j.position, j.id));
    with_takes(db, &mut jobs)?;
    Ok(QueueOverview {
        engine_status,
        output_dir: crate::output_dir::output_root(db).display().to_string(),
        accounts: summaries,
        batches: crate::batch::list_batches(db)?,
        jobs,
    })
}

/// The Queue's filter: per account, the jobs the screen would list (see
/// [`LISTED`]) among those whose name, prompt, task id or saved file
/// contain `text` (any case), in queue order. The counts of the overview
/// stay those of every job.
pub fn filtered_jobs(db: &Db, accounts: &[AccountView], text: &str) -> Result<Vec<JobView>, StoreError> {
    let mut jobs = Vec::new();
    // Searched once for every list of every account.
    let search = db.text_search(text)?;
    for a in accounts {
        jobs.extend(listed(db, &a.id, search.as_ref())?);
    }
    jobs.sort_by_key(|j| (j.position, j.id));
    with_takes(db, &mut jobs)?;
    Ok(jobs)
}

/// The delta for the jobs `changed` (ids, any order, repeats allowed).
pub fn queue_delta(
    db: &Db,
    accounts: &[AccountView],
    price_list_limit: u32,
    observed: impl Fn(&str) -> Option<u32>,
    engine_status: String,
    changed: &[i64],
) -> Result<QueueDelta, StoreError> {
    let (mut jobs, mut removed) = (Vec::new(), Vec::new());
    let mut ids = changed.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        match db.job(id)? {
            Some(row) => jobs.push(JobView::from_row(row)),
            None => removed.push(id),
        }
    }
    with_takes(db, &mut jobs)?;
    Ok(QueueDelta { engine_status, accounts: summaries(db, accounts, price_list_limit, observed)?, batches: crate::batch::list_batches(db)?, jobs, removed })
}

/// Fills each saved video's pick and rating (one read for all rows).
fn with_takes(db: &Db, jobs: &mut [JobView]) -> Result<(), StoreError> {
    let paths: Vec<&str> = jobs.iter().filter(|j| j.state == JobState::Downloaded).filter_map(|j| j.video_path.as_deref()).collect();
    let takes = db.takes_at(&paths)?;
    for j in jobs.iter_mut() {
        j.take = j.video_path.as_ref().and_then(|p| takes.get(p)).copied();
    }
    Ok(())
}

/// Each account's slot meter and counts (`not_listed` left 0: it depends
/// on the listed rows).
fn summaries(db: &Db, accounts: &[AccountView], price_list_limit: u32, observed: impl Fn(&str) -> Option<u32>) -> Result<Vec<AccountQueue>, StoreError> {
    let counts = db.count_by_account_and_state()?;
    let own_limits: HashMap<String, Option<i64>> = db.accounts()?.into_iter().map(|r| (r.id, r.concurrency_limit)).collect();
    let mut summaries = Vec::with_capacity(accounts.len());
    for a in accounts {
        let mine: Vec<&AccountStateCount> = counts.iter().filter(|c| c.account_id == a.id).collect();
        let count = |states: &[JobState]| mine.iter().filter(|c| states.contains(&c.state)).map(|c| c.jobs).sum::<u64>() as u32;
        let limit = crate::pricing::limit::effective_limit(price_list_limit, own_limits.get(&a.id).copied().flatten()) as u32;
        let taken_elsewhere = observed(&a.id).map_or(0, |o| limit.saturating_sub(o));
        summaries.push(AccountQueue {
            account_id: a.id.clone(),
            name: a.name.clone(),
            sandbox: a.sandbox,
            paused: a.state == AccountState::Paused,
            state_note: note(a),
            limit,
            taken_elsewhere,
            in_flight: count(&JobState::IN_FLIGHT),
            waiting: count(&[JobState::Queued]),
            running: count(&[JobState::Submitting, JobState::Running]),
            done: count(&[JobState::Succeeded, JobState::Downloading, JobState::Downloaded]),
            failed: count(&[JobState::Failed, JobState::Invalid, JobState::Expired, JobState::OutcomeUnknown]),
            total: count(&JobState::ALL),
            not_listed: 0,
            credits_charged: mine.iter().map(|c| c.credits_charged).sum(),
            studio: None,
        });
    }
    Ok(summaries)
}

/// One account's jobs the screen lists: the next [`LISTED`] waiting, every
/// one in flight or needing a person, and the [`LISTED`] latest finished.
fn listed(db: &Db, account_id: &str, search: Option<&TextSearch>) -> Result<Vec<JobView>, StoreError> {
    let rest: Vec<JobState> = JobState::ALL.into_iter().filter(|s| !matches!(s, JobState::Queued | JobState::Downloaded | JobState::Canceled)).collect();
    let filter = |states: Vec<JobState>, order, limit| JobFilter { account_id: Some(account_id.to_string()), states, order, limit, ..Default::default() };
    let mut rows = db.jobs_searched(&filter(vec![JobState::Queued], JobOrder::Queue, Some(LISTED)), search)?;
    rows.extend(db.jobs_searched(&filter(rest, JobOrder::Queue, None), search)?);
    // One read per finished state, each walking its index backwards
    // (`jobs_account_finished`): with both states in one IN the newest
    // [`LISTED`] could only be found by sorting every finished job.
    let mut finished = Vec::new();
    for state in [JobState::Downloaded, JobState::Canceled] {
        finished.extend(db.jobs_searched(&filter(vec![state], JobOrder::RecentlyFinished, Some(LISTED)), search)?);
    }
    finished.sort_by_key(|j| std::cmp::Reverse((j.finished_at.unwrap_or(j.updated_at), j.id)));
    finished.truncate(LISTED);
    rows.extend(finished);
    Ok(rows.into_iter().map(JobView::from_row).collect())
}

fn note(a: &AccountView) -> Option<String> {
    if let (AccountState::NeedsCredits, Some(to)) = (a.state, &a.overflow_to_name) {
        return Some(format!(
            "Out of API credits: its waiting jobs go to {to} (overflow). Buy API credits on the Loova API dashboard (App Credits cannot pay for API jobs), then resume."
        ));
    }
    match a.state {
        AccountState::Active => None,
        AccountState::Paused => Some("Paused by you: nothing new is sent; running jobs finish.".into()),
        AccountState::NeedsCredits => Some(
            "Out of API credits: the queue is paused. Buy API credits on the Loova API dashboard (App Credits cannot pay for API jobs), then resume.".into(),
        ),
        AccountState::KeyRejected => Some("Loova rejected this account's key: replace it on the Accounts screen, then resume.".into()),
        AccountState::KeychainUnavailable => Some("The system keychain is not giving Loova Desk this account's key: unlock it, then resume.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Col, Db, NewAccount, Patch};

    const STUDIO: NewAccount<'static> =
        NewAccount { id: "a1", name: "Studio", base_url: "http://127.0.0.1:1/api", key_hint: "1234", sandbox: false, verified: true };

    /// A data folder with one account, "Studio" (id a1), and its price list.
    fn studio() -> (tempfile::TempDir, Db, crate::LoadedPriceList) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        db.insert_account(&STUDIO).unwrap();
        let prices = crate::load_price_list(dir.path());
        (dir, db, prices)
    }

    fn views(db: &Db) -> Vec<crate::accounts::AccountView> {
        vec![crate::accounts::AccountView::from_row(db.account("a1").unwrap().unwrap(), "http://127.0.0.1:1/api".into())]
    }

    #[test]
    fn a_huge_queue_lists_the_next_waiting_every_active_and_the_latest_finished() {
        let (_dir, db, prices) = studio();
        let ids: Vec<i64> = (0..260)
            .map(|i| crate::engine::enqueue(&db, "a1", &crate::JobSpec { prompt: format!("job {i}"), ..Default::default() }, None, &prices).unwrap().id)
            .collect();
        // 3 running, 150 downloaded (finished in id order), 107 still waiting.
        for (n, id) in ids.iter().enumerate().take(153) {
            let (to, finished) = if n < 3 { (JobState::Running, None) } else { (JobState::Downloaded, Some(1_000 + n as i64)) };
            assert!(db.transition(*id, &[JobState::Queued], to, Patch::new().int(Col::FinishedAt, finished)).unwrap());
        }
        let accounts = views(&db);
        let o = queue_overview(&db, &accounts, 6, |_| None, String::new()).unwrap();

        let a = &o.accounts[0];
        assert_eq!((a.total, a.waiting, a.running, a.done), (260, 107, 3, 150), "counts cover every job");
        assert_eq!(a.not_listed, 7 + 50);
        let listed = |state: JobState| o.jobs.iter().filter(|j| j.state == state).map(|j| j.id).collect::<Vec<_>>();
        assert_eq!(listed(JobState::Queued), ids[153..253].to_vec(), "the next 100 to be sent");
        assert_eq!(listed(JobState::Running), ids[..3].to_vec());
        let mut done = listed(JobState::Downloaded);
        done.sort();
        assert_eq!(done, ids[53..153].to_vec(), "the 100 most recently finished");
    }

    #[test]
    fn a_text_in_every_job_lists_the_next_hundred_in_queue_order() {
        let (_dir, db, prices) = studio();
        let owl = crate::engine::enqueue(&db, "a1", &crate::JobSpec { prompt: "An owl".into(), ..Default::default() }, None, &prices).unwrap().id;
        // More matches than the index names (FEW_MATCHES): each row is checked.
        let foxes: Vec<i64> = (0..1_050)
            .map(|i| crate::engine::enqueue(&db, "a1", &crate::JobSpec { prompt: format!("Fox {i}"), ..Default::default() }, None, &prices).unwrap().id)
            .collect();
        let accounts = views(&db);
        let ids = |text: &str| filtered_jobs(&db, &accounts, text).unwrap().into_iter().map(|j| j.id).collect::<Vec<_>>();
        assert_eq!(ids("FOX"), foxes[..LISTED].to_vec(), "the next 100 matches, in queue order");
        assert_eq!(ids("fox 1049"), vec![foxes[1049]], "and a rare one among them");
        assert_eq!(ids("owl"), vec![owl]);
    }

    #[test]
    fn the_filter_finds_jobs_by_name_prompt_task_and_file_in_any_case() {
        let (_dir, db, prices) = studio();
        let add = |prompt: &str, name: Option<&str>| {
            crate::engine::enqueue(&db, "a1", &crate::JobSpec { prompt: prompt.into(), ..Default::default() }, name, &prices).unwrap().id
        };
        let fox = add("A red fox in the snow", None);
        let whale = add("A blue whale", Some("Trailer cut"));
        let owl = add("An owl at night", None);
        assert!(db.transition(owl, &[JobState::Queued], JobState::Running, Patch::new().text(Col::TaskId, Some("task-9f3a"))).unwrap());
        assert!(db.transition(owl, &[JobState::Running], JobState::Downloaded, Patch::new().text(Col::VideoPath, Some("/v/Studio/owl take.mp4"))).unwrap());
        let accounts = views(&db);
        let ids = |text: &str| filtered_jobs(&db, &accounts, text).unwrap().into_iter().map(|j| j.id).collect::<Vec<_>>();
        assert_eq!(ids("FOX"), vec![fox], "any case, a word of the prompt");
        assert_eq!(ids("trailer"), vec![whale], "the job's name");
        assert_eq!(ids("9f3a"), vec![owl], "the task id");
        assert_eq!(ids("owl take"), vec![owl], "the saved file");
        assert_eq!((ids("wl"), ids("WL")), (vec![owl], vec![owl]), "under 3 characters too, any case");
        assert!(ids("zebra").is_empty());
        assert_eq!(ids("  ").len(), 3, "blank filters nothing");
        // An edit of the prompt is found at once (the index follows the row).
        let mut spec = db.job(fox).unwrap().unwrap().spec;
        spec.prompt = "A grey wolf".into();
        crate::engine::edit(&db, fox, &spec, None, &prices).unwrap();
        assert_eq!((ids("wolf"), ids("fox")), (vec![fox], vec![]));
        // Jobs go with their account; a new job never meets their text.
        assert!(db.delete_account("a1").unwrap());
        db.insert_account(&STUDIO).unwrap();
        let again = add("A pony", None);
        assert_eq!((ids("whale"), ids("pony")), (vec![], vec![again]));
    }
}

#[cfg(test)]
#[path = "overview_tests.rs"]
mod big_queue_tests;
