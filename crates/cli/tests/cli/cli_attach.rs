//! `loova attach JOB TASK_ID` against loova-sim: exit 1 when Loova cannot be
//! asked, 2 when the task is not the job's, 0 when it is (then `loova run`
//! downloads its video). The unknown-outcome hold is released at once with
//! `LOOVA_DESK_UNKNOWN_HOLD_SECS=0`. Needs the Secret Service (run by
//! scripts/test inside dbus-run-session).

use crate::common;
use loova_core::store::{Db, JobState};
use loova_sim::FaultKind;
use loova_testkit::sim_config;
use std::sync::Arc;

const KEY: &str = "sk-live-cli-attach-5e21";

use common::Env;

use common::text;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn attach_follows_the_found_task_or_says_why_not() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)], 0.01);
    cfg.faults.create.script = [FaultKind::CreatedThenDropped].into_iter().collect();
    // The first status request (the first attach) gets a 503.
    cfg.faults.status.script = [FaultKind::Http503].into_iter().collect();
    let sim = loova_testkit::start_sim(cfg).await;
    let env = Env::new("attach").fast().var("LOOVA_DESK_UNKNOWN_HOLD_SECS", "0");
    let db = Arc::new(Db::open_in(env.data.path()).unwrap());
    let accounts = loova_testkit::accounts(db.clone(), &env.service);
    loova_testkit::add_account(&accounts, "Found", &sim.base_url(), KEY).await;
    db.set_setting("output_dir", env.data.path().join("videos").to_str().unwrap()).unwrap();

    let o = env.output_async(&["enqueue", "--account", "Found", "--prompt", "a lost fox", "--duration", "5", "--name", "Lost fox"]).await;
    assert!(o.status.success(), "{}", text(&o));
    let o = env.output_async(&["run", "--until-idle"]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(db.job(1).unwrap().unwrap().state, JobState::OutcomeUnknown);
    let task = sim.state().key(KEY).unwrap().tasks[0].task_id.clone();

    let o = env.output_async(&["attach", "1", &task]).await;
    assert_eq!(o.status.code(), Some(1), "service error: {}", text(&o));
    let o = env.output_async(&["attach", "1", "not-a-task"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("Loova has no task not-a-task on this job's account (Found)"), "{}", text(&o));
    assert_eq!(db.job(1).unwrap().unwrap().state, JobState::OutcomeUnknown);

    let o = env.output_async(&["attach", "1", &task]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("follows the task found on Loova"), "{}", text(&o));
    let o = env.output_async(&["run", "--until-idle"]).await;
    assert!(o.status.success(), "{}", text(&o));
    let j = db.job(1).unwrap().unwrap();
    assert_eq!((j.state, j.task_id.as_deref()), (JobState::Downloaded, Some(task.as_str())));
    assert!(env.data.path().join("videos/Found/Lost fox.mp4").exists());
    assert_eq!(sim.state().key(KEY).unwrap().tasks_created, 1, "nothing sent twice");
    let o = env.output_async(&["attach", "1", &task]).await;
    assert_eq!(o.status.code(), Some(2), "only an unknown outcome: {}", text(&o));
}

/// Idle means "nothing more can happen without a person": six lost create
/// answers hold six slots for 5 s, and the six jobs queued behind them are
/// sent when the holds end, in the same `run --until-idle`. Before, the run
/// stopped at once with "6 queued, 6 outcome_unknown".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn until_idle_waits_out_the_holds_of_lost_answers() {
    let mut cfg = loova_testkit::above_our_cap(sim_config(&[(KEY, 1_000_000)], 0.01));
    cfg.faults.create.script = std::iter::repeat_n(FaultKind::CreatedThenDropped, 6).collect();
    let sim = loova_testkit::start_sim(cfg).await;
    let env = Env::new("idle-holds").fast().var("LOOVA_DESK_UNKNOWN_HOLD_SECS", "0");
    let db = Arc::new(Db::open_in(env.data.path()).unwrap());
    let accounts = loova_testkit::accounts(db.clone(), &env.service);
    loova_testkit::add_account(&accounts, "Holds", &sim.base_url(), KEY).await;
    db.set_setting("output_dir", env.data.path().join("videos").to_str().unwrap()).unwrap();
    for i in 1..=12 {
        let o = env.output_async(&["enqueue", "--account", "Holds", "--prompt", &format!("a held fox {i}"), "--duration", "5"]).await;
        assert!(o.status.success(), "{}", text(&o));
    }

    let mut c = env.cmd(&["run", "--until-idle"]);
    c.env("LOOVA_DESK_UNKNOWN_HOLD_SECS", "5");
    let o = tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap();
    assert!(o.status.success(), "{}", text(&o));

    let counts = db.count_by_state(None).unwrap();
    assert_eq!((counts.get(JobState::Downloaded), counts.get(JobState::OutcomeUnknown)), (6, 6), "{}", text(&o));
    assert_eq!(counts.get(JobState::Queued), 0, "{}", text(&o));
    assert!(text(&o).contains("6 jobs need your decision"), "it says why it stopped: {}", text(&o));
    assert_eq!(sim.state().key(KEY).unwrap().tasks_created, 12, "each job created once");
}
