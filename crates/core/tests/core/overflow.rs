//! Overflow against loova-sim with a real SQLite file and keychain: an
//! account out of API credits, or over its budget, hands its waiting jobs
//! to the account the person named; they are sent once, under that
//! account's own budget, and charged to it. Never a job that may have been
//! sent, never from or to a Sandbox. The simulator's own limit is above
//! the app's 6, so only the app's limits and budgets hold the queue.

use crate::common;
use common::{sim_config, Rig};
use loova_core::engine::enqueue;
use loova_core::spending::Zone;
use loova_core::store::{ChargeFilter, JobState, MoveReason, Patch};
use loova_core::{ErrorCode, JobSpec};
use loova_testkit::above_our_cap;
use std::time::Duration;

const DRY: &str = "sk-overflow-dry-0001";
const FULL: &str = "sk-overflow-full-0002";

/// `n` 5 s Seedance 2.0 jobs (75 credits each) on `account`.
fn enqueue_75s(rig: &Rig, account: &str, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            let spec = JobSpec { model: "seedance_2_0".into(), duration: 5, prompt: format!("overflow job {i}: a kite over dunes"), ..Default::default() };
            enqueue(&rig.db, account, &spec, None, &rig.prices).unwrap().id
        })
        .collect()
}

/// How many tasks each job made, across both keys: never more than one.
fn creates_per_job(rig: &Rig) -> Vec<usize> {
    let st = rig.sim.state();
    rig.jobs().iter().map(|j| [DRY, FULL].iter().map(|k| st.key(k).unwrap().tasks.iter().filter(|t| t.prompt == j.spec.prompt).count()).sum()).collect()
}

fn created(rig: &Rig, key: &str) -> u64 {
    rig.sim.state().key(key).unwrap().tasks_created
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_credits_the_waiting_jobs_are_sent_once_on_the_other_account_and_charged_there() {
    // 225 credits: three 75-credit jobs, then Loova refuses for credits.
    let rig = Rig::new(above_our_cap(sim_config(&[(DRY, 225), (FULL, 100_000)]))).await;
    let dry = rig.account("Studio", DRY).await;
    let full = rig.account("Backup", FULL).await;
    rig.accounts.set_overflow(&dry, Some("Backup")).unwrap();
    enqueue_75s(&rig, &dry, 10);
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(90)).await;

    let jobs = rig.jobs();
    assert!(jobs.iter().all(|j| j.state == JobState::Downloaded), "{:?}", jobs.iter().map(|j| (j.id, j.state, &j.last_error)).collect::<Vec<_>>());
    assert!(creates_per_job(&rig).iter().all(|n| *n == 1), "every job created exactly once: {:?}", creates_per_job(&rig));
    assert_eq!(created(&rig, DRY), 3, "Studio paid for what its credits covered");
    assert_eq!(created(&rig, FULL), 7, "Backup took the other seven");
    let moved: Vec<_> = jobs.iter().filter(|j| j.account_id == full).collect();
    assert_eq!(moved.len(), 7);
    for j in &moved {
        let m = j.moved_from.as_ref().expect("a moved job says where from");
        assert_eq!((m.account_id.as_str(), m.account_name.as_str(), m.why), (dry.as_str(), "Studio", MoveReason::OutOfCredits));
    }
    let note = loova_core::engine::JobView::from_row(moved[0].clone()).moved_note;
    assert_eq!(note.as_deref(), Some("Moved from Studio (out of credits)"));
    let charged = |account: &str| rig.db.charges(&ChargeFilter { account_id: Some(account.into()), ..Default::default() }, 0, 100).unwrap();
    assert_eq!(charged(&full).len(), 7, "charges recorded against the account that paid");
    assert_eq!(charged(&dry).len(), 3);
    // Several moves within the notice window become one summary.
    let moves: Vec<_> = rig.notices().into_iter().filter(|n| n.kind == loova_core::engine::NoticeKind::JobsMoved).collect();
    assert!(!moves.is_empty(), "{:?}", rig.notices());
    assert!(moves.iter().all(|n| n.title.contains("moved to") && (n.body.contains("Backup") || n.body.contains("each job's row"))), "{moves:?}");
    rig.check_files();
}

