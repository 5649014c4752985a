//! The Queue screen's summary: per account, the slot meter and the counts.

use crate::accounts::{AccountState, AccountView};
use crate::engine::JobView;
use crate::store::JobState;
use serde::Serialize;

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

/// `observed(account_id)`: the limit the service has shown, if lower.
pub fn queue_overview(
    accounts: &[AccountView],
    jobs: Vec<JobView>,
    price_list_limit: u32,
    account_limit: impl Fn(&str) -> Option<u32>,
    observed: impl Fn(&str) -> Option<u32>,
    engine_status: String,
    output_dir: String,
    batches: Vec<crate::batch::BatchView>,
) -> QueueOverview {
    let summaries = accounts
        .iter()
        .map(|a| {
            let mine = || jobs.iter().filter(|j| j.account_id == a.id);
            let count = |states: &[JobState]| mine().filter(|j| states.contains(&j.state)).count() as u32;
            let listed_here = listed(mine()).len() as u32;
            let limit = account_limit(&a.id).map_or(price_list_limit, |l| l.min(price_list_limit)).max(1);
            let taken_elsewhere = observed(&a.id).map_or(0, |o| limit.saturating_sub(o));
            AccountQueue {
                account_id: a.id.clone(),
                name: a.name.clone(),
                sandbox: a.sandbox,
                paused: a.state == AccountState::Paused,
                state_note: note(a.state),
                limit,
                taken_elsewhere,
                in_flight: count(&[JobState::Submitting, JobState::Running, JobState::OutcomeUnknown]),
                waiting: count(&[JobState::Queued]),
                running: count(&[JobState::Submitting, JobState::Running]),
                done: count(&[JobState::Succeeded, JobState::Downloading, JobState::Downloaded]),
                failed: count(&[JobState::Failed, JobState::Invalid, JobState::Expired, JobState::OutcomeUnknown]),
                total: mine().count() as u32,
                not_listed: mine().count() as u32 - listed_here,
                credits_charged: mine().filter_map(|j| j.credits_cost).sum(),
            }
        })
        .collect();
    let keep: std::collections::HashSet<i64> = accounts.iter().flat_map(|a| listed(jobs.iter().filter(|j| j.account_id == a.id))).collect();
    let jobs = jobs.into_iter().filter(|j| keep.contains(&j.id)).collect();
    QueueOverview { engine_status, output_dir, accounts: summaries, batches, jobs }
}

/// The ids of one account's jobs (given in queue order) the screen lists.
fn listed<'a>(jobs: impl Iterator<Item = &'a JobView>) -> Vec<i64> {
    let (mut waiting, mut finished, mut rest) = (Vec::new(), Vec::new(), Vec::new());
    for j in jobs {
        match j.state {
            JobState::Queued => waiting.push(j),
            JobState::Downloaded | JobState::Canceled => finished.push(j),
            _ => rest.push(j),
        }
    }
    finished.sort_by_key(|j| std::cmp::Reverse(j.finished_at.unwrap_or(j.updated_at)));
    let ids = |v: Vec<&JobView>| v.into_iter().take(LISTED).map(|j| j.id).collect::<Vec<_>>();
    [ids(waiting), ids(rest), ids(finished)].concat()
}

fn note(state: AccountState) -> Option<String> {
    match state {
        AccountState::Active => None,
        AccountState::Paused => Some("Paused by you: nothing new is sent; running jobs finish.".into()),
        AccountState::NeedsCredits => Some("Out of API credits: the queue is paused. Buy API credits on the Loova API dashboard (App Credits cannot pay for API jobs), then resume.".into()),
        AccountState::KeyRejected => Some("Loova rejected this account's key: replace it on the Accounts screen, then resume.".into()),
        AccountState::KeychainUnavailable => Some("The system keychain is not giving Loova Desk this account's key: unlock it, then resume.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Db, NewAccount, Patch};

    #[test]
    fn a_huge_queue_lists_the_next_waiting_every_active_and_the_latest_finished() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        let account = NewAccount { id: "a1", name: "Studio", base_url: "http://127.0.0.1:1/api", key_hint: "1234", sandbox: false, verified: true };
        db.insert_account(&account).unwrap();
        let prices = crate::load_price_list(dir.path());
        let ids: Vec<i64> = (0..260)
            .map(|i| crate::engine::enqueue(&db, "a1", &crate::JobSpec { prompt: format!("job {i}"), ..Default::default() }, None, &prices).unwrap().id)
            .collect();
        // 3 running, 150 downloaded (finished in id order), 107 still waiting.
        for (n, id) in ids.iter().enumerate().take(153) {
            let (to, finished) = if n < 3 { (JobState::Running, None) } else { (JobState::Downloaded, Some(1_000 + n as i64)) };
            assert!(db.transition(*id, &[JobState::Queued], to, Patch::new().int("finished_at", finished)).unwrap());
        }
        let jobs = crate::engine::list_jobs(&db, &Default::default()).unwrap();
        let accounts = vec![crate::accounts::AccountView::from_row(db.account("a1").unwrap().unwrap(), "http://127.0.0.1:1/api".into())];
        let o = queue_overview(&accounts, jobs, 6, |_| None, |_| None, String::new(), String::new(), vec![]);

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
}
