//! Unknown outcomes do not stop the queue: an outcome_unknown job holds its
//! slot only for a bounded time, then the next jobs run while it stays
//! outcome_unknown for the person. Against loova-sim, whose
//! `created_then_dropped` fault creates (and charges) the task and drops the
//! answer. Needs the Secret Service (run by scripts/test).

use crate::common;
use common::*;
use loova_core::engine::Engine;
use loova_core::store::JobState;
use loova_sim::FaultKind;
use loova_testkit::wait_for_async_within;
use std::time::Duration;

const KEY: &str = "sk-live-hold-test-0001";
const OTHER: &str = "sk-live-hold-other-0002";

/// The Rig's engine, with the unknown-outcome hold set (as
/// `LOOVA_DESK_UNKNOWN_HOLD_SECS` would; set on the config so that tests
/// in one process do not share an environment variable).
fn engine_with_hold(rig: &Rig, hold: Duration) -> Engine {
    rig.engine_with(|c| c.unknown_hold = Some(hold))
}

fn six_dropped() -> loova_sim::SimConfig {
    let mut cfg = sim_config(&[(KEY, 1_000_000), (OTHER, 1_000_000)]);
    cfg.limits.concurrency = 6;
    cfg.faults.create.script = std::iter::repeat_n(FaultKind::CreatedThenDropped, 6).collect();
    cfg
}

fn account_jobs(rig: &Rig, account: &str, state: JobState) -> usize {
    rig.jobs().iter().filter(|j| j.account_id == account && j.state == state).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn after_the_hold_the_queue_runs_on_and_the_unknown_stay_unknown() {
    let rig = Rig::new(six_dropped()).await;
    let acct = rig.account("Hold", KEY).await;
    rig.enqueue_many(&acct, 10, "hold");
    let engine = engine_with_hold(&rig, Duration::from_millis(300));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let engine = engine.clone();
        async move {
            engine
                .run(false, async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    wait_for_async_within("6 unknown outcomes and the 4 other jobs downloaded", Duration::from_secs(120), || {
        rig.count(JobState::OutcomeUnknown) == 6 && rig.count(JobState::Downloaded) == 4
    })
    .await;
    let _ = stop.send(());
    run.await.unwrap().unwrap();
    rig.check_files();
    let st = rig.sim.state();
    let k = st.key(KEY).unwrap();
    // The 6 dropped answers' tasks plus the 4 others, each created once;
    // the service's limit was never exceeded (a create it refused for the
    // limit costs nothing and is sent again later).
    assert_eq!(k.tasks_created, 10);
    assert!(k.max_running_at_once <= 6, "{}", k.max_running_at_once);
    for j in rig.jobs() {
        assert_eq!(k.tasks.iter().filter(|t| t.prompt == j.spec.prompt).count(), 1, "job {} created once", j.id);
    }
    // The person still decides about the unknown ones.
    for j in rig.jobs().iter().filter(|j| j.state == JobState::OutcomeUnknown) {
        assert!(j.task_id.is_none(), "job {}", j.id);
        assert!(j.last_error.as_deref().unwrap_or("").contains("I found it on Loova"), "{:?}", j.last_error);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn while_the_hold_lasts_unknown_outcomes_keep_their_slots() {
    let rig = Rig::new(six_dropped()).await;
    let acct = rig.account("Hold", KEY).await;
    let other = rig.account("Other", OTHER).await;
    rig.enqueue_many(&acct, 9, "held");
    let engine = engine_with_hold(&rig, Duration::from_secs(3600));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let engine = engine.clone();
        async move {
            engine
                .run(false, async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    wait_for_async_within("6 unknown outcomes", Duration::from_secs(60), || rig.count(JobState::OutcomeUnknown) == 6).await;
    // Another account's job runs to the end meanwhile: the engine has gone
    // round its loop many times with the held slots in place.
    rig.enqueue_many(&other, 1, "other");
    engine.wake();
    wait_for_async_within("the other account's job downloaded", Duration::from_secs(60), || account_jobs(&rig, &other, JobState::Downloaded) == 1).await;
    assert_eq!(account_jobs(&rig, &acct, JobState::Queued), 3, "the held slots block the account's queue");
    assert_eq!(rig.sim.state().key(KEY).unwrap().tasks_created, 6, "nothing more was sent for the account");
    let _ = stop.send(());
    run.await.unwrap().unwrap();
}
