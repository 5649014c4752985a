//! Budgets the queue obeys, against loova-sim with a real SQLite file: a
//! daily cap of 300 lets exactly four 75-credit jobs be created, the rest
//! wait with the reason and start when the cap is raised or the day turns;
//! a charge above its estimate counts at the charged amount; limit
//! refusals and restarts never take the account over its cap.

use crate::common;
use common::{sim_config, Rig};
use loova_core::engine::{enqueue, Engine};
use loova_core::spending::Zone;
use loova_core::store::JobState;
use loova_core::{ErrorCode, JobSpec};
use loova_testkit::wait_for_async;
use std::time::Duration;

const KEY: &str = "sk-budget-key-0001";
const REASON: &str = "Waiting: today's budget of 300 credits is used — it resumes after midnight, or raise the budget";

fn engine(rig: &Rig, zone: Zone) -> Engine {
    rig.engine_with(|c| c.zone = zone)
}

/// `n` jobs of Seedance 2.0, 5 s, no video reference: 15 credits/s × 5 s = 75.
fn enqueue_75s(rig: &Rig, account: &str, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            let spec = JobSpec { model: "seedance_2_0".into(), duration: 5, prompt: format!("budget job {i}: a lighthouse at dusk"), ..Default::default() };
            let job = enqueue(&rig.db, account, &spec, None, &rig.prices).unwrap();
            assert_eq!(job.estimate_credits, Some(75));
            job.id
        })
        .collect()
}

fn created(rig: &Rig) -> u64 {
    rig.sim.state().key(KEY).unwrap().tasks_created
}

fn waiting_for_budget(rig: &Rig) -> Vec<String> {
    rig.jobs().into_iter().filter(|j| j.state == JobState::Queued && j.last_error_code == Some(ErrorCode::BudgetReached)).filter_map(|j| j.last_error).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_daily_budget_of_300_lets_four_75_credit_jobs_start_and_raising_it_releases_the_rest() {
    let rig = Rig::new(sim_config(&[(KEY, 100_000)])).await;
    let account = rig.account("Studio", KEY).await;
    rig.db.set_budget(&account, Some(300), None).unwrap();
    // The batch preview says the same before anything is queued, and
    // counts the jobs already queued ahead afterwards.
    let fit = |n: usize| loova_core::preview::spending_preview(&rig.db, &account, Zone::Local, &vec![Some(75); n]).unwrap().jobs_that_fit;
    assert_eq!(fit(10), Some(4));
    enqueue_75s(&rig, &account, 10);
    assert_eq!(fit(1), Some(0));
    let e = engine(&rig, Zone::Local);
    rig.run_until_idle(&e, Duration::from_secs(60)).await;
    assert_eq!(created(&rig), 4, "exactly four creates fit 300 credits");
    assert_eq!(rig.count(JobState::Downloaded), 4);
    let reasons = waiting_for_budget(&rig);
    assert_eq!(reasons.len(), 6, "six wait, none failed: {:?}", rig.jobs());
    assert!(reasons.iter().all(|r| r == REASON), "{reasons:?}");
    let view = loova_core::engine::list_jobs(&rig.db, &Default::default()).unwrap();
    assert!(
        view.iter().filter(|v| v.state == JobState::Queued).all(|v| v.error.as_deref() == Some(REASON) && v.error_code == Some(ErrorCode::BudgetReached)),
        "the JobView shows the reason"
    );
    let status = loova_core::spending::budget_status(&rig.db, &account, Zone::Local, loova_core::store::now_ms()).unwrap();
    assert_eq!((status.spent_today, status.left_today), (300, Some(0)));

    rig.db.set_budget(&account, Some(750), None).unwrap();
    rig.run_until_idle(&e, Duration::from_secs(60)).await;
    assert_eq!(created(&rig), 10);
    assert_eq!(rig.count(JobState::Downloaded), 10);
    assert!(waiting_for_budget(&rig).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_starts_by_itself_when_the_day_turns() {
    let rig = Rig::new(sim_config(&[(KEY, 100_000)])).await;
    let account = rig.account("Studio", KEY).await;
    rig.db.set_budget(&account, Some(300), None).unwrap();
    enqueue_75s(&rig, &account, 8);
    // Local midnight 8 seconds from now.
    let zone = Zone::at_local_time(loova_core::store::now_ms(), 86_400 - 8);
    let e = engine(&rig, zone);
    let run = tokio::spawn({
        let e = e.clone();
        async move { e.run(false, std::future::pending()).await }
    });
    wait_for_async("four created and four waiting for the budget", || created(&rig) == 4 && waiting_for_budget(&rig).len() == 4).await;
    loova_testkit::wait_for_async_within("the next day's four", Duration::from_secs(30), || created(&rig) == 8 && rig.count(JobState::Downloaded) == 8).await;
    assert!(waiting_for_budget(&rig).is_empty());
    run.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_charge_above_its_estimate_counts_at_the_charged_amount() {
    let mut config = sim_config(&[(KEY, 100_000)]);
    // Loova charges 20 credits/s where our price list says 15: 100, not 75.
    config.prices.seedance_2_0.per_second = 20;
    let rig = Rig::new(config).await;
    let account = rig.account("Studio", KEY).await;
    enqueue_75s(&rig, &account, 1);
    let e = engine(&rig, Zone::Local);
    rig.run_until_idle(&e, Duration::from_secs(60)).await;
    let charges = rig.db.charges(&Default::default(), 0, 100).unwrap();
    assert_eq!(charges.len(), 1);
    assert_eq!((charges[0].estimate_credits, charges[0].final_credits, charges[0].differs()), (Some(75), 100, true));
    assert_eq!(charges[0].price_list_date.as_deref(), Some(rig.prices.info.effective_date.as_str()), "flagged with the price list that made the estimate");
    // 100 charged + 75 estimated > 150; by the estimates alone it would fit.
    rig.db.set_budget(&account, Some(150), None).unwrap();
    enqueue_75s(&rig, &account, 1);
    rig.run_until_idle(&e, Duration::from_secs(60)).await;
    assert_eq!(created(&rig), 1);
    let reasons = waiting_for_budget(&rig);
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].contains("has 50 left and this job needs 75"), "{reasons:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn limit_refusals_and_restarts_never_take_the_account_over_its_budget() {
    let mut config = sim_config(&[(KEY, 100_000)]);
    // The service accepts two at a time and refuses the rest for the limit.
    config.limits.concurrency = 2;
    let rig = Rig::new(config).await;
    let account = rig.account("Studio", KEY).await;
    rig.db.set_budget(&account, Some(300), None).unwrap();
    enqueue_75s(&rig, &account, 10);
    // Stop the engine as soon as the first task exists, then run a fresh one
    // (a restart), twice.
    for _ in 0..2 {
        let e = engine(&rig, Zone::Local);
        let before = created(&rig);
        let stop = async {
            while created(&rig) == before {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), e.run(false, stop)).await.unwrap().unwrap();
        assert!(created(&rig) <= 4);
    }
    let e = engine(&rig, Zone::Local);
    rig.run_until_idle(&e, Duration::from_secs(60)).await;
    let st = rig.sim.state();
    let charged: i64 = st.key(KEY).unwrap().tasks.iter().map(|t| t.credits_cost).sum();
    assert!(charged <= 300, "charged {charged}");
    // Jobs stopped while sending became outcome_unknown and keep their
    // reservation; all the others wait for the budget.
    let unknown = rig.count(JobState::OutcomeUnknown) as u64;
    assert_eq!(created(&rig) + unknown, 4, "{:?}", rig.jobs());
    assert_eq!(waiting_for_budget(&rig).len(), 6);
}
