//! Regressions found by the chaos campaign (`scripts/chaos`). Needs the
//! Secret Service (run by scripts/test).

use crate::common;
use common::{sim_config, Rig};
use loova_core::store::{AccountStatus, JobState};
use loova_sim::FaultKind;
use loova_testkit::wait_for_async_within;
use std::time::Duration;

const KEY: &str = "sk-live-chaos-resume-0001";

/// Found by `scripts/chaos --jobs 200 --kills 50 --seed 7`: two jobs stuck
/// in `submitting` for good. A create refused for credits puts the job back
/// in the queue and pauses the account, then reads the balance; resumed
/// while that read was still on its way, the account's queue sent the same
/// job again, but its first attempt still counted as this job's task in the
/// engine, so no second one started: `submitting` with nothing sending it,
/// until a restart turned it into a false "outcome unknown".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_job_resumed_while_its_refusal_is_still_handled_is_sent_again() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.slow_ms = 3_000;
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Resume", KEY).await;
    // After the account's own key check: the first create is refused for
    // credits, and the balance read that follows takes 3 s.
    rig.sim
        .update_config(|c| {
            c.faults.create.script = [FaultKind::InsufficientCredits].into_iter().collect();
            c.faults.credits.script = [FaultKind::Slow].into_iter().collect();
        })
        .unwrap();
    let id = rig.enqueue_many(&acct, 1, "resume")[0];
    let engine = rig.engine();
    let runner = {
        let e = engine.clone();
        tokio::spawn(async move { e.run(true, std::future::pending()).await })
    };
    let account = || rig.db.account(&acct).unwrap().unwrap().state;
    wait_for_async_within("the account paused for credits", Duration::from_secs(20), || account() == AccountStatus::NeedsCredits).await;
    // The person tops up and resumes at once, from another process (as the
    // campaign's person does; the engine sees it within a moment).
    loova_core::store::Db::open_in(rig.dir.path()).unwrap().set_account_state(&acct, AccountStatus::Active).unwrap();
    wait_for_async_within("the job downloaded", Duration::from_secs(30), || {
        let j = rig.db.job(id).unwrap().unwrap();
        (j.state == JobState::Downloaded).then_some(()).ok_or(format!("{} {:?}", j.state, j.last_error))
    })
    .await;
    tokio::time::timeout(Duration::from_secs(30), runner).await.unwrap().unwrap().unwrap();
    assert_eq!(rig.sim.state().key(KEY).unwrap().tasks_created, 1, "sent once after the refusal");
    rig.check_files();
}
