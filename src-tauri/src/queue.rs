//! Runs the queue engine while the app runs, window shown or hidden (if no
//! `loova run` holds this data folder's lock), forwards its changes to the
//! UI (coalesced, as deltas: only the changed jobs) and the tray, and its
//! notices to desktop notifications.
//! `stop` ends it cleanly: every quit goes through `lifecycle::quit`.

use crate::events::{AccountsChanged, QueueChanged, QueueJobsChanged};
use crate::state::AppState;
use loova_core::engine::{Engine, EngineConfig, EngineEvent, EngineLock};
use loova_core::overview::{queue_delta, queue_overview, QueueOverview};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;
use tokio::sync::Notify;

/// How often the UI may be re-sent the queue while jobs change.
const COALESCE: Duration = Duration::from_millis(200);
/// While another process runs the queue: how often to show its progress and
/// try to take the queue over.
const ELSEWHERE_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct QueueHost {
    engine: Mutex<Option<Engine>>,
    /// Set once the app is quitting: the engine stops and is not restarted.
    quitting: AtomicBool,
    shutdown: Notify,
    /// True while `Engine::run` is running in this process.
    running: Mutex<bool>,
    ended: Notify,
    /// The window was hidden when the queue changed: it gets one fresh
    /// overview when shown, instead of every change meanwhile.
    stale: AtomicBool,
    status: Mutex<String>,
    dirty: Notify,
    /// The listed jobs whose progress moves with the clock (running), as
    /// last sent: `progress.rs` re-sends their progress every second.
    moving: Mutex<Vec<loova_core::engine::JobView>>,
    /// Jobs the engine changed since the last delta was sent.
    changed: Mutex<Vec<i64>>,
}

