//! A studio: three computers share one Loova user's 6 slots through a real
//! PostgreSQL (started by loova_testkit::start_postgres), against a
//! simulator whose own limit is far above 6, so the cap measured is the
//! app's. Needs the Secret Service and PostgreSQL (run by scripts/test).

use crate::studio_common;
use loova_core::store::JobState;
use loova_testkit::{wait_for_async_within, wait_for_future_within};
use std::time::Duration;
use studio_common::{keys, sim, sim_user, Computer};

const FINAL: &[JobState] = &[JobState::Downloaded, JobState::Failed, JobState::Invalid, JobState::Canceled, JobState::Expired, JobState::OutcomeUnknown];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service and PostgreSQL: run by scripts/test"]
async fn three_computers_share_six_slots_and_every_video_is_saved_once() {
    let Some(pg) = loova_testkit::start_postgres() else { return };
    let keys = keys(3);
    let sim = sim(&keys).await;
    let mut computers = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        computers.push(Computer::new(&format!("edit-{i}"), &sim, key, &pg).await);
    }
    for c in &computers {
        c.enqueue(20);
    }
    for c in &computers {
        c.start();
    }
    wait_for_async_within("all 60 jobs downloaded", Duration::from_secs(180), || {
        let done: usize = computers.iter().map(|c| c.count(&[JobState::Downloaded])).sum();
        let stuck: Vec<String> = computers
            .iter()
            .flat_map(|c| c.jobs())
            .filter(|j| FINAL.contains(&j.state) && j.state != JobState::Downloaded)
            .map(|j| format!("{} {:?}", j.state, j.last_error))
            .collect();
        assert!(stuck.is_empty(), "jobs ended otherwise: {stuck:?}");
        (done == 60).then_some(()).ok_or(format!("{done}/60 downloaded; studio {:?}", computers[0].status()))
    })
    .await;
    let (max_running, created, twice) = sim_user(&sim);
    assert!(max_running <= 6, "the studio ran {max_running} tasks at once (limit 6)");
    assert_eq!(max_running, 6, "the studio never used all 6 slots");
    assert_eq!(created, 60, "tasks created");
    assert!(twice.is_empty(), "created twice: {twice:?}");
    for c in &computers {
        c.check_files();
        assert_eq!(c.count(&[JobState::Downloaded]), 20, "{}", c.name);
    }
    // The slot meter: every computer is in the studio's status, all idle.
    let status = computers[0].status().expect("a studio status");
    assert!(status.reachable, "{status:?}");
    assert_eq!(status.limit, 6);
    let names: Vec<&str> = status.computers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["edit-0", "edit-1", "edit-2"]);
    assert!(status.computers.iter().any(|c| c.here && c.name == "edit-0"));
    for c in &computers {
        c.stop();
    }
}

/// One computer with 30 queued jobs holds all 6 slots; another arrives with
/// 3. The 3 must not wait behind the 30: every other slot that frees up is
/// theirs until they are sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service and PostgreSQL: run by scripts/test"]
async fn a_computer_with_three_jobs_is_not_starved_by_one_with_thirty() {
    let Some(pg) = loova_testkit::start_postgres() else { return };
    let keys = keys(2);
    // Tasks of ~4 s: the small computer is waiting in the studio well
    // before the first of the big one's slots frees up.
    let sim = studio_common::sim_at(&keys, 0.05).await;
    let big = Computer::new("big", &sim, &keys[0], &pg).await;
    let small = Computer::new("small", &sim, &keys[1], &pg).await;
    // The 6 sent first are short and the rest long: the 6 slots that free
    // first are those 6, and none of the long ones ends before the small
    // computer has had its turns, so the count below is exact.
    big.enqueue_lasting(&[[4; 6].as_slice(), &[15; 24]].concat());
    big.start();
    wait_for_async_within("the big computer holds all 6 slots", Duration::from_secs(60), || {
        let running = big.count(&[JobState::Submitting, JobState::Running]);
        (running == 6).then_some(()).ok_or(format!("{running} running; studio {:?}", big.status()))
    })
    .await;
    let small_ids = small.enqueue(3);
    let arrived = loova_core::store::now_ms();
    small.start();
    wait_for_future_within("the small computer waits in the studio", Duration::from_secs(20), || async {
        let waiting = studio_common::waiting(&pg).await;
        waiting.contains(&"small".to_string()).then_some(()).ok_or(format!("waiting: {waiting:?}; small: {:?}", small.status()))
    })
    .await;
    let freed = big.count(&[JobState::Succeeded, JobState::Downloading, JobState::Downloaded]);
    assert_eq!(freed, 0, "a slot freed before the small computer was waiting: the test proves nothing");
    wait_for_async_within("the small computer's 3 jobs started", Duration::from_secs(120), || {
        let started = small.jobs().iter().filter(|j| j.started_at.is_some()).count();
        (started == 3).then_some(()).ok_or(format!("{started}/3 started"))
    })
    .await;
    // One turn each: of the 6 slots that freed after the small computer
    // began waiting, the big one got every other one, 3, until the small
    // one's 3 were sent. (Counted, not ordered: a turn kept for the small
    // computer is taken at its next look, up to a heartbeat later, while the
    // big one takes its own turns the moment its tasks end.)
    let small_sent = small.jobs().iter().filter(|j| small_ids.contains(&j.id)).filter_map(|j| j.submitted_at).max().expect("sent");
    let big_sent: Vec<i64> = big.jobs().iter().filter_map(|j| j.submitted_at).filter(|t| (arrived..=small_sent).contains(t)).collect();
    assert!(big_sent.len() <= 3, "the big computer sent {} jobs while the small one's 3 waited", big_sent.len());
    let (max_running, _, twice) = sim_user(&sim);
    assert!(max_running <= 6, "{max_running} at once");
    assert!(twice.is_empty(), "{twice:?}");
    big.stop();
    small.stop();
}
