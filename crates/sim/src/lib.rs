//! loova-sim: a faithful, controllable simulator of the Loova video API.
//!
//! Start it in-process with [`start`] (on the current tokio runtime) or
//! [`SimHandle::spawn_in_thread`] (own thread and runtime, for sync callers),
//! then point a client at [`SimHandle::base_url`]. See README.md for the HTTP
//! surface, faults and the `/__sim/` control plane.

pub mod clock;
pub mod config;
pub mod control;
pub mod envelope;
pub mod faults;
pub mod persist;
pub mod pricing;
pub mod routes;
pub mod server;
pub mod state;
pub mod validate;

pub use config::{
    BasePath, Compat, CostFormat, ErrorReply, Faults, IdField, JsonDialect, KeyGrant, LimitMode, Limits, ModelPrice, MultipartDialect, Prices, Responses,
    RunTime, SimConfig, StatusWords, Timings,
};
pub use faults::{Endpoint, FaultKind, FaultPlan};
pub use state::{KeySnapshot, LogEntry, ReceivedFile, ReceivedForm, StateSnapshot, TaskSnapshot, TaskStatus, UserSnapshot};
pub use validate::{Dialect, FunctionMode};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

use state::Inner;

/// Shared by every handler, the ticker and the handle.
pub struct Shared {
    inner: Mutex<Inner>,
    /// `http://HOST:PORT`, used to build video URLs.
    pub root_url: String,
    state_file: Option<PathBuf>,
    /// Held from the snapshot to the rename: the ticker and `shutdown` both
    /// save, and two writers of the one `.tmp` file could interleave (a
    /// shorter document over a longer one left trailing bytes) or rename an
    /// older snapshot over a newer one.
    save_lock: Mutex<()>,
}

impl Shared {
    /// The state lock. A panic while holding it must not wedge the
    /// simulator, so poisoning is ignored.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Write the state file now if anything changed.
    pub fn save_if_dirty(&self) {
        let Some(path) = &self.state_file else { return };
        let _saving = self.save_lock.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = {
            let mut inner = self.lock();
            inner.advance_all();
            if !inner.dirty {
                return;
            }
            inner.dirty = false;
            inner.persisted()
        };
        if let Err(e) = persist::save(path, &snapshot) {
            eprintln!("loova-sim: cannot write state file {}: {e}", path.display());
        }
    }
}

/// A running simulator. Dropping it stops the server (without waiting).
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Arc<watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Running {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Arc<watch::Sender<bool>>,
}

/// Bind `config.addr` and serve on the current tokio runtime.
pub async fn start(config: SimConfig) -> anyhow::Result<SimHandle> {
    let r = start_running(config).await?;
    Ok(SimHandle { shared: r.shared, addr: r.addr, stop: r.stop, thread: None })
}

async fn start_running(config: SimConfig) -> anyhow::Result<Running> {
    config.check().map_err(|e| anyhow::anyhow!("invalid config: {e}"))?;
    let listener = tokio::net::TcpListener::bind(&config.addr).await?;
    let addr = listener.local_addr()?;
    let state_file = config.state_file.clone().map(PathBuf::from);
    let mut inner = Inner::new(config);
    if let Some(path) = &state_file {
        if let Some(saved) = persist::load(path)? {
            inner.restore(saved);
        }
    }
    let shared = Arc::new(Shared { inner: Mutex::new(inner), root_url: format!("http://{addr}"), state_file, save_lock: Mutex::new(()) });
    let (stop_tx, stop_rx) = watch::channel(false);
    let app = routes::router(shared.clone());
    tokio::spawn(server::serve(listener, app, stop_rx.clone()));
    tokio::spawn(ticker(shared.clone(), stop_rx));
    Ok(Running { shared, addr, stop: Arc::new(stop_tx) })
}

