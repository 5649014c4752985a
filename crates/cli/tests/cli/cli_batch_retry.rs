//! `loova batch retry` against loova-sim: a batch whose tasks all failed is
//! priced (credits, dollars, what today's budget lets through), queued again
//! as new jobs linked to the failed ones, never twice, and finished.
//! Needs the Secret Service.

use crate::common::Env;
use loova_core::spending::{budget_status, Zone};
use loova_core::store::{Db, JobFilter, JobState};
use loova_testkit::{above_our_cap, sim_config};

const KEY: &str = "sk-live-retry-test-90ab";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_batchs_failures_are_retried_once_priced_and_within_the_budget() {
    let sim = loova_testkit::start_sim(above_our_cap(sim_config(&[(KEY, 1_000_000)], 0.01))).await;
    sim.update_config(|c| c.fail_rate = 1.0).unwrap();
    let env = Env::new("batch-retry").fast().with_account("Retry", &sim.base_url(), KEY).await;
    let db = env.db();
    let loova = |args: &[&str]| env.run(args);
    let file = env.file("shots.csv", "prompt,duration\na red kite,5\na blue kite,5\na green kite,5\n");
    let (code, out, err) = loova(&["enqueue", "--account", "Retry", "--file", &file]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = loova(&["run", "--until-idle"]);
    assert_eq!(code, 0, "{out}{err}");
    let failed = |db: &Db| db.jobs(&JobFilter { states: vec![JobState::Failed], ..Default::default() }).unwrap();
    assert_eq!(failed(&db).len(), 3, "every task failed");
    let batch = db.batches().unwrap()[0].id.clone();

    // Priced first: 3 × 75 credits, in dollars, and what today's cap lets through.
    let account = db.accounts().unwrap()[0].id.clone();
    let spent = budget_status(&db, &account, Zone::Local, loova_core::store::now_ms()).unwrap();
    let cap = (spent.spent_today + spent.in_flight + 150).to_string();
    assert_eq!(loova(&["budget", "Retry", "--daily", &cap]).0, 0);
    let (code, out, _) = loova(&["batch", "retry", &batch]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Retry 3 failed — 225 credits ($") && out.contains("fits today's budget: 2 of 3"), "{out}");
    assert!(out.contains("--yes"), "{out}");
    assert_eq!(db.jobs(&JobFilter { states: vec![JobState::Queued], ..Default::default() }).unwrap().len(), 0, "a preview queues nothing");

    let (code, out, err) = loova(&["batch", "retry", &batch, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let queued = db.jobs(&JobFilter { states: vec![JobState::Queued], ..Default::default() }).unwrap();
    let links: Vec<Option<i64>> = queued.iter().map(|j| j.retry_of).collect();
    assert_eq!(links, [Some(1), Some(2), Some(3)], "{out}");
    assert!(queued.iter().all(|j| j.batch_id.as_deref() == Some(batch.as_str()) && j.estimate_credits == Some(75)));
    // Never twice: the failed jobs are retried already.
    let (code, out, _) = loova(&["batch", "retry", &batch, "--yes"]);
    assert!(code == 0 && out.contains("Nothing to retry"), "{out}");
    assert_eq!(db.jobs(&JobFilter::default()).unwrap().len(), 6);
    let (code, _, err) = loova(&["batch", "retry", "no-such-batch"]);
    assert!(code == 2 && err.contains("no batch"), "{err}");

    // The service works again, the cap goes: the retries finish, the
    // failed jobs stay failed with their errors.
    sim.update_config(|c| c.fail_rate = 0.0).unwrap();
    assert_eq!(loova(&["budget", "Retry", "--clear"]).0, 0);
    let (code, out, err) = loova(&["run", "--until-idle"]);
    assert_eq!(code, 0, "{out}{err}");
    let done = db.jobs(&JobFilter { states: vec![JobState::Downloaded], ..Default::default() }).unwrap();
    assert_eq!(done.iter().map(|j| j.retry_of).collect::<Vec<_>>(), [Some(1), Some(2), Some(3)]);
    assert_eq!(failed(&db).len(), 3);
    assert_eq!(sim.state().tasks_created, 6, "3 failed tasks and 3 retries, nothing sent twice");
}