impl QueueHost {
    pub fn engine(&self) -> Option<Engine> {
        self.engine.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn status(&self) -> String {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_status(&self, s: &str) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = s.to_string();
    }

    pub fn moving(&self) -> Vec<loova_core::engine::JobView> {
        self.moving.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn is_quitting(&self) -> bool {
        self.quitting.load(Ordering::SeqCst)
    }

    fn set_running(&self, running: bool) {
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) = running;
        if !running {
            self.ended.notify_waiters();
        }
    }

    /// Stops the engine and waits for it, at most `within`: polls and
    /// downloads stop at once; a create request on its way is let finish so
    /// its answer is recorded (no job is left `submitting`).
    pub async fn stop(&self, within: Duration) {
        self.quitting.store(true, Ordering::SeqCst);
        let ended = self.ended.notified();
        tokio::pin!(ended);
        // Registered before the check, so an end in between is not missed.
        ended.as_mut().enable();
        if !*self.running.lock().unwrap_or_else(|p| p.into_inner()) {
            return;
        }
        // A stored permit: works even if `run` is between two waits.
        self.shutdown.notify_one();
        if tokio::time::timeout(within, ended).await.is_err() {
            eprintln!("loova-desk: the queue did not stop within {within:?}; quitting anyway (it resumes at the next start)");
        }
    }

    /// Something changed: the UI gets fresh counts shortly.
    pub fn touch(&self) {
        if let Some(e) = self.engine() {
            e.wake();
        }
        self.dirty.notify_one();
    }
}

pub fn overview(state: &AppState, host: &QueueHost) -> Result<QueueOverview, crate::error::CommandError> {
    let accounts = state.accounts()?;
    let db = state.db()?;
    let list = accounts.list()?;
    let engine = host.engine();
    let mut o = queue_overview(db, &list, state.prices.list.concurrency_limit, |id| engine.as_ref().and_then(|e| e.observed_limit(id)), host.status())?;
    with_studios(&engine, &mut o.accounts);
    Ok(o)
}

pub fn start(app: AppHandle) {
    let forwarder = app.clone();
    tauri::async_runtime::spawn(async move {
        let data_dir = loova_core::paths::data_dir();
        loop {
            if app.state::<QueueHost>().is_quitting() {
                return;
            }
            match EngineLock::acquire(&data_dir) {
                Ok(lock) => {
                    run_here(&app, lock).await;
                    return;
                }
                Err(e) => {
                    let host = app.state::<QueueHost>();
                    // The rule (only a lock held elsewhere means `loova run`) lives in core.
                    host.set_status(&loova_core::engine::status_when_not_running(&e));
                    emit(&app);
                    tokio::time::sleep(ELSEWHERE_EVERY).await;
                }
            }
        }
    });
    tauri::async_runtime::spawn(async move {
        loop {
            forwarder.state::<QueueHost>().dirty.notified().await;
            emit_delta(&forwarder);
            tokio::time::sleep(COALESCE).await;
        }
    });
}

async fn run_here(app: &AppHandle, lock: EngineLock) {
    let state = app.state::<AppState>();
    let (Ok(accounts), Ok(db)) = (state.accounts(), state.db()) else {
        return;
    };
    let engine = Engine::new(db.clone(), accounts.clone(), state.prices.clone(), EngineConfig::default());
    let host = app.state::<QueueHost>();
    *host.engine.lock().unwrap_or_else(|p| p.into_inner()) = Some(engine.clone());
    host.set_status(&running_here(loova_core::platform::Os::current()));
    let mut events = engine.subscribe();
    let listener = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Ok(event) = events.recv().await {
            match event {
                EngineEvent::JobChanged(job) => {
                    let host = listener.state::<QueueHost>();
                    host.changed.lock().unwrap_or_else(|p| p.into_inner()).push(job.id);
                    host.dirty.notify_one();
                }
                EngineEvent::AccountChanged { .. } => {
                    listener.state::<QueueHost>().dirty.notify_one();
                    if let Ok(o) = crate::commands::overview(&listener.state::<AppState>()) {
                        let _ = AccountsChanged(o).emit(&listener);
                    }
                }
                EngineEvent::Notice(n) => {
                    let wanted = listener.state::<AppState>().db().is_ok_and(|db| loova_core::settings::notify(db, n.kind));
                    if !wanted {
                        continue;
                    }
                    // A desktop without a notification service still has the
                    // Queue screen, which shows the same state.
                    crate::notify::send(&listener, &n.title, &n.body, n.job_id);
                }
            }
        }
    });
    emit(app);
    let _held = lock;
    // Running first, then the check: `stop` sets quitting first, then
    // reads running, so one of the two always sees the other.
    host.set_running(true);
    if host.is_quitting() {
        host.set_running(false);
        return;
    }
    // Remote notices beside the engine, never awaited by it; they stop with it.
    let _notices = loova_core::remote_notices::Dispatcher::start(db.clone(), accounts.vault().clone(), engine.subscribe(), Default::default());
    let result = engine.run(false, host.shutdown.notified()).await;
    host.set_running(false);
    if let Err(e) = result {
        host.set_status(&format!("The queue stopped: {e} Restart Loova Desk to resume it."));
        emit(app);
    }
}

/// While quitting nothing is shown any more. It matters on macOS, where
/// `lifecycle::exiting` stops the engine while holding the main thread: the
/// tray's setters and the window's `is_visible` wait for the main thread,
/// and each such wait would hold an async worker the engine's stop needs.
pub fn quitting_skips_the_ui(host: &QueueHost) -> bool {
    host.is_quitting()
}

/// The status line while this app runs the queue, in its system's words.
fn running_here(os: loova_core::platform::Os) -> String {
    format!(
        "Running the queue in this app, also while its window is closed (Quit from the {} icon or {} stops it; nothing is lost).",
        os.tray(),
        os.quit_keys()
    )
}

/// The queue now, to the tray always and to the window if it is shown.
pub fn emit(app: &AppHandle) {
    let state = app.state::<AppState>();
    let host = app.state::<QueueHost>();
    if quitting_skips_the_ui(&host) {
        return;
    }
    crate::tray::update(app);
    if !crate::lifecycle::window_shown(app) {
        host.stale.store(true, Ordering::SeqCst);
        return;
    }
    if let Ok(o) = overview(&state, &host) {
        let moving = o.jobs.iter().filter(|j| j.state == loova_core::store::JobState::Running).cloned().collect();
        *host.moving.lock().unwrap_or_else(|p| p.into_inner()) = moving;
        let _ = QueueChanged(o).emit(app);
    }
}

