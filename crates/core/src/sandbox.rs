//! The Sandbox: a Loova simulator inside Loova Desk, so anyone can try the app
//! without a key or real credits. Its state (credits, tasks) lives in the data
//! directory and survives restarts; its key lives in the keychain like any
//! other (the simulator keeps only a digest of it).

use loova_sim::{SimConfig, SimHandle};
use std::path::PathBuf;
use tokio::sync::Mutex;

pub const SANDBOX_CREDITS: i64 = 10_000;
/// How much faster than the real service Sandbox jobs run (a 5 s Seedance job
/// takes about a minute on Loova; here a few seconds).
pub const TIME_SCALE_ENV: &str = "LOOVA_DESK_SANDBOX_TIME_SCALE";
const DEFAULT_TIME_SCALE: f64 = 0.1;

/// How much faster than Loova the Sandbox runs jobs (the engine expects
/// Sandbox jobs to take this fraction of real time).
pub fn time_scale() -> f64 {
    std::env::var(TIME_SCALE_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| *s > 0.0)
        .unwrap_or(DEFAULT_TIME_SCALE)
}

pub struct SandboxHost {
    dir: PathBuf,
    sim: Mutex<Option<SimHandle>>,
}

impl SandboxHost {
    pub fn new(data_dir: &std::path::Path) -> SandboxHost {
        SandboxHost { dir: data_dir.join("sandbox"), sim: Mutex::new(None) }
    }

    fn config(&self) -> SimConfig {
        let mut config = SimConfig { state_file: Some(self.dir.join("simulator-state.json").display().to_string()), ..SimConfig::default() };
        config.timings.time_scale = time_scale();
        config
    }

    /// The simulator's API base URL, starting it (from its saved state) if
    /// it is not running yet.
    pub async fn base_url(&self) -> Result<String, String> {
        let mut sim = self.sim.lock().await;
        if let Some(handle) = sim.as_ref() {
            return Ok(handle.base_url());
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("could not create {}: {e}", self.dir.display()))?;
        let handle = loova_sim::start(self.config()).await.map_err(|e| format!("the Sandbox simulator did not start: {e}"))?;
        let url = handle.base_url();
        *sim = Some(handle);
        Ok(url)
    }

    /// Gives `key` a fresh grant of play credits (new Sandbox, or a reset).
    pub async fn grant(&self, key: &crate::secret::Sensitive, reset: bool) -> Result<(), String> {
        self.base_url().await?;
        let sim = self.sim.lock().await;
        let handle = sim.as_ref().expect("started above");
        if reset {
            handle.reset();
        }
        handle.add_key(key.expose(), SANDBOX_CREDITS);
        Ok(())
    }

    /// Stops the simulator and deletes its state (the Sandbox was removed).
    pub async fn discard(&self) {
        if let Some(handle) = self.sim.lock().await.take() {
            handle.shutdown();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
