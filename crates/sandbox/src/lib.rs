//! The Sandbox: a Loova simulator inside Loova Desk, so anyone can try the app
//! without a key or real credits. Its state (credits, tasks) lives in the data
//! directory and survives restarts; its key lives in the keychain like any
//! other (the simulator keeps only a digest of it).
//!
//! A crate of its own because it runs a web server (loova-sim): the app and
//! the CLI hand a [`SandboxHost`] to `loova_core::accounts::Accounts` as its
//! [`LocalService`]; loova-core itself never depends on the simulator.

use futures_util::future::BoxFuture;
use loova_core::sandbox::LocalService;
use loova_core::secret::Sensitive;
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
    std::env::var(TIME_SCALE_ENV).ok().and_then(|s| s.parse().ok()).filter(|s: &f64| *s > 0.0).unwrap_or(DEFAULT_TIME_SCALE)
}

/// The one simulator of a data directory. Loova Desk and `loova` may run at
/// the same time on one data directory; if each started its own simulator on
/// the one state file, each would overwrite the other's credits and tasks.
/// So the first process to need it takes `simulator.lock` (an OS lock, freed
/// however the process ends), serves it and writes its address to
/// `simulator.url`; the others use that address, and take over when the lock
/// comes free.
pub struct SandboxHost {
    dir: PathBuf,
    sim: Mutex<Option<Sim>>,
}

enum Sim {
    Own {
        handle: SimHandle,
        _lock: std::fs::File,
    },
    /// Served by another process at this root URL (`http://127.0.0.1:PORT`).
    Shared {
        root: String,
    },
}

