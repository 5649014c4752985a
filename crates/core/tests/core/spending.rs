//! Spending against loova-sim with a real SQLite file: usage equals the
//! simulator's own ledger (per model, per day), a failed task's charge that
//! comes back in the balance is marked refunded (and one that does not is
//! "not known"), and the 80 % and low-balance alerts go out once.

use crate::common;
use chrono::FixedOffset;
use common::{sim_config, Rig};
use loova_core::engine::{enqueue, NoticeKind};
use loova_core::spending::{self, GroupBy, Stack, UsageQuery, Zone};
use loova_core::store::{JobState, RefundState};
use loova_core::JobSpec;
use loova_testkit::Rng;
use std::collections::BTreeMap;
use std::time::Duration;

const KEY: &str = "sk-spending-key-0001";

fn utc() -> Zone {
    Zone::Fixed(FixedOffset::east_opt(0).unwrap())
}

fn enqueue_one(rig: &Rig, account: &str, model: &str, duration: u32, i: usize) {
    let spec = JobSpec { model: model.into(), duration, prompt: format!("spending {i}: rain on a tin roof"), ..Default::default() };
    enqueue(&rig.db, account, &spec, None, &rig.prices).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_per_model_and_per_day_equals_the_simulators_ledger() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let account = rig.account("Studio", KEY).await;
    let mut rng = loova_testkit::rng();
    for i in 0..15 {
        let model = if rng.gen_bool(0.5) { "seedance_2_0" } else { "seedance_2_0_fast" };
        enqueue_one(&rig, &account, model, rng.gen_range(4..=15), i);
    }
    rig.run_until_idle(&rig.engine(), Duration::from_secs(60)).await;
    let st = rig.sim.state();
    let (mut by_model, mut by_day) = (BTreeMap::<String, i64>::new(), BTreeMap::<String, i64>::new());
    for t in &st.key(KEY).unwrap().tasks {
        *by_model.entry(t.model.clone()).or_default() += t.credits_cost;
        *by_day.entry(t.created_at[..10].to_string()).or_default() += t.credits_cost;
    }
    let report = |by, stack| spending::usage(&rig.db, &UsageQuery { by, stack, ..Default::default() }, utc()).unwrap();
    let groups = |r: &spending::UsageReport| r.groups.iter().map(|g| (g.key.clone(), g.totals.credits)).collect::<BTreeMap<_, _>>();
    assert_eq!(groups(&report(GroupBy::Model, None)), by_model);
    let days = report(GroupBy::Day, Some(Stack::Model));
    assert_eq!(groups(&days), by_day);
    assert_eq!(days.total.credits, by_model.values().sum::<i64>());
    assert_eq!(days.total.jobs, 15);
    let stacked: i64 = days.groups.iter().flat_map(|g| g.stacks.iter().map(|s| s.credits)).sum();
    assert_eq!(stacked, days.total.credits, "the stacks add up to the day");
    // The charges table, a page at a time.
    let q = UsageQuery::default();
    let first = spending::charges_page(&rig.db, &q, utc(), 0, 10).unwrap();
    let rest = spending::charges_page(&rig.db, &q, utc(), 10, 10).unwrap();
    assert_eq!((first.total, first.rows.len(), rest.rows.len()), (15, 10, 5));
    assert!(first.rows.iter().chain(&rest.rows).all(|c| !c.differs() && c.refund.is_none()));
    rig.accounts.refresh_balance(&account).await.unwrap();
    let history = spending::balance_history(&rig.db, &q, utc()).unwrap();
    assert!(history.len() >= 2, "the balance has a history: {history:?}");
    assert_eq!(history.last().unwrap().api_available.unwrap(), st.key(KEY).unwrap().credits_available, "the last read is the balance");
}

