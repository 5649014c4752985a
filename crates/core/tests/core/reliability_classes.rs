//! Each create fault of loova-sim ends the job in the state the create
//! table of `docs/ARCHITECTURE.md` ("Durability and unknown outcomes")
//! gives it: definite refusals are never unknown, ambiguous answers always
//! are, and no job is sent twice by itself. Needs the Secret Service (run by
//! scripts/test).

use crate::common;
use common::*;
use loova_core::store::JobState;
use loova_core::ErrorCode;
use loova_sim::FaultKind;
use std::time::Duration;

const KEY: &str = "sk-live-classes-test-0001";

/// (fault, the job's state after the queue went idle, its error code, tasks the sim created)
const ROWS: &[(FaultKind, JobState, Option<ErrorCode>, u64)] = &[
    (FaultKind::Http500, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 0),
    (FaultKind::Http502, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 0),
    (FaultKind::Http503, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 0),
    (FaultKind::Dropped, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 0),
    (FaultKind::CreatedThenDropped, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 1),
    (FaultKind::Malformed, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 1),
    (FaultKind::Truncated, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 1),
    (FaultKind::BusinessFailure, JobState::OutcomeUnknown, Some(ErrorCode::OutcomeUnknown), 0),
    (FaultKind::AuthFailure, JobState::Queued, Some(ErrorCode::KeyRejected), 0),
    (FaultKind::InsufficientCredits, JobState::Queued, Some(ErrorCode::InsufficientCredits), 0),
    (FaultKind::Slow, JobState::Downloaded, None, 1),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn every_create_fault_ends_where_the_table_says() {
    for (fault, state, code, created) in ROWS {
        let mut cfg = sim_config(&[(KEY, 1_000_000)]);
        cfg.faults.create.script = [*fault].into_iter().collect();
        let rig = Rig::new(cfg).await;
        let acct = rig.account("Classes", KEY).await;
        let id = rig.enqueue_many(&acct, 1, &format!("{fault:?}"))[0];
        let engine = rig.engine_with(|c| c.unknown_hold = Some(Duration::ZERO));
        rig.run_until_idle(&engine, Duration::from_secs(60)).await;
        let j = rig.db.job(id).unwrap().unwrap();
        assert_eq!((j.state, j.last_error_code), (*state, *code), "{fault:?}: {:?}", j.last_error);
        let st = rig.sim.state();
        assert_eq!(st.key(KEY).unwrap().tasks_created, *created, "{fault:?}");
        let sent = st.requests.iter().filter(|r| r.method == "POST" && r.path.ends_with("/v1/video/seedance-2")).count();
        assert_eq!(sent, 1, "{fault:?}: sent once, never again by itself");
    }
}

/// Another public client of Loova matches "parallel task limit"; a service
/// that says it with HTTP 400 / code 400 was filed as a validation refusal,
/// so the job ended `invalid` instead of waiting for a slot. The
/// simulator's own limit is far above 6 (it answers the limit wording only
/// when its script says so), so the peak measures the app's own cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_parallel_task_limit_400_makes_jobs_wait_and_all_finish_at_most_six_at_once() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.limits.concurrency = 50;
    cfg.responses.concurrency = loova_sim::ErrorReply { http_status: 400, code: 400, message: "parallel task limit reached".into() };
    let refusals = [FaultKind::LimitReached, FaultKind::LimitReached, FaultKind::None, FaultKind::LimitReached, FaultKind::None, FaultKind::LimitReached];
    cfg.faults.create.script = refusals.into_iter().collect();
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Parallel", KEY).await;
    let ids = rig.enqueue_many(&acct, 12, "parallel");
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    for id in &ids {
        let j = rig.db.job(*id).unwrap().unwrap();
        assert_eq!(j.state, JobState::Downloaded, "job {id}: {:?} {:?}", j.last_error_code, j.last_error);
    }
    let st = rig.sim.state();
    let key = st.key(KEY).unwrap();
    assert_eq!(key.tasks_created, 12, "each job created once");
    assert!(key.max_running_at_once <= 6, "our cap, not the simulator's 50: {}", key.max_running_at_once);
    let refused = st.requests.iter().filter(|r| r.path.ends_with("/v1/video/seedance-2") && r.status == Some(400)).count();
    assert_eq!(refused, 4, "every scripted limit refusal was answered and waited out");
    rig.check_files();
}
