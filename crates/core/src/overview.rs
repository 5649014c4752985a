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
    pub credits_charged: i64,
}

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
                credits_charged: mine().filter_map(|j| j.credits_cost).sum(),
            }
        })
        .collect();
    QueueOverview { engine_status, output_dir, accounts: summaries, batches, jobs }
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
