//! The queue engine against loova-sim over HTTP, with a real SQLite file and
//! the real keychain (run by scripts/test inside dbus-run-session).

use crate::common;
use common::*;
use loova_core::engine::{EngineLock, NoticeKind};
use loova_core::store::Col;
use loova_core::store::{AccountStatus, JobState, Patch};
use loova_core::ErrorCode;
use loova_sim::{FaultKind, LimitMode};
use loova_testkit::{above_our_cap, part_files, wait_for_async_within};
use std::time::Duration;

const NEEDS: &str = "needs the Secret Service: run by scripts/test";
const KEY: &str = "sk-live-queue-test-0001";

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn forty_jobs_all_downloaded_never_more_than_six_at_once() {
    let _ = NEEDS;
    // The simulator would take 100 at once: the 6 is our cap, not Loova's.
    let rig = Rig::new(above_our_cap(sim_config(&[(KEY, 1_000_000)]))).await;
    let acct = rig.account("Studio", KEY).await;
    rig.enqueue_many(&acct, 40, "forty");
    let _lock = EngineLock::acquire(rig.dir.path()).unwrap();
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 40, "{:#?}", rig.jobs().iter().filter(|j| j.state != JobState::Downloaded).collect::<Vec<_>>());
    rig.check_files();
    let st = rig.sim.state();
    let k = st.key(KEY).unwrap();
    assert_eq!(k.tasks_created, 40);
    assert_eq!(k.max_running_at_once, 6, "reaches our cap of 6 and never exceeds it");
    assert!(!st.requests.iter().any(|r| r.status == Some(429)), "the simulator never had to refuse a create");
    // Charged as estimated.
    for j in rig.jobs() {
        assert_eq!(j.credits_cost, j.estimate_credits, "job {}", j.id);
    }
    wait_for_async_within("the queue-finished notice", Duration::from_secs(5), || rig.notices().iter().any(|n| n.kind == NoticeKind::QueueFinished)).await;
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn two_accounts_are_capped_independently() {
    const KEY2: &str = "sk-live-queue-test-0002";
    // Both caps (6, and the person's 2) are ours: the simulator takes 100.
    let rig = Rig::new(above_our_cap(sim_config(&[(KEY, 1_000_000), (KEY2, 1_000_000)]))).await;
    let a = rig.account("A", KEY).await;
    let b = rig.account("B", KEY2).await;
    // The person set B's limit lower.
    rig.db.set_concurrency_limit(&b, Some(2)).unwrap();
    rig.enqueue_many(&a, 15, "a");
    rig.enqueue_many(&b, 8, "b");
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 23);
    rig.check_files();
    let st = rig.sim.state();
    assert_eq!((st.key(KEY).unwrap().tasks_created, st.key(KEY).unwrap().max_running_at_once), (15, 6));
    assert_eq!((st.key(KEY2).unwrap().tasks_created, st.key(KEY2).unwrap().max_running_at_once), (8, 2));
    // One sub-folder per account (each video with its `.mp4.json` sidecar).
    let videos = |dir: &str| std::fs::read_dir(rig.out.join(dir)).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "mp4")).count();
    assert_eq!((videos("A"), videos("B")), (15, 8));
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn create_faults_end_in_the_right_state_and_are_never_resent() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.faults.create.script =
        [FaultKind::Http500, FaultKind::CreatedThenDropped, FaultKind::Dropped, FaultKind::Malformed, FaultKind::Truncated, FaultKind::Http503]
            .into_iter()
            .collect();
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Faults", KEY).await;
    rig.enqueue_many(&acct, 12, "faults");
    // A short hold: the unknown outcomes keep their slots for 2 s, then the
    // six jobs queued behind them are sent within the same idle run.
    let engine = rig.engine_with(|c| c.unknown_hold = Some(Duration::from_secs(2)));
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    // Every faulted create has an unknown outcome; none is resent by itself.
    // They held all 6 slots (counted in flight) until their holds ended;
    // then the rest was sent, and the idle run waited for it.
    let unknown: Vec<_> = rig.jobs().into_iter().filter(|j| j.state == JobState::OutcomeUnknown).collect();
    assert_eq!(unknown.len(), 6, "{unknown:#?}");
    assert_eq!((rig.count(JobState::Queued), rig.count(JobState::Downloaded)), (0, 6));
    assert!(unknown.iter().all(|j| j.last_error.as_deref().unwrap_or("").contains("may or may not")));
    let st = rig.sim.state();
    let k = st.key(KEY).unwrap();
    // created_then_dropped, malformed and truncated were processed: 3 tasks
    // the app never heard of, each created exactly once; then the 6 others.
    assert_eq!(k.tasks_created, 3 + 6);
    for j in rig.jobs() {
        let n = k.tasks.iter().filter(|t| t.prompt == j.spec.prompt).count();
        assert!(n <= 1, "job {} was created {n} times", j.id);
    }
    let creates = |st: &loova_sim::StateSnapshot| {
        st.requests.iter().filter(|r| r.method == "POST" && r.path.ends_with("/v1/video/seedance-2") && r.status != Some(429)).count()
    };
    assert_eq!(creates(&st), 6 + 6, "one create per job, never a second");
    wait_for_async_within("a needs-decision notice", Duration::from_secs(5), || rig.notices().iter().any(|n| n.kind == NoticeKind::NeedsDecision)).await;
    // The person decides: submit three again, forget the others.
    for j in &unknown[..3] {
        loova_core::engine::resubmit_unknown(&rig.db, j.id).unwrap();
    }
    for j in &unknown[3..] {
        loova_core::engine::forget(&rig.db, j.id).unwrap();
    }
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 6 + 3);
    assert_eq!(rig.count(JobState::Canceled), 3);
    rig.check_files();
    let st = rig.sim.state();
    assert_eq!(st.key(KEY).unwrap().tasks_created, 3 + 9);
    assert_eq!(creates(&st), 6 + 9, "limit refusals aside, one create per job (and the 3 the person chose to resend)");
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn unreachable_service_is_retried_and_then_succeeds() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let acct = rig.account("Offline", KEY).await;
    // Nothing listens here: the connection is refused, nothing is sent.
    let dead = format!("http://127.0.0.1:{}/api", loova_testkit::free_port());
    rig.db.set_base_url(&acct, &dead).unwrap();
    let ids = rig.enqueue_many(&acct, 4, "offline");
    let engine = rig.engine();
    let runner = {
        let e = engine.clone();
        tokio::spawn(async move { e.run(true, std::future::pending()).await })
    };
    wait_for_async_within("transient failures", Duration::from_secs(30), || ids.iter().all(|id| rig.db.job(*id).unwrap().unwrap().attempts >= 2)).await;
    // The engine keeps retrying while we look: a job is back in the queue, or
    // already on its next attempt; never failed, never "outcome unknown".
    for id in &ids {
        let j = rig.db.job(*id).unwrap().unwrap();
        assert!(matches!(j.state, JobState::Queued | JobState::Submitting), "{:?}", j.state);
        assert_eq!(j.last_error_code, Some(ErrorCode::NotSent));
    }
    rig.db.set_base_url(&acct, &rig.sim.base_url()).unwrap();
    tokio::time::timeout(Duration::from_secs(60), runner).await.unwrap().unwrap().unwrap();
    assert_eq!(rig.count(JobState::Downloaded), 4);
    assert_eq!(rig.sim.state().key(KEY).unwrap().tasks_created, 4);
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn status_and_download_faults_do_not_fail_jobs() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    for (kind, p) in [
        (FaultKind::Http503, 0.15),
        (FaultKind::Dropped, 0.1),
        (FaultKind::Malformed, 0.1),
        (FaultKind::BusinessFailure, 0.1),
        (FaultKind::Truncated, 0.05),
        (FaultKind::Slow, 0.05),
    ] {
        cfg.faults.status.probabilities.insert(kind, p);
    }
    cfg.faults.download.script = [FaultKind::Truncated, FaultKind::Dropped, FaultKind::Http500, FaultKind::Http502].into_iter().collect();
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Flaky", KEY).await;
    rig.enqueue_many(&acct, 12, "flaky");
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 12);
    rig.check_files();
    let st = rig.sim.state();
    assert_eq!(st.key(KEY).unwrap().tasks_created, 12);
    assert!(st.requests.iter().any(|r| r.fault.is_some() && r.path.contains("/v1/tasks")), "status faults happened");
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn slots_used_elsewhere_limit_reject_mode() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.timings.time_scale = 0.01;
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Shared", KEY).await;
    for i in 0..3 {
        outside_task(&rig.sim, KEY, &format!("from the web app {i}")).await;
    }
    rig.enqueue_many(&acct, 15, "shared");
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 15);
    rig.check_files();
    let st = rig.sim.state();
    let k = st.key(KEY).unwrap();
    assert_eq!(k.tasks_created, 15 + 3);
    assert!(k.max_running_at_once <= 6);
    let refused = st.requests.iter().filter(|r| r.status == Some(429)).count();
    assert!(refused >= 1, "the engine met the limit");
    assert!(refused < 60, "{refused} refusals: the engine adapts instead of hammering");
    assert!(rig.jobs().iter().all(|j| j.state == JobState::Downloaded && j.last_error.is_none()));
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn limit_queue_mode() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.timings.time_scale = 0.01;
    cfg.limits.mode = LimitMode::Queue;
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Queued", KEY).await;
    for i in 0..3 {
        outside_task(&rig.sim, KEY, &format!("from the web app {i}")).await;
    }
    rig.enqueue_many(&acct, 12, "queue-mode");
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 12);
    rig.check_files();
    let k = rig.sim.state().key(KEY).unwrap().clone();
    assert_eq!(k.tasks_created, 15);
    assert!(k.max_running_at_once <= 6);
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn insufficient_credits_mid_batch_pauses_the_account() {
    // 5 s seedance_2_0 = 75 credits: 400 pays for 5 jobs.
    let rig = Rig::new(sim_config(&[(KEY, 400)])).await;
    let acct = rig.account("Thrifty", KEY).await;
    for i in 0..10 {
        let spec = loova_core::JobSpec { prompt: format!("thrifty {i}"), duration: 5, ..Default::default() };
        loova_core::engine::enqueue(&rig.db, &acct, &spec, None, &rig.prices).unwrap();
    }
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.db.account(&acct).unwrap().unwrap().state, AccountStatus::NeedsCredits);
    assert_eq!(rig.count(JobState::Downloaded), 5);
    assert_eq!(rig.count(JobState::Queued), 5, "the rest waits, not failed");
    assert_eq!(rig.sim.state().key(KEY).unwrap().tasks_created, 5);
    wait_for_async_within("the out-of-credits notice", Duration::from_secs(5), || rig.notices().iter().any(|n| n.kind == NoticeKind::OutOfCredits)).await;
    let n = rig.notices().into_iter().find(|n| n.kind == NoticeKind::OutOfCredits).unwrap();
    assert!(n.body.contains("75 credits") && n.body.contains("25 API credits"), "{}", n.body);
    // Topped up and resumed: the rest runs.
    rig.sim.add_key(KEY, 1000);
    rig.accounts.set_paused(&acct, false).unwrap();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 10);
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn key_revoked_mid_run_pauses_the_account() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.timings.time_scale = 0.01;
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Revoked", KEY).await;
    rig.enqueue_many(&acct, 14, "revoked");
    let engine = rig.engine();
    let runner = {
        let e = engine.clone();
        tokio::spawn(async move { e.run(true, std::future::pending()).await })
    };
    wait_for_async_within("some tasks", Duration::from_secs(30), || rig.sim.state().tasks_created >= 4).await;
    // From now on Loova refuses the key.
    rig.sim
        .update_config(|c| {
            c.faults.create.probabilities.insert(FaultKind::AuthFailure, 1.0);
        })
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), runner).await.unwrap().unwrap().unwrap();
    assert_eq!(rig.db.account(&acct).unwrap().unwrap().state, AccountStatus::KeyRejected);
    let created = rig.sim.state().key(KEY).unwrap().tasks_created as usize;
    assert!(created < 14);
    assert_eq!(rig.count(JobState::Downloaded), created, "what was created still finishes");
    assert_eq!(rig.count(JobState::Queued), 14 - created);
    wait_for_async_within("the key-rejected notice", Duration::from_secs(5), || rig.notices().iter().any(|n| n.kind == NoticeKind::KeyRejected)).await;
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn expired_video_links_end_expired_without_a_loop() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.video_url_ttl_secs = 0.0;
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Late", KEY).await;
    rig.enqueue_many(&acct, 4, "late");
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    assert_eq!(rig.count(JobState::Expired), 4);
    let st = rig.sim.state();
    let downloads = st.requests.iter().filter(|r| r.path.starts_with("/files/")).count();
    assert_eq!(downloads, 4, "one attempt each, no loop");
    assert!(rig.jobs().iter().all(|j| j.last_error.as_deref().unwrap_or("").contains("expired")));
    assert!(super_parts_empty(&rig));
}