/// What changed since the last delta, to the tray always and to the window
/// if it is shown (a hidden window gets one fresh overview when shown).
fn emit_delta(app: &AppHandle) {
    let state = app.state::<AppState>();
    let host = app.state::<QueueHost>();
    if quitting_skips_the_ui(&host) {
        return;
    }
    crate::tray::update(app);
    let changed = std::mem::take(&mut *host.changed.lock().unwrap_or_else(|p| p.into_inner()));
    if !crate::lifecycle::window_shown(app) {
        host.stale.store(true, Ordering::SeqCst);
        return;
    }
    let (Ok(accounts), Ok(db)) = (state.accounts(), state.db()) else {
        return;
    };
    let Ok(list) = accounts.list() else {
        return;
    };
    let engine = host.engine();
    let observed = |id: &str| engine.as_ref().and_then(|e| e.observed_limit(id));
    if let Ok(mut d) = queue_delta(db, &list, state.prices.list.concurrency_limit, observed, host.status(), &changed) {
        with_studios(&engine, &mut d.accounts);
        let mut moving = host.moving.lock().unwrap_or_else(|p| p.into_inner());
        moving.retain(|j| !changed.contains(&j.id));
        moving.extend(d.jobs.iter().filter(|j| j.state == loova_core::store::JobState::Running).cloned());
        drop(moving);
        let _ = QueueJobsChanged(d).emit(app);
    }
}

/// A shared account's meter counts the studio's slots, as the engine last saw them.
fn with_studios(engine: &Option<Engine>, accounts: &mut [loova_core::overview::AccountQueue]) {
    if let Some(engine) = engine {
        accounts.iter_mut().for_each(|a| a.studio = engine.studio_status(&a.account_id));
    }
}

/// The window was shown again: one fresh overview if it missed changes.
pub fn shown(app: &AppHandle) {
    if app.state::<QueueHost>().stale.swap(false, Ordering::SeqCst) {
        emit(app);
    }
}

#[cfg(test)]
mod tests {
    use super::QueueHost;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn the_status_line_uses_each_systems_words() {
        use loova_core::platform::Os;
        assert!(super::running_here(Os::MacOs).contains("Quit from the menu bar icon or Cmd+Q stops it"));
        assert!(super::running_here(Os::Windows).contains("Quit from the tray icon or Ctrl+Q stops it"));
    }

    /// Once quitting, the tray and window are left alone (on macOS the
    /// main thread is then held while the engine stops).
    #[tokio::test]
    async fn nothing_is_shown_once_quitting() {
        let host = QueueHost::default();
        assert!(!super::quitting_skips_the_ui(&host));
        host.stop(Duration::from_secs(1)).await;
        assert!(super::quitting_skips_the_ui(&host));
    }

    #[tokio::test]
    async fn stop_asks_the_engine_to_end_and_waits_for_it() {
        let host = Arc::new(QueueHost::default());
        host.set_running(true);
        let engine = host.clone();
        // Stands in for `Engine::run`: it ends when told to.
        let run = tokio::spawn(async move {
            engine.shutdown.notified().await;
            engine.set_running(false);
        });
        host.stop(Duration::from_secs(30)).await;
        assert!(host.is_quitting());
        tokio::time::timeout(Duration::from_secs(1), run).await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn stop_gives_up_after_its_bound_and_returns_at_once_when_idle() {
        let host = QueueHost::default();
        let started = Instant::now();
        host.stop(Duration::from_secs(30)).await;
        assert!(started.elapsed() < Duration::from_secs(1), "nothing was running");
        host.set_running(true);
        let started = Instant::now();
        host.stop(Duration::from_millis(200)).await;
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}