/// Keeps lifecycles fresh and the state file current (debounced to the
/// tick). Lifecycle results never depend on this tick: see `state`.
async fn ticker(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = every.tick() => {
                let s = shared.clone();
                // File IO off the async workers.
                let _ = tokio::task::spawn_blocking(move || s.save_if_dirty()).await;
            }
            _ = stop.changed() => break,
        }
    }
}

impl SimHandle {
    /// Start on a dedicated thread with its own runtime (for sync callers
    /// and for apps that must not share their runtime).
    pub fn spawn_in_thread(config: SimConfig) -> anyhow::Result<SimHandle> {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new().name("loova-sim".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(anyhow::Error::from(e)));
                    return;
                }
            };
            rt.block_on(async move {
                match start_running(config).await {
                    Ok(r) => {
                        let mut stop = r.stop.subscribe();
                        let _ = tx.send(Ok(r));
                        while !*stop.borrow_and_update() {
                            if stop.changed().await.is_err() {
                                break;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        })?;
        let r = rx.recv().map_err(|_| anyhow::anyhow!("simulator thread died"))??;
        Ok(SimHandle { shared: r.shared, addr: r.addr, stop: r.stop, thread: Some(thread) })
    }

    /// The API base, same shape as `https://api.loova.ai/api` (or, with
    /// `compat.base_path` `/`, as `https://api.loova.ai`).
    pub fn base_url(&self) -> String {
        let prefix = self.shared.lock().config.compat.base_path.prefix();
        format!("{}{prefix}", self.shared.root_url)
    }

    /// `http://HOST:PORT` (video files and `/__sim/` hang off it).
    pub fn root_url(&self) -> String {
        self.shared.root_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Everything `GET /__sim/state` shows, typed.
    pub fn state(&self) -> StateSnapshot {
        self.shared.lock().snapshot()
    }

    /// The last multipart creates received, oldest first (fields, file
    /// names, content types and sizes).
    pub fn received_forms(&self) -> Vec<state::ReceivedForm> {
        self.shared.lock().forms.iter().cloned().collect()
    }

    pub fn config(&self) -> SimConfig {
        self.shared.lock().config.clone()
    }

    /// Replace the configuration (keys stay as they are).
    pub fn set_config(&self, config: SimConfig) -> anyhow::Result<()> {
        config.check().map_err(|e| anyhow::anyhow!("invalid config: {e}"))?;
        let mut inner = self.shared.lock();
        // Replay pending transitions under the old limits first.
        inner.advance_all();
        inner.config = config;
        Ok(())
    }

    /// Change the configuration in place.
    pub fn update_config(&self, f: impl FnOnce(&mut SimConfig)) -> anyhow::Result<()> {
        let mut c = self.config();
        f(&mut c);
        self.set_config(c)
    }

    /// Add a key with `credits` (its own user), or top an existing key's
    /// user up by `credits`.
    pub fn add_key(&self, key: &str, credits: i64) {
        self.shared.lock().add_key(key, credits);
    }

    /// Add a key of `user` and add `credits` to the user's balance (or top
    /// the user up through a key it already has). Refused if the key belongs
    /// to another user or the name is not allowed.
    pub fn add_user_key(&self, key: &str, credits: i64, user: &str) -> anyhow::Result<()> {
        self.shared.lock().grant(&KeyGrant::for_user(key, credits, user)).map(|_| ()).map_err(|e| anyhow::anyhow!(e))
    }

    /// From now on `key` gets the authentication failure; its user's tasks
    /// keep running. `false` if the key is unknown.
    pub fn revoke_key(&self, key: &str) -> bool {
        self.shared.lock().revoke_key(key)
    }

    /// Back to the configured keys and grants; tasks and log cleared.
    pub fn reset(&self) {
        self.shared.lock().reset();
    }

    /// Stop serving, write the state file, and (thread mode) join the thread.
    pub fn shutdown(mut self) {
        let _ = self.stop.send(true);
        self.shared.save_if_dirty();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