const LOCK_FILE: &str = "simulator.lock";
const URL_FILE: &str = "simulator.url";
/// How long to wait for another process's simulator to answer.
const SHARED_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

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
    /// no process serves it yet.
    pub async fn base_url(&self) -> Result<String, String> {
        let mut sim = self.sim.lock().await;
        Ok(format!("{}/api", self.ensure(&mut sim).await?))
    }

    /// The root URL of the simulator this process uses, starting or taking
    /// it over when needed.
    async fn ensure(&self, sim: &mut Option<Sim>) -> Result<String, String> {
        match sim.as_ref() {
            Some(Sim::Own { handle, .. }) => return Ok(handle.root_url()),
            // Still served by the other process? (It holds the lock while it lives.)
            Some(Sim::Shared { root }) if !self.lock_is_free()? => return Ok(root.clone()),
            _ => {}
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("could not create {}: {e}", self.dir.display()))?;
        let deadline = std::time::Instant::now() + SHARED_WAIT;
        loop {
            if let Some(lock) = self.try_lock()? {
                let handle = loova_sim::start(self.config()).await.map_err(|e| format!("the Sandbox simulator did not start: {e}"))?;
                let root = handle.root_url();
                let url_file = self.dir.join(URL_FILE);
                std::fs::write(&url_file, &root).map_err(|e| format!("could not write {}: {e}", url_file.display()))?;
                *sim = Some(Sim::Own { handle, _lock: lock });
                return Ok(root);
            }
            // Another process serves it; it writes its address right after
            // taking the lock, so a missing or dead address is worth a moment.
            if let Some(root) = std::fs::read_to_string(self.dir.join(URL_FILE)).ok().filter(|r| answers(r)) {
                *sim = Some(Sim::Shared { root: root.clone() });
                return Ok(root);
            }
            if std::time::Instant::now() > deadline {
                return Err(
                    "the Sandbox simulator is run by another Loova Desk process (the app or `loova`) that does not answer; close it and try again".into()
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    fn lock_file(&self) -> Result<std::fs::File, String> {
        let path = self.dir.join(LOCK_FILE);
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| format!("could not open {}: {e}", path.display()))
    }

    fn try_lock(&self) -> Result<Option<std::fs::File>, String> {
        use fs4::fs_std::FileExt;
        let file = self.lock_file()?;
        match file.try_lock_exclusive() {
            Ok(true) => Ok(Some(file)),
            Ok(false) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(format!("could not lock {}: {e}", self.dir.join(LOCK_FILE).display())),
        }
    }

    fn lock_is_free(&self) -> Result<bool, String> {
        // Taking and at once dropping it: the next `ensure` step takes it for good.
        Ok(self.try_lock()?.is_some())
    }

    /// A video link the simulator gave out, pointed at whichever process
    /// serves it now (its port changes when another process takes over).
    pub async fn current_video_url(&self, url: &str) -> Result<String, String> {
        let mut sim = self.sim.lock().await;
        let root = self.ensure(&mut sim).await?;
        let path = url.strip_prefix("http://").and_then(|rest| rest.find('/').map(|i| &rest[i..]));
        Ok(path.map_or_else(|| url.to_string(), |p| format!("{root}{p}")))
    }

    /// Gives `key` a fresh grant of play credits (new Sandbox, or a reset).
    pub async fn grant(&self, key: &Sensitive, reset: bool) -> Result<(), String> {
        let mut sim = self.sim.lock().await;
        let root = self.ensure(&mut sim).await?;
        match sim.as_ref() {
            Some(Sim::Own { handle, .. }) => {
                if reset {
                    handle.reset();
                }
                handle.add_key(key.expose(), SANDBOX_CREDITS);
                Ok(())
            }
            _ => {
                if reset {
                    control(&root, "reset", None, serde_json::json!({})).await?;
                }
                control(&root, "keys", Some(key), serde_json::json!({ "credits": SANDBOX_CREDITS })).await
            }
        }
    }

    /// Stops the simulator and deletes its state (the Sandbox was removed).
    /// Served by another process, it is emptied instead.
    pub async fn discard(&self) {
        match self.sim.lock().await.take() {
            Some(Sim::Own { handle, _lock }) => {
                handle.shutdown();
                let _ = std::fs::remove_dir_all(&self.dir);
            }
            Some(Sim::Shared { root }) => {
                let _ = control(&root, "reset", None, serde_json::json!({})).await;
            }
            None => {
                if self.lock_is_free().unwrap_or(false) {
                    let _ = std::fs::remove_dir_all(&self.dir);
                }
            }
        }
    }
}

impl LocalService for SandboxHost {
    fn base_url(&self) -> BoxFuture<'_, Result<String, String>> {
        Box::pin(SandboxHost::base_url(self))
    }

    fn current_video_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(SandboxHost::current_video_url(self, url))
    }

    fn grant<'a>(&'a self, key: &'a Sensitive, reset: bool) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(SandboxHost::grant(self, key, reset))
    }

    fn discard(&self) -> BoxFuture<'_, ()> {
        Box::pin(SandboxHost::discard(self))
    }

    fn time_scale(&self) -> f64 {
        time_scale()
    }
}

impl Drop for SandboxHost {
    /// A process that served the simulator leaves its latest state on disk
    /// for whoever takes over.
    fn drop(&mut self) {
        if let Some(Sim::Own { handle, .. }) = self.sim.get_mut().take() {
            handle.shutdown();
        }
    }
}

/// True when something answers HTTP at `root` (a quick loopback check).
fn answers(root: &str) -> bool {
    let Some(addr) = root.strip_prefix("http://").and_then(|a| a.parse::<std::net::SocketAddr>().ok()) else { return false };
    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300)).is_ok()
}

/// A call to another process's simulator control plane. A key travels only
/// in the `Authorization` header, marked sensitive.
async fn control(root: &str, what: &str, key: Option<&Sensitive>, body: serde_json::Value) -> Result<(), String> {
    let mut req = reqwest::Client::new().post(format!("{root}/__sim/{what}")).json(&body);
    if let Some(key) = key {
        let mut auth = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| "the Sandbox key cannot be sent".to_string())?;
        auth.set_sensitive(true);
        req = req.header(reqwest::header::AUTHORIZATION, auth);
    }
    let resp = req.send().await.map_err(|e| format!("the Sandbox simulator did not answer: {}", e.without_url()))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("the Sandbox simulator refused {what}: HTTP {}", resp.status().as_u16()))
    }
}
