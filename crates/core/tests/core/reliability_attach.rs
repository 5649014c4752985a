//! "I found it on Loova — task id …": an outcome_unknown job is attached to
//! the task Loova made for it and its video is downloaded; a wrong id, a
//! task of another user and a task that does not match the job are refused
//! with the reason. Against loova-sim; needs the Secret Service (run by
//! scripts/test).

use crate::common;
use common::*;
use loova_core::engine::{attach, AttachError, Engine, EngineError};
use loova_core::store::JobState;
use loova_core::{ErrorCode, JobSpec};
use loova_sim::FaultKind;
use std::time::Duration;

const KEY: &str = "sk-live-attach-test-0001";
const STRANGER: &str = "sk-live-attach-stranger-0002";

fn engine(rig: &Rig) -> Engine {
    // Released at once, so `run(until_idle)` ends with the job unknown.
    rig.engine_with(|c| c.unknown_hold = Some(Duration::ZERO))
}

fn refusal(e: EngineError) -> AttachError {
    match e {
        EngineError::Attach(a) => a,
        other => panic!("expected an attach refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_lost_answer_is_recovered_by_its_task_id_and_downloaded() {
    let mut cfg = sim_config(&[(KEY, 1_000_000), (STRANGER, 1_000_000)]);
    cfg.faults.create.script = [FaultKind::CreatedThenDropped].into_iter().collect();
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Attach", KEY).await;
    let spec = JobSpec { prompt: "the lost fox".into(), duration: 5, ..Default::default() };
    let id = loova_core::engine::enqueue(&rig.db, &acct, &spec, None, &rig.prices).unwrap().id;
    let engine = engine(&rig);
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    assert_eq!(rig.db.job(id).unwrap().unwrap().state, JobState::OutcomeUnknown);
    let made = rig.sim.state().key(KEY).unwrap().tasks.iter().find(|t| t.prompt == "the lost fox").expect("the sim made the task").clone();

    // Not a task of this account: a made-up id, and another user's task.
    let e = refusal(attach(&rig.db, &rig.accounts, id, "no-such-task").await.unwrap_err());
    assert_eq!(e.code(), ErrorCode::TaskNotFound);
    assert!(e.to_string().contains("no task no-such-task on this job's account (Attach)"), "{e}");
    outside_task(&rig.sim, STRANGER, "a stranger's fox").await;
    let strangers = rig.sim.state().key(STRANGER).unwrap().tasks[0].task_id.clone();
    let e = refusal(attach(&rig.db, &rig.accounts, id, &strangers).await.unwrap_err());
    assert_eq!(e.code(), ErrorCode::TaskNotFound, "{e}");
    // This account's task, but not this job's (15 s, the job is 5 s).
    outside_task(&rig.sim, KEY, "made on the web").await;
    let web = rig.sim.state().key(KEY).unwrap().tasks.iter().find(|t| t.prompt == "made on the web").unwrap().task_id.clone();
    let e = refusal(attach(&rig.db, &rig.accounts, id, &web).await.unwrap_err());
    assert_eq!(e.code(), ErrorCode::AttachMismatch);
    assert!(e.to_string().contains("its duration is 15 s, the job's is 5 s"), "{e}");
    assert!(e.is_bad_input());
    let j = rig.db.job(id).unwrap().unwrap();
    assert_eq!((j.state, j.task_id), (JobState::OutcomeUnknown, None), "a refusal changes nothing");

    // The right one: the job follows it and the video is downloaded.
    let view = attach(&rig.db, &rig.accounts, id, &format!(" {} ", made.task_id)).await.unwrap();
    assert_eq!(view.state, JobState::Running);
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    let j = rig.db.job(id).unwrap().unwrap();
    assert_eq!(j.state, JobState::Downloaded, "{:?}", j.last_error);
    assert_eq!(j.task_id.as_deref(), Some(made.task_id.as_str()));
    assert_eq!(j.credits_cost, Some(made.credits_cost));
    rig.check_files();
    assert_eq!(rig.sim.state().key(KEY).unwrap().tasks_created, 2, "nothing was created again");
    // One task, one job.
    let other = loova_core::engine::enqueue(&rig.db, &acct, &spec, None, &rig.prices).unwrap().id;
    rig.db.transition(other, &[JobState::Queued], JobState::OutcomeUnknown, loova_core::store::Patch::new()).unwrap();
    let e = refusal(attach(&rig.db, &rig.accounts, other, &made.task_id).await.unwrap_err());
    assert!(e.to_string().contains(&format!("already job {id}'s")), "{e}");
    // Only an unknown outcome can be attached.
    let e = attach(&rig.db, &rig.accounts, id, &made.task_id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::WrongState, "{e}");
}

/// A task Loova does not finish within the deadline stops being polled
/// (before: polled forever) and waits for the person with the message and
/// its task id: attached again it is followed (here to its video), marked
/// failed it ends; it is never sent again, so it is charged once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_task_past_the_deadline_stops_and_is_attached_again_or_marked_failed() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    // About 2 s of real time per task at the rig's scale: longer than the deadline.
    cfg.timings.seedance_2_0 = loova_sim::RunTime { base_secs: 400.0, per_video_second_secs: 0.0, jitter: 0.0 };
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Deadline", KEY).await;
    let engine = rig.engine_with(|c| {
        c.unknown_hold = Some(Duration::ZERO);
        c.task_deadline = Some(Duration::from_millis(300));
    });
    let spec = |p: &str| JobSpec { prompt: p.into(), duration: 5, ..Default::default() };

    let slow = loova_core::engine::enqueue(&rig.db, &acct, &spec("slow but finishing"), None, &rig.prices).unwrap().id;
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    let j = rig.db.job(slow).unwrap().unwrap();
    assert_eq!((j.state, j.last_error_code), (JobState::OutcomeUnknown, Some(ErrorCode::TaskOverdue)), "{:?}", j.last_error);
    let text = j.last_error.clone().unwrap_or_default();
    assert!(text.starts_with("Loova has not finished this task in 6 hours — check it on Loova, then attach or mark failed."), "{text}");
    let task = j.task_id.clone().expect("the task id is kept");
    assert!(text.contains(&task), "{text}");
    let view = loova_core::engine::JobView::from_row(j);
    assert_eq!(view.allowed_actions, [loova_core::engine::JobAction::Attach, loova_core::engine::JobAction::MarkFailed]);
    let e = loova_core::engine::resubmit_unknown(&rig.db, slow).unwrap_err();
    assert_eq!(e.code(), ErrorCode::WrongState, "never sent again: {e}");
    // The person sees on Loova that it finished, and attaches it.
    loova_testkit::wait_for_async("Loova finishes the slow task", || rig.sim.state().task(&task).is_some_and(|t| t.status.is_final())).await;
    assert_eq!(attach(&rig.db, &rig.accounts, slow, &task).await.unwrap().state, JobState::Running);
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    assert_eq!(rig.db.job(slow).unwrap().unwrap().state, JobState::Downloaded);
    rig.check_files();

    // A task that never finishes: stopped at the deadline, then marked failed.
    rig.sim.update_config(|c| c.timings.seedance_2_0.base_secs = 1.0e9).unwrap();
    let stuck = loova_core::engine::enqueue(&rig.db, &acct, &spec("never finishing"), None, &rig.prices).unwrap().id;
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    assert_eq!(rig.db.job(stuck).unwrap().unwrap().last_error_code, Some(ErrorCode::TaskOverdue));
    let view = loova_core::engine::mark_failed(&rig.db, stuck).unwrap();
    assert_eq!((view.state, view.error_code), (JobState::Failed, Some(ErrorCode::TaskOverdue)));
    assert!(view.error.unwrap_or_default().starts_with("Marked failed by you"));
    let st = rig.sim.state();
    let key = st.key(KEY).unwrap();
    assert_eq!(key.tasks_created, 2, "each job created once, nothing sent again");
    assert_eq!(key.credits_available, 1_000_000 - 2 * 75, "charged once each");
}
