//! Key rotation while the queue runs: a key replaced in another process
//! (`loova accounts set-key` while the app runs the queue) is used before
//! the next request, and the old key's refusal never marks the account
//! rejected. Real SQLite, the real keychain (run by scripts/test inside
//! dbus-run-session), loova-sim over HTTP.

use loova_core::engine::{enqueue, Engine, EngineConfig};
use loova_core::secret::Sensitive;
use loova_core::store::{AccountStatus, Db, JobFilter, JobState};
use loova_core::{ErrorCode, JobSpec};
use loova_sim::SimConfig;
use loova_testkit as kit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SCALE: f64 = 0.005;
const OLD: &str = "sk-live-rotate-old-0001";
const NEW: &str = "sk-live-rotate-new-0002";

fn queue(db: &Db, account: &str, n: usize, tag: &str, prices: &loova_core::LoadedPriceList) {
    for i in 0..n {
        let spec = JobSpec { prompt: format!("{tag} {i}: a fox in the snow"), duration: 4 + (i % 12) as u32, ..Default::default() };
        enqueue(db, account, &spec, None, prices).unwrap();
    }
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_key_replaced_by_another_process_is_used_by_the_running_queue() {
    // Two keys of one Loova user: tasks created with the old key can be
    // followed with the new one, as on Loova.
    let mut cfg = SimConfig::for_tests_users(&[(OLD, 1_000_000, "studio"), (NEW, 0, "studio")]);
    cfg.timings.time_scale = SCALE;
    let sim = kit::start_sim(cfg).await;
    let dir = kit::data_dir();
    let service = kit::keyring_service("rotate");
    let db = Arc::new(Db::open_in(dir.path()).unwrap());
    let accounts = kit::accounts(db.clone(), &service);
    let id = kit::add_account(&accounts, "Studio", &sim.base_url(), OLD).await;
    let prices = loova_core::load_price_list(dir.path());
    queue(&db, &id, 10, "before", &prices);

    let mut config = EngineConfig::scaled(SCALE);
    config.output_dir = Some(dir.path().join("videos"));
    let engine = Engine::new(db.clone(), accounts.clone(), prices.clone(), config);
    let runner = engine.clone();
    let run = tokio::spawn(async move { runner.run(true, std::future::pending()).await });

    // The account must never be marked rejected, not even for a moment.
    let rejected = Arc::new(AtomicBool::new(false));
    let watch = {
        let (db, id, rejected) = (db.clone(), id.clone(), rejected.clone());
        tokio::spawn(async move {
            loop {
                if db.account(&id).unwrap().is_some_and(|a| a.state == AccountStatus::KeyRejected) {
                    rejected.store(true, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let running = |db: &Db| db.count_by_state(Some(&id)).unwrap().of(&[JobState::Running, JobState::Downloaded]);
    kit::wait_for_async_within("jobs running with the old key", Duration::from_secs(30), || running(&db) >= 3).await;

    // "Another process": its own connection and accounts service on the
    // same data folder and keychain.
    let other_db = Arc::new(Db::open_in(dir.path()).unwrap());
    let other = kit::accounts(other_db.clone(), &service);
    other.replace_key(&id, Sensitive::new(NEW)).await.unwrap();
    assert!(sim.revoke_key(OLD), "the simulator knows the old key");
    queue(&other_db, &id, 10, "after", &prices);

    tokio::time::timeout(Duration::from_secs(120), run).await.expect("the queue goes idle").unwrap().unwrap();
    watch.abort();

    let jobs = db.jobs(&JobFilter::default()).unwrap();
    let stuck: Vec<_> = jobs.iter().filter(|j| j.state != JobState::Downloaded).map(|j| (j.id, j.state, j.last_error_code)).collect();
    assert!(stuck.is_empty(), "every job is downloaded: {stuck:?}");
    assert!(jobs.iter().all(|j| j.last_error_code != Some(ErrorCode::KeyRejected)));
    assert!(!rejected.load(Ordering::SeqCst), "the account was marked key_rejected although its new key works");
    assert_eq!(db.account(&id).unwrap().unwrap().state, AccountStatus::Active);
    let st = sim.state();
    assert!(st.key(NEW).unwrap().tasks_created >= 10, "the jobs queued after the rotation were created with the new key");
}
