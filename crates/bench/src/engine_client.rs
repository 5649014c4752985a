//! Client (a): the real queue engine, set up as the app sets it up (and as
//! crates/core/tests/common does): SQLite in a data folder, the key in the
//! OS keychain, an account pointing at the simulator, the engine lock held.

use crate::jobs::Job;
use crate::report::Outcome;
use crate::Res;
use loova_core::accounts::{AddAccount, Accounts};
use loova_core::engine::{enqueue, Engine, EngineConfig, EngineLock};
use loova_core::sandbox::SandboxHost;
use loova_core::secret::Sensitive;
use loova_core::store::{Db, JobFilter, JobState};
use loova_core::vault::Vault;
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
        let service = format!("loova-bench-{}", std::process::id());
        let accounts = Accounts::new(db.clone(), Vault::new(service, Duration::from_secs(10)), Arc::new(SandboxHost::new(data_dir)));
        let req = AddAccount { name: "Bench".into(), base_url: Some(base_url.into()), key: Sensitive::new(key), save_unverified: false };
        let account = accounts.add(req).await?.id;
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

    /// The engine's own count of status requests (a cross-check of the sim's).
    pub fn status_counter(&self) -> u64 {
        self.engine.stats().status_requests.load(Ordering::Relaxed)
    }
}
