//! The service unreachable for a while (a network or Loova outage must not
//! fail jobs or create them twice): jobs are running when
//! loova-sim stops; it comes back later on the same port from its state
//! file. Polls back off (few requests while it is down), no job fails, all
//! finish once it is back, and nothing is created twice. Needs the Secret
//! Service (run by scripts/test).

use crate::common;
use common::{sim_config, Rig, SCALE};
use loova_core::engine::EngineConfig;
use loova_core::store::JobState;
use loova_core::ErrorCode;
use loova_sim::{SimConfig, SimHandle};
use loova_testkit::{wait_for_async_within, Rng};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const KEY: &str = "sk-live-outage-test-0001";
const JOBS: usize = 4;
/// How long the service stays down at least.
const OUTAGE: Duration = Duration::from_secs(3);

/// The simulator again, on `config.addr`. The port was freed a moment ago
/// by the stopped one; its listener closes asynchronously, so binding may
/// take a few tries.
async fn start_again(config: SimConfig) -> SimHandle {
    let mut last = String::new();
    for _ in 0..100 {
        match loova_sim::start(config.clone()).await {
            Ok(sim) => return sim,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("loova-sim did not start again on {}: {last}", config.addr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn polls_back_off_while_the_service_is_down_and_every_job_finishes_after() {
    let state_dir = loova_testkit::data_dir();
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.state_file = Some(state_dir.path().join("sim-state.json").to_string_lossy().into_owned());
    // Tasks run 6 s (15 s videos at 0.05): still running when the service
    // goes away, while the engine (at SCALE) polls several times a second.
    cfg.timings.time_scale = 0.05;
    cfg.timings.seedance_2_0.jitter = 0.0;
    let mut rig = Rig::new(cfg.clone()).await;
    let acct = rig.account("Outage", KEY).await;
    let mut rng = loova_testkit::rng();
    let ids: Vec<i64> = (0..JOBS)
        .map(|i| {
            let spec = loova_core::JobSpec { prompt: format!("outage job {i}: a harbour at dawn ({})", rng.gen::<u32>()), duration: 15, ..Default::default() };
            loova_core::engine::enqueue(&rig.db, &acct, &spec, None, &rig.prices).unwrap().id
        })
        .collect();
    let mut config = EngineConfig::scaled(SCALE);
    config.output_dir = Some(rig.out.clone());
    let engine = loova_core::engine::Engine::new(rig.db.clone(), rig.accounts.clone(), rig.prices.clone(), config.clone());
    let runner = {
        let e = engine.clone();
        tokio::spawn(async move { e.run(true, std::future::pending()).await })
    };
    let job = |id: i64| rig.db.job(id).unwrap().unwrap();
    wait_for_async_within("every job running on Loova", Duration::from_secs(30), || ids.iter().all(|id| job(*id).state == JobState::Running)).await;

    // The service goes away (its state file is written as it stops).
    let addr = rig.sim.addr();
    let polls = || engine.stats().status_requests.load(Ordering::Relaxed);
    let down = loova_testkit::spawn_sim(SimConfig::default());
    std::mem::replace(&mut rig.sim, down).shutdown();
    let (before, since) = (polls(), Instant::now());
    wait_for_async_within("several failed polls of every job while the service is down", Duration::from_secs(60), || {
        since.elapsed() >= OUTAGE && polls() - before >= 3 * JOBS as u64 && ids.iter().all(|id| job(*id).last_error_code == Some(ErrorCode::PollFailed))
    })
    .await;
    let (failed_polls, outage) = (polls() - before, since.elapsed());
    for id in &ids {
        assert_eq!(job(*id).state, JobState::Running, "job {id}: a failed poll never fails a job");
    }
    // Backed off: after a few quick tries a job polls at most every
    // max_poll (±25 %). Without backoff each job would poll every min_poll
    // (10 ms): hundreds of requests in these seconds.
    let quick = 8.0;
    let bound = JOBS as f64 * (outage.as_secs_f64() / (0.75 * config.max_poll.as_secs_f64()) + quick);
    assert!((failed_polls as f64) <= bound, "{failed_polls} polls in {outage:?} while the service was down (at most {bound:.0} with backoff)");

    // Back on the same port, from the state file.
    cfg.addr = addr.to_string();
    let back = start_again(cfg).await;
    std::mem::replace(&mut rig.sim, back).shutdown();
    tokio::time::timeout(Duration::from_secs(90), runner).await.expect("the queue finishes after the service is back").unwrap().unwrap();
    for id in &ids {
        let j = job(*id);
        assert_eq!(j.state, JobState::Downloaded, "job {id}: {:?}", j.last_error);
    }
    rig.check_files();
    let st = rig.sim.state();
    let k = st.key(KEY).unwrap();
    assert_eq!(k.tasks_created, JOBS as u64, "nothing created twice");
    assert!(k.tasks.iter().all(|t| t.status == loova_sim::TaskStatus::Succeeded));
}
