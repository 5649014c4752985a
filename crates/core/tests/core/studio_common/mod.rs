//! A studio under test: one real PostgreSQL cluster, one loova-sim whose
//! own limit is far above 6 with several keys of ONE user, and "computers":
//! each its own data folder, SQLite, keychain service, key and engine. An
//! engine runs on a runtime of its own on a thread of its own, so `kill`
//! drops it the way SIGKILL does: every task stops where it is, no
//! clean-up runs, its database connections just close.
#![allow(dead_code)]

use loova_core::accounts::Accounts;
use loova_core::engine::{enqueue, Engine, EngineConfig, EngineEvent, Notice};
use loova_core::store::{Db, JobFilter, JobRow, JobState};
use loova_core::JobSpec;
use loova_sim::SimHandle;
use loova_testkit::Postgres;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SCALE: f64 = 0.005;
pub const USER: &str = "studio-user";
pub const STUDIO: &str = "main-studio";

pub fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("sk-live-studio-key-{i}-{:08x}", rand::random::<u32>())).collect()
}

/// The simulator: `keys` all of [`USER`], its limit far above ours.
pub async fn sim(keys: &[String]) -> SimHandle {
    sim_at(keys, SCALE).await
}

/// [`sim`] with its tasks running at `time_scale` × Loova's run times.
pub async fn sim_at(keys: &[String], time_scale: f64) -> SimHandle {
    let grants: Vec<(&str, i64, &str)> = keys.iter().map(|k| (k.as_str(), 10_000_000, USER)).collect();
    let mut config = loova_sim::SimConfig::for_tests_users(&grants);
    config.timings.time_scale = time_scale;
    config.slow_ms = 50;
    loova_testkit::start_sim(loova_testkit::above_our_cap(config)).await
}

pub struct Computer {
    pub name: String,
    pub dir: tempfile::TempDir,
    pub out: PathBuf,
    pub db: Arc<Db>,
    pub accounts: Accounts,
    pub account: String,
    pub key: String,
    pub prices: loova_core::LoadedPriceList,
    pub unknown_hold: Option<Duration>,
    pub notices: Arc<Mutex<Vec<Notice>>>,
    running: Mutex<Option<Running>>,
}

struct Running {
    engine: Engine,
    stop: tokio::sync::oneshot::Sender<bool>,
    thread: std::thread::JoinHandle<()>,
}

impl Computer {
    /// A computer with an account for `key` at the simulator, linked to the studio.
    pub async fn new(name: &str, sim: &SimHandle, key: &str, pg: &Postgres) -> Computer {
        let dir = loova_testkit::data_dir();
        let db = Arc::new(Db::open_in(dir.path()).unwrap());
        let accounts = loova_testkit::accounts(db.clone(), &loova_testkit::keyring_service(&format!("studio-{name}")));
        let account = loova_testkit::add_account(&accounts, "Studio", &sim.base_url(), key).await;
        let link = loova_core::studio::connect(accounts.db(), accounts.vault(), &account, &pg.url(), &Default::default(), STUDIO, Some(name))
            .await
            .expect("connect to the studio");
        assert_eq!(link.url_display, pg.url_without_password());
        let out = dir.path().join("videos");
        Computer {
            name: name.into(),
            prices: loova_core::load_price_list(dir.path()),
            dir,
            out,
            db,
            accounts,
            account,
            key: key.into(),
            unknown_hold: None,
            notices: Arc::default(),
            running: Mutex::new(None),
        }
    }

    pub fn enqueue(&self, n: usize) -> Vec<i64> {
        self.enqueue_lasting(&(0..n).map(|i| 4 + (i % 4) as u32).collect::<Vec<_>>())
    }

    /// One job per video length given, in order (the simulator's run time
    /// grows with the length).
    pub fn enqueue_lasting(&self, durations: &[u32]) -> Vec<i64> {
        durations
            .iter()
            .enumerate()
            .map(|(i, duration)| {
                let spec = JobSpec { prompt: format!("{} job {i}: a heron at dawn", self.name), duration: *duration, ..Default::default() };
                enqueue(&self.db, &self.account, &spec, None, &self.prices).unwrap().id
            })
            .collect()
    }

