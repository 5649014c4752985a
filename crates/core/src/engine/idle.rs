//! Why a queue that `run --until-idle` leaves is idle: each reason is
//! something only a person (or the calendar) can change, said with what to
//! do next. The run loop itself waits out everything that ends by itself
//! (backoffs, holds of unknown outcomes, a recovering limit).

use crate::store::{AccountStatus, Db, JobFilter, JobState, StoreError};

/// One sentence per reason, in a stable order: decisions first, then each
/// account whose queued jobs wait.
pub fn idle_reasons(db: &Db) -> Result<Vec<String>, StoreError> {
    let mut reasons = Vec::new();
    let counts = db.count_by_state(None)?;
    let unknown = counts.get(JobState::OutcomeUnknown);
    if unknown > 0 {
        reasons.push(format!(
            "{unknown} {} your decision: the create answer was lost, so Loova may have created (and charged) {}. List them with `loova jobs --state outcome_unknown`, look on Loova's dashboard, then `loova attach JOB TASK_ID` (found), `loova resubmit JOB --yes` (not there) or `loova forget JOB`.",
            plural(unknown, "job needs", "jobs need"),
            if unknown == 1 { "it" } else { "them" }
        ));
    }
    let queued: Vec<(String, u64)> =
        db.count_by_account_and_state()?.into_iter().filter(|c| c.state == JobState::Queued && c.jobs > 0).map(|c| (c.account_id, c.jobs)).collect();
    for account in db.accounts()? {
        let Some((_, n)) = queued.iter().find(|(id, _)| *id == account.id) else { continue };
        let jobs = plural(*n, "queued job waits", "queued jobs wait");
        let why = match account.state {
            AccountStatus::Paused => format!("the account is paused; resume it with `loova accounts resume \"{}\"`.", account.name),
            AccountStatus::NeedsCredits => {
                format!("Loova refused a job for too few API Credits; buy API Credits on Loova, then `loova accounts resume \"{}\"`.", account.name)
            }
            AccountStatus::KeyRejected => format!("Loova rejected its API key; replace it with `loova accounts set-key \"{}\" --key-stdin`.", account.name),
            AccountStatus::Active => match waiting_reason(db, &account.id)? {
                Some(reason) => reason,
                None => "nothing can be sent now without you (every slot is held by a job whose outcome is unknown).".to_string(),
            },
        };
        reasons.push(format!("{jobs} on {}: {why}", account.name));
    }
    Ok(reasons)
}

/// The reason the engine wrote on the account's first queued job (a budget
/// cap, for one), if any.
fn waiting_reason(db: &Db, account_id: &str) -> Result<Option<String>, StoreError> {
    let filter = JobFilter { account_id: Some(account_id.to_string()), states: vec![JobState::Queued], limit: Some(1), ..Default::default() };
    Ok(db.jobs(&filter)?.into_iter().next().and_then(|j| j.last_error))
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
