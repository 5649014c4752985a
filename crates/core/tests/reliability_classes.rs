//! Each create fault of loova-sim ends the job in the state the create
//! table of `docs/ARCHITECTURE.md` ("Durability and unknown outcomes")
//! gives it: definite refusals are never unknown, ambiguous answers always
//! are, and no job is sent twice by itself. Needs the Secret Service (run by
//! scripts/test).

mod common;

use common::*;
use loova_core::engine::{Engine, EngineConfig};
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
        let mut config = EngineConfig::scaled(SCALE);
        config.output_dir = Some(rig.out.clone());
        config.unknown_hold = Some(Duration::ZERO);
        let engine = Engine::new(rig.db.clone(), rig.accounts.clone(), rig.prices.clone(), config);
        rig.run_until_idle(&engine, Duration::from_secs(60)).await;
        let j = rig.db.job(id).unwrap().unwrap();
        assert_eq!((j.state, j.last_error_code), (*state, *code), "{fault:?}: {:?}", j.last_error);
        let st = rig.sim.state();
        assert_eq!(st.key(KEY).unwrap().tasks_created, *created, "{fault:?}");
        let sent = st.requests.iter().filter(|r| r.method == "POST" && r.path.ends_with("/v1/video/seedance-2")).count();
        assert_eq!(sent, 1, "{fault:?}: sent once, never again by itself");
    }
}
