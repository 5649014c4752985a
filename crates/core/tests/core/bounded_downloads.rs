//! A hostile or broken server behind a video link, played by loova-sim's
//! download faults on a real socket: a body without end, a server that
//! drips bytes, an HTML page where the video should be. Each try is
//! stopped with a clear reason, leaves no `.part`, and the job keeps
//! trying (it was charged once and is never created again) until the
//! video is saved. API answers without end are cut off as well.
//! Needs the Secret Service (run by scripts/test inside dbus-run-session).

use crate::common;
use common::{sim_config, Rig};
use loova_core::api::{ErrorClass, LoovaClient};
use loova_core::engine::{enqueue, Engine, EngineConfig};
use loova_core::secret::Sensitive;
use loova_core::store::{JobRow, JobState};
use loova_core::{ErrorCode, JobSpec};
use loova_sim::{Endpoint, FaultKind};
use loova_testkit::{part_files, wait_for_async_within};
use std::time::Duration;

const KEY: &str = "sk-live-bounded-6d1f";
const CREDITS: i64 = 100_000;

/// The rig's engine with download limits a test can reach in seconds.
fn engine(rig: &Rig, tune: impl FnOnce(&mut EngineConfig)) -> Engine {
    rig.engine_with(|config| {
        // The failed try is looked at before the next one starts (at least
        // 1.5 s later, with jitter).
        config.retry_base = Duration::from_secs(2);
        config.retry_cap = Duration::from_secs(4);
        tune(config);
    })
}

/// One job through a video link whose first `faults` downloads misbehave.
/// Waits until the job has been told why a try failed with `code`, checks
/// that try left no `.part`, then that the job ends downloaded, created and
/// charged once. Returns the reason it was told.
async fn one_job_through(faults: &[FaultKind], code: ErrorCode, tune: impl FnOnce(&mut EngineConfig), setup: impl FnOnce(&Rig)) -> String {
    let rig = Rig::new(sim_config(&[(KEY, CREDITS)])).await;
    let account = rig.account("Hostile", KEY).await;
    setup(&rig);
    rig.sim.update_config(|c| c.faults.download.script.extend(faults.iter().copied())).unwrap();
    let job = enqueue(&rig.db, &account, &JobSpec { prompt: "a fox in the snow".into(), duration: 5, ..Default::default() }, None, &rig.prices).unwrap();
    let engine = engine(&rig, tune);
    let run = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run(true, std::future::pending()).await }
    });
    let job_row = |rig: &Rig| -> JobRow { rig.db.job(job.id).unwrap().unwrap() };
    let told = wait_for_async_within(&format!("the job told {code}"), Duration::from_secs(60), || {
        let j = job_row(&rig);
        (j.last_error_code == Some(code)).then(|| j.last_error.clone().unwrap_or_default())
    })
    .await;
    assert!(part_files(&rig.out).is_empty(), "a failed try leaves no .part: {:?}", part_files(&rig.out));
    assert_eq!(job_row(&rig).state, JobState::Succeeded, "made and paid for, waiting for the next try");
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("the queue goes idle").unwrap().unwrap();
    let j = job_row(&rig);
    assert_eq!(j.state, JobState::Downloaded, "{:?}", j.last_error);
    rig.check_files();
    let state = rig.sim.state();
    assert_eq!(state.tasks_created, 1, "created once");
    let charged = CREDITS - state.key(KEY).unwrap().credits_available;
    assert_eq!(Some(charged), j.credits_cost.or(j.estimate_credits), "charged once");
    let downloads: Vec<Option<FaultKind>> = state.requests.iter().filter(|r| r.path.starts_with("/files/")).map(|r| r.fault).collect();
    assert_eq!(downloads.len(), faults.len() + 1, "{downloads:?}");
    told
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn an_endless_video_is_stopped_at_the_cap() {
    let told = one_job_through(
        &[FaultKind::Endless],
        ErrorCode::DownloadTooLarge,
        |_| {},
        |rig| {
            loova_core::settings::set(&rig.db, loova_core::settings::SettingKey::parse("max_video_mb").unwrap(), "1").unwrap();
        },
    )
    .await;
    assert!(told.contains("1 MB") && told.contains("max_video_mb"), "{told}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_dripping_server_is_timed_out_and_retried() {
    // The sim drips a byte every 50 ms (20 bytes/s); the deadline for its
    // 4.5 KB is 0.3 s + 4.5 KB at 4 KB/s, about 1.4 s.
    let told = one_job_through(
        &[FaultKind::Drip],
        ErrorCode::DownloadFailed,
        |c| {
            c.download_min_rate = 4096;
            c.download_grace = Duration::from_millis(300);
        },
        |_| {},
    )
    .await;
    assert!(told.contains("too slow"), "{told}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_server_that_stops_sending_is_timed_out_and_retried() {
    let told = one_job_through(
        &[FaultKind::Drip],
        ErrorCode::DownloadFailed,
        |c| c.download_stall = Duration::from_millis(200),
        |rig| rig.sim.update_config(|c| c.slow_ms = 5_000).unwrap(),
    )
    .await;
    assert!(told.contains("no data arrived"), "{told}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_page_that_is_not_an_mp4_is_refused_at_its_first_bytes() {
    // The page never ends: only a check of the first bytes can stop it
    // (the size cap is the default 2 GB).
    let told = one_job_through(&[FaultKind::NotMp4], ErrorCode::DownloadFailed, |_| {}, |_| {}).await;
    assert!(told.contains("not an MP4") && told.contains("ftyp"), "{told}");
}

/// API answers are a few hundred bytes; one without end is cut off at the
/// cap instead of filling memory, and a create's is an unknown outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_api_answer_is_cut_off() {
    let sim = loova_testkit::start_sim(sim_config(&[(KEY, CREDITS)])).await;
    sim.update_config(|c| {
        c.faults.plan_mut(Endpoint::Credits).script.push_back(FaultKind::Endless);
        c.faults.plan_mut(Endpoint::Create).script.push_back(FaultKind::Endless);
    })
    .unwrap();
    let client = LoovaClient::new(&sim.base_url()).unwrap();
    let key = Sensitive::new(KEY);
    let limit = Duration::from_secs(20);
    let e = tokio::time::timeout(limit, client.credits(&key)).await.expect("stopped at the cap, not read forever").unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
    assert_eq!(e.class(), ErrorClass::Transient);
    let spec = JobSpec { prompt: "a fox".into(), ..Default::default() };
    let e = tokio::time::timeout(limit, client.create(&key, &spec)).await.expect("stopped at the cap").unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "the task may exist: never sent again by itself");
    assert!(client.credits(&key).await.is_ok(), "the next answer is read as usual");
}