async fn failed_charges(refund: bool) -> Vec<Option<RefundState>> {
    let mut config = sim_config(&[(KEY, 1_000_000)]);
    config.fail_rate = 1.0;
    config.refund_on_failure = refund;
    let rig = Rig::new(config).await;
    let account = rig.account("Studio", KEY).await;
    for i in 0..2 {
        enqueue_one(&rig, &account, "seedance_2_0", 5, i);
    }
    rig.run_until_idle(&rig.engine(), Duration::from_secs(60)).await;
    assert_eq!(rig.count(JobState::Failed), 2);
    // Two more reads after the failures (the engine may have made some).
    for _ in 0..2 {
        rig.accounts.refresh_balance(&account).await.unwrap();
    }
    rig.db.charges(&Default::default(), 0, 10).unwrap().into_iter().map(|c| c.refund).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_tasks_charge_that_comes_back_is_refunded_otherwise_not_known() {
    assert_eq!(failed_charges(true).await, vec![Some(RefundState::Refunded); 2]);
    assert_eq!(failed_charges(false).await, vec![Some(RefundState::NotKnown); 2]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_80_percent_and_low_balance_alerts_go_out_once() {
    let rig = Rig::new(sim_config(&[(KEY, 10_000)])).await;
    let account = rig.account("Studio", KEY).await;
    rig.db.set_budget(&account, Some(350), None).unwrap();
    rig.db.set_alert_below(&account, Some(1_000_000)).unwrap();
    for i in 0..5 {
        enqueue_one(&rig, &account, "seedance_2_0", 5, i);
    }
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    assert_eq!(rig.count(JobState::Downloaded), 4, "the fifth would take 375 credits of 350");
    loova_testkit::wait_for_async("both alerts", || {
        let n = rig.notices();
        n.iter().any(|n| n.kind == NoticeKind::Budget) && n.iter().any(|n| n.kind == NoticeKind::LowBalance)
    })
    .await;
    let notices = rig.notices();
    let budget: Vec<_> = notices.iter().filter(|n| n.kind == NoticeKind::Budget).collect();
    assert_eq!(budget.len(), 1, "{budget:?}");
    assert_eq!(budget[0].title, "Studio used 80 % of today's budget");
    assert_eq!(budget[0].body, "300 of 350 credits charged.");
    let low: Vec<_> = notices.iter().filter(|n| n.kind == NoticeKind::LowBalance).collect();
    assert_eq!(low.len(), 1, "{low:?}");
    assert!(low[0].title.contains("below 1000000") && low[0].body.contains("Cheapest top-up"), "{low:?}");
    // Another read does not repeat it; the period's 80 % is recorded.
    rig.accounts.refresh_balance(&account).await.unwrap();
    let again = spending::alerts::after_balance(&rig.db, &rig.prices.list, &account).unwrap();
    assert_eq!(again, None);
}

/// The app reads balances every few minutes by itself (src-tauri's
/// refresher), outside the engine: such a read is checked against the
/// low-balance threshold too, once.
#[tokio::test(flavor = "multi_thread")]
async fn a_balance_read_by_the_apps_refresher_raises_the_low_balance_alert_once() {
    let rig = Rig::new(sim_config(&[(KEY, 10_000)])).await;
    let account = rig.account("Studio", KEY).await;
    rig.db.set_alert_below(&account, Some(20_000)).unwrap();
    let engine = rig.engine();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = engine.clone();
    let run = tokio::spawn(async move {
        running
            .run(false, async {
                stop_rx.await.ok();
            })
            .await
    });
    for _ in 0..2 {
        rig.accounts.refresh_balance(&account).await.unwrap();
        engine.balance_read(&account);
    }
    loova_testkit::wait_for_async("the low-balance alert", || rig.notices().iter().any(|n| n.kind == NoticeKind::LowBalance)).await;
    let _ = stop_tx.send(());
    run.await.unwrap().unwrap();
    let low: Vec<_> = rig.notices().into_iter().filter(|n| n.kind == NoticeKind::LowBalance).collect();
    assert_eq!(low.len(), 1, "{low:?}");
    assert!(low[0].title.contains("below 20000"), "{low:?}");
}