    /// Starts this computer's engine on a thread and runtime of its own.
    pub fn start(&self) {
        let mut config = EngineConfig::scaled(SCALE);
        config.output_dir = Some(self.out.clone());
        config.unknown_hold = self.unknown_hold;
        let engine = Engine::new(self.db.clone(), self.accounts.clone(), self.prices.clone(), config);
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<bool>();
        let (e, notices) = (engine.clone(), self.notices.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
            rt.block_on(async move {
                let mut rx = e.subscribe();
                tokio::spawn(async move {
                    while let Ok(ev) = rx.recv().await {
                        if let EngineEvent::Notice(n) = ev {
                            notices.lock().unwrap().push(n);
                        }
                    }
                });
                let (graceful_tx, graceful_rx) = tokio::sync::oneshot::channel::<()>();
                let run = e.run(false, async move {
                    let _ = graceful_rx.await;
                });
                tokio::pin!(run);
                tokio::select! {
                    r = &mut run => r.expect("the engine runs"),
                    kill = stop_rx => {
                        if kill.unwrap_or(true) {
                            // Killed: the run future is dropped right here.
                            return;
                        }
                        let _ = graceful_tx.send(());
                        run.await.expect("the engine stops");
                    }
                }
            });
            // Dropping the runtime cancels every task the engine spawned.
            rt.shutdown_background();
        });
        *self.running.lock().unwrap() = Some(Running { engine, stop, thread });
    }

    /// Stops the engine as SIGKILL would.
    pub fn kill(&self) {
        if let Some(r) = self.running.lock().unwrap().take() {
            let _ = r.stop.send(true);
            r.thread.join().unwrap();
        }
    }

    pub fn stop(&self) {
        if let Some(r) = self.running.lock().unwrap().take() {
            let _ = r.stop.send(false);
            r.thread.join().unwrap();
        }
    }

    pub fn engine(&self) -> Option<Engine> {
        self.running.lock().unwrap().as_ref().map(|r| r.engine.clone())
    }

    pub fn status(&self) -> Option<loova_core::studio::StudioStatus> {
        self.engine().and_then(|e| e.studio_status(&self.account))
    }

    pub fn jobs(&self) -> Vec<JobRow> {
        self.db.jobs(&JobFilter::default()).unwrap()
    }

    pub fn count(&self, states: &[JobState]) -> usize {
        self.jobs().iter().filter(|j| states.contains(&j.state)).count()
    }

    /// Every downloaded job has its complete video; no `.part` is left.
    pub fn check_files(&self) {
        let size = loova_sim::routes::files::SAMPLE_MP4.len() as u64;
        for j in self.jobs().iter().filter(|j| j.state == JobState::Downloaded) {
            let p = j.video_path.as_ref().expect("a downloaded job has a path");
            assert_eq!(std::fs::metadata(p).unwrap().len(), size, "{p}");
        }
        assert!(loova_testkit::part_files(&self.out).is_empty());
    }
}

impl Drop for Computer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The user's tasks at the simulator: highest running at once, created,
/// and the prompts created more than once.
pub fn sim_user(sim: &SimHandle) -> (usize, u64, Vec<String>) {
    let state = sim.state();
    let user = state.user(USER).expect("the simulator knows the user");
    let mut prompts: Vec<String> = state.user_tasks(USER).iter().map(|t| t.prompt.clone()).collect();
    prompts.sort();
    let twice: Vec<String> = prompts.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0].clone()).collect();
    (user.max_running_at_once, user.tasks_created, twice)
}

pub fn running_now(sim: &SimHandle) -> usize {
    sim.state().user(USER).map_or(0, |u| u.running + u.queued)
}

/// The leases in the database, per computer: (computer, with task id?).
pub async fn leases(pg: &Postgres) -> Vec<(String, bool)> {
    let (client, conn) = tokio_postgres::connect(&pg.url(), tokio_postgres::NoTls).await.expect("connect to the test cluster");
    tokio::spawn(conn);
    let rows = client.query("SELECT computer, task_id IS NOT NULL FROM loova_leases", &[]).await.unwrap();
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

/// The computers waiting for a slot.
pub async fn waiting(pg: &Postgres) -> Vec<String> {
    let (client, conn) = tokio_postgres::connect(&pg.url(), tokio_postgres::NoTls).await.expect("connect to the test cluster");
    tokio::spawn(conn);
    client.query("SELECT computer FROM loova_waiters", &[]).await.unwrap().iter().map(|r| r.get(0)).collect()
}