#[tokio::test(flavor = "multi_thread")]
async fn over_budget_the_jobs_move_only_under_the_other_accounts_own_budget() {
    let rig = Rig::new(above_our_cap(sim_config(&[(DRY, 100_000), (FULL, 100_000)]))).await;
    let dry = rig.account("Studio", DRY).await;
    let full = rig.account("Backup", FULL).await;
    rig.db.set_budget(&dry, Some(150), None).unwrap();
    rig.db.set_budget(&full, Some(300), None).unwrap();
    rig.accounts.set_overflow(&dry, Some(&full)).unwrap();
    enqueue_75s(&rig, &dry, 10);
    let engine = rig.engine_with(|c| c.zone = Zone::Local);
    rig.run_until_idle(&engine, Duration::from_secs(90)).await;

    assert_eq!(created(&rig, DRY), 2, "Studio's 150 pays two");
    assert_eq!(created(&rig, FULL), 4, "Backup's own 300 pays four, not more");
    assert!(creates_per_job(&rig).iter().all(|n| *n <= 1));
    let waiting: Vec<_> = rig.jobs().into_iter().filter(|j| j.state == JobState::Queued).collect();
    assert_eq!(waiting.len(), 4, "the rest wait for Backup's budget");
    assert!(waiting.iter().all(|j| j.account_id == full && j.last_error_code == Some(ErrorCode::BudgetReached)), "{waiting:?}");
    assert!(waiting.iter().all(|j| j.moved_from.as_ref().is_some_and(|m| m.why == MoveReason::OverBudget)));
    rig.check_files();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_sent_again_after_an_unknown_outcome_never_moves() {
    let rig = Rig::new(above_our_cap(sim_config(&[(DRY, 100_000), (FULL, 100_000)]))).await;
    let dry = rig.account("Studio", DRY).await;
    let full = rig.account("Backup", FULL).await;
    let ids = enqueue_75s(&rig, &dry, 3);
    // Job 1's create answer was lost; the person chose to send it again.
    assert!(rig.db.transition(ids[0], &[JobState::Queued], JobState::Submitting, Patch::new()).unwrap());
    assert!(rig.db.transition(ids[0], &[JobState::Submitting], JobState::OutcomeUnknown, Patch::new()).unwrap());
    loova_core::engine::resubmit_unknown(&rig.db, ids[0]).unwrap();
    // Job 2 is being sent.
    assert!(rig.db.transition(ids[1], &[JobState::Queued], JobState::Submitting, Patch::new()).unwrap());
    let moved = rig.db.overflow_jobs(&dry, &full, MoveReason::OutOfCredits, &[]).unwrap();
    assert_eq!(moved, vec![ids[2]], "only the job that was never sent moves");
    let job = |id| rig.db.job(id).unwrap().unwrap();
    assert_eq!((job(ids[0]).account_id, job(ids[1]).account_id, job(ids[2]).account_id), (dry.clone(), dry.clone(), full.clone()));
}

#[tokio::test(flavor = "multi_thread")]
async fn overflow_is_never_from_or_to_a_sandbox_nor_to_itself() {
    let rig = Rig::new(above_our_cap(sim_config(&[(DRY, 100_000)]))).await;
    let real = rig.account("Studio", DRY).await;
    // As the app's Sandbox is stored (this rig runs no simulator for it).
    let new = loova_core::store::NewAccount { id: "sandbox", name: "Sandbox", base_url: "sandbox", key_hint: "0000", sandbox: true, verified: true };
    rig.db.insert_account(&new).unwrap();
    let sandbox = rig.accounts.get("sandbox").unwrap();
    let refused = |from: &str, to: &str| {
        let e = rig.accounts.set_overflow(from, Some(to)).unwrap_err();
        assert_eq!((e.code(), e.field()), (ErrorCode::InvalidInput, Some("overflow_to")), "{e}");
        e.to_string()
    };
    assert!(refused(&real, &sandbox.id).contains("Sandbox"));
    assert!(refused(&sandbox.id, &real).contains("Sandbox"));
    assert!(refused(&real, &real).contains("itself"));
    let view = rig.accounts.get(&real).unwrap();
    assert!(view.overflow_choices.is_empty(), "no other real account to choose: {:?}", view.overflow_choices);
    assert!(rig.accounts.get(&sandbox.id).unwrap().overflow_choices.is_empty());
    assert_eq!(rig.accounts.set_overflow(&real, None).unwrap().overflow_to, None);
}
