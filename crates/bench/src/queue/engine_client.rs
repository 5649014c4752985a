//! Client (a): the real queue engine, set up as the app sets it up (with the
//! test kit, as the core suite does): SQLite in a data folder, the key in the
//! OS keychain, an account pointing at the simulator, the engine lock held.

use super::jobs::Job;
use super::report::Outcome;
use crate::Res;
use loova_core::engine::{enqueue, Engine, EngineConfig, EngineLock};
use loova_core::store::{Db, JobFilter, JobState};
use loova_core::JobSpec;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Rig {
    engine: Engine,
    db: Arc<Db>,
    _lock: EngineLock,
}

impl Rig {
    pub async fn new(data_dir: &Path, base_url: &str, key: &str, jobs: &[Job], scale: f64) -> Res<Rig> {
        std::fs::create_dir_all(data_dir)?;
        let db = Arc::new(Db::open_in(data_dir)?);
        // Its own keychain service name, so it never meets the app's entries.
        let accounts = loova_testkit::accounts(db.clone(), &loova_testkit::keyring_service("bench"));
        let account = loova_testkit::add_account(&accounts, "Bench", base_url, key).await;
        let prices = loova_core::load_price_list(data_dir);
        for j in jobs {
            let spec = JobSpec { prompt: j.prompt.clone(), model: j.model.into(), duration: j.duration, ..Default::default() };
            enqueue(&db, &account, &spec, None, &prices)?;
        }
        let lock = EngineLock::acquire(data_dir)?;
        // The engine's own timings scaled like the simulator's: it polls the
        // sim exactly as proportionately as the app polls Loova.
        let mut config = EngineConfig::scaled(scale);
        config.output_dir = Some(data_dir.join("videos"));
        let engine = Engine::new(db.clone(), accounts, prices, config);
        Ok(Rig { engine, db, _lock: lock })
    }

    /// Runs the queue until every job is done (downloaded, or needing a person).
    pub async fn run(&self, limit: Duration) -> Res<Outcome> {
        let start = Instant::now();
        tokio::time::timeout(limit, self.engine.run(true, std::future::pending())).await.map_err(|_| "the engine did not finish in time")??;
        let makespan = start.elapsed();
        let jobs = self.db.jobs(&JobFilter::default())?;
        Ok(Outcome {
            makespan,
            downloaded: jobs.iter().filter(|j| j.state == JobState::Downloaded).count(),
            // `finished_at` is written by the poll that saw the task end,
            // before the download starts: exactly "the moment it noticed".
            noticed: jobs.iter().filter_map(|j| Some((j.task_id.clone()?, j.finished_at?))).collect(),
        })
    }

    /// Refill times (µs) the engine measured (see `EngineStats::refill_us`).
    pub fn refill_us(&self) -> Vec<u64> {
        self.engine.stats().refill_us.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The engine's own count of status requests (a cross-check of the sim's).
    pub fn status_counter(&self) -> u64 {
        self.engine.stats().status_requests.load(Ordering::Relaxed)
    }
}
