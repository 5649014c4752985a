//! A queue under test: a temporary data folder with a real SQLite file, the
//! real keychain (its own service name), loova-sim on a loopback port, and
//! the engine running in the background.
#![allow(dead_code)]

use loova_core::accounts::Accounts;
use loova_core::engine::{enqueue, Engine, EngineConfig, EngineEvent};
use loova_core::store::{Db, JobFilter, JobRow, JobState};
use loova_core::JobSpec;
use loova_sim::{SimConfig, SimHandle};
use loova_testkit::{part_files, Rng};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SCALE: f64 = 0.005;

pub struct Rig {
    pub dir: tempfile::TempDir,
    pub out: PathBuf,
    pub db: Arc<Db>,
    pub accounts: Accounts,
    pub sim: SimHandle,
    pub prices: loova_core::LoadedPriceList,
    pub events: Arc<Mutex<Vec<EngineEvent>>>,
}

pub fn sim_config(keys: &[(&str, i64)]) -> SimConfig {
    let mut c = loova_testkit::sim_config(keys, SCALE);
    c.slow_ms = 50;
    c
}

impl Rig {
    pub async fn new(config: SimConfig) -> Rig {
        let dir = loova_testkit::data_dir();
        let db = Arc::new(Db::open_in(dir.path()).unwrap());
        let accounts = loova_testkit::accounts(db.clone(), &loova_testkit::keyring_service("core"));
        let sim = loova_testkit::start_sim(config).await;
        let out = dir.path().join("videos");
        Rig { prices: loova_core::load_price_list(dir.path()), dir, out, db, accounts, sim, events: Arc::default() }
    }

    pub async fn account(&self, name: &str, key: &str) -> String {
        loova_testkit::add_account(&self.accounts, name, &self.sim.base_url(), key).await
    }

    pub fn engine(&self) -> Engine {
        self.engine_with(|_| {})
    }

    /// The rig's engine with its config changed by `change` (a hold, a
    /// retry cap…) before it starts; its events are recorded like
    /// [`Rig::engine`]'s. Set on the config rather than through environment
    /// variables, which tests in one process would share.
    pub fn engine_with(&self, change: impl FnOnce(&mut EngineConfig)) -> Engine {
        let mut config = EngineConfig::scaled(SCALE);
        config.output_dir = Some(self.out.clone());
        change(&mut config);
        let engine = Engine::new(self.db.clone(), self.accounts.clone(), self.prices.clone(), config);
        let mut rx = engine.subscribe();
        let events = self.events.clone();
        tokio::spawn(async move {
            while let Ok(e) = rx.recv().await {
                events.lock().unwrap().push(e);
            }
        });
        engine
    }

    /// `n` jobs with distinct prompts and random durations (4..=15 s).
    pub fn enqueue_many(&self, account: &str, n: usize, tag: &str) -> Vec<i64> {
        let mut rng = loova_testkit::rng();
        (0..n)
            .map(|i| {
                let duration = rng.gen_range(4..=15);
                let spec = JobSpec { prompt: format!("{tag} job {i}: a fox in the snow"), duration, ..Default::default() };
                enqueue(&self.db, account, &spec, None, &self.prices).unwrap().id
            })
            .collect()
    }

    pub fn jobs(&self) -> Vec<JobRow> {
        self.db.jobs(&JobFilter::default()).unwrap()
    }

    pub fn count(&self, state: JobState) -> usize {
        self.jobs().iter().filter(|j| j.state == state).count()
    }

    /// Runs the engine until idle, within `limit`.
    pub async fn run_until_idle(&self, engine: &Engine, limit: Duration) {
        if tokio::time::timeout(limit, engine.run(true, std::future::pending())).await.is_err() {
            for j in self.jobs() {
                eprintln!("job {} {:?} attempts {} next {:?} err {:?}", j.id, j.state, j.attempts, j.next_attempt_at, j.last_error);
            }
            panic!("the queue did not go idle within {limit:?}");
        }
    }

    /// Every downloaded job has a complete file; no `.part` is left.
    pub fn check_files(&self) {
        let size = loova_sim::routes::files::SAMPLE_MP4.len() as u64;
        for j in self.jobs().iter().filter(|j| j.state == JobState::Downloaded) {
            let p = j.video_path.as_ref().expect("a downloaded job has a path");
            assert_eq!(std::fs::metadata(p).unwrap().len(), size, "{p}");
            assert!(p.starts_with(self.out.to_str().unwrap()), "{p}");
        }
        let parts = part_files(&self.out);
        assert!(parts.is_empty(), "left-over .part files: {parts:?}");
    }

    pub fn notices(&self) -> Vec<loova_core::engine::Notice> {
        self.events.lock().unwrap().iter().filter_map(|e| if let EngineEvent::Notice(n) = e { Some(n.clone()) } else { None }).collect()
    }
}

/// Creates a task "outside the app" (as from the Loova web app).
pub async fn outside_task(sim: &SimHandle, key: &str, prompt: &str) {
    let r = reqwest::Client::new()
        .post(format!("{}/__sim/tasks", sim.root_url()))
        .json(&serde_json::json!({"key": key, "prompt": prompt, "duration": 15}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{:?}", r.text().await);
}