fn super_parts_empty(rig: &Rig) -> bool {
    part_files(&rig.out).is_empty()
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn restart_recovers_every_state() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let acct = rig.account("Restart", KEY).await;
    let ids = rig.enqueue_many(&acct, 3, "restart");
    // 1: was being sent when the app died.
    rig.db.transition(ids[0], &[JobState::Queued], JobState::Submitting, Patch::new()).unwrap();
    // 2: running on Loova (a task that exists there).
    outside_task(&rig.sim, KEY, "restart running").await;
    let task = rig.sim.state().key(KEY).unwrap().tasks[0].task_id.clone();
    rig.db
        .transition(
            ids[1],
            &[JobState::Queued],
            JobState::Running,
            Patch::new().text(Col::TaskId, Some(&task)).int(Col::StartedAt, Some(loova_core::store::now_ms())),
        )
        .unwrap();
    // 3: half downloaded.
    outside_task(&rig.sim, KEY, "restart download").await;
    let task2 = rig.sim.state().key(KEY).unwrap().tasks[1].task_id.clone();
    let part_dir = rig.out.join("Restart");
    std::fs::create_dir_all(&part_dir).unwrap();
    let video = part_dir.join("half.mp4");
    std::fs::write(part_dir.join("half.mp4.part"), b"half").unwrap();
    wait_for_async_within("task 2 done", Duration::from_secs(30), || rig.sim.state().task(&task2).unwrap().status.is_final()).await;
    let url = format!("{}/files/{task2}.mp4", rig.sim.root_url());
    rig.db
        .transition(
            ids[2],
            &[JobState::Queued],
            JobState::Downloading,
            Patch::new().text(Col::TaskId, Some(&task2)).text(Col::VideoUrl, Some(&url)).text(Col::VideoPath, Some(video.to_str().unwrap())),
        )
        .unwrap();
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    let j0 = rig.db.job(ids[0]).unwrap().unwrap();
    assert_eq!((j0.state, j0.last_error_code), (JobState::OutcomeUnknown, Some(ErrorCode::StoppedWhileSending)));
    assert_eq!(rig.db.job(ids[1]).unwrap().unwrap().state, JobState::Downloaded);
    assert_eq!(rig.db.job(ids[2]).unwrap().unwrap().state, JobState::Downloaded);
    assert_eq!(std::fs::metadata(&video).unwrap().len() as usize, loova_sim::routes::files::SAMPLE_MP4.len());
    rig.check_files();
    // Nothing was created by the engine: the sent-or-not job waits for a person.
    assert_eq!(rig.sim.state().key(KEY).unwrap().tasks_created, 2);
}

/// File systems limit a name in bytes: a prompt of 120 four-byte emoji (cut
/// by characters, a 304-byte name the OS refused, so the video was never
/// saved) and a prompt hiding an extension behind a right-to-left override
/// are both saved, under names that fit and show what they are.
#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn emoji_and_direction_override_prompts_are_saved_under_safe_names() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let acct = rig.account("Studio", KEY).await;
    for prompt in ["🎬".repeat(120), "invoice\u{202E}gpj.exe".to_string()] {
        let spec = loova_core::JobSpec { prompt, duration: 4, ..Default::default() };
        loova_core::engine::enqueue(&rig.db, &acct, &spec, None, &rig.prices).unwrap();
    }
    rig.run_until_idle(&rig.engine(), Duration::from_secs(60)).await;
    assert_eq!(rig.count(JobState::Downloaded), 2, "{:#?}", rig.jobs());
    rig.check_files();
    let mut names: Vec<String> =
        rig.jobs().iter().map(|j| std::path::Path::new(j.video_path.as_ref().unwrap()).file_name().unwrap().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["invoicegpj.exe.mp4".to_string(), format!("{}.mp4", "🎬".repeat(19))]);
    for n in &names {
        assert!(n.len() + ".part".len() <= 255, "{n}");
    }
}
