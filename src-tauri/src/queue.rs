//! Runs the queue engine while the window is open (if no `loova run` holds
//! this data folder's lock), forwards its changes to the UI (coalesced) and
//! its notices to desktop notifications.

use crate::events::{AccountsChanged, QueueChanged};
use crate::state::AppState;
use loova_core::engine::{Engine, EngineConfig, EngineEvent, EngineLock};
use loova_core::overview::{queue_overview, QueueOverview};
use loova_core::store::JobFilter;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
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
    status: Mutex<String>,
    dirty: Notify,
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

    /// Something changed: the UI gets a fresh overview shortly.
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
    let jobs = loova_core::engine::list_jobs(db, &JobFilter::default()).map_err(crate::error::CommandError::from)?;
    let engine = host.engine();
    let rows = db.accounts().map_err(|e| crate::error::CommandError::unavailable(&e.to_string()))?;
    Ok(queue_overview(
        &list,
        jobs,
        state.prices.list.concurrency_limit,
        |id| rows.iter().find(|r| r.id == id).and_then(|r| r.concurrency_limit).map(|l| l.max(1) as u32),
        |id| engine.as_ref().and_then(|e| e.observed_limit(id)),
        host.status(),
        loova_core::engine::output_root(db).display().to_string(),
        loova_core::batch::list_batches(db).map_err(|e| crate::error::CommandError::unavailable(&e.to_string()))?,
    ))
}

pub fn start(app: AppHandle) {
    let forwarder = app.clone();
    tauri::async_runtime::spawn(async move {
        let data_dir = loova_core::paths::data_dir();
        loop {
            match EngineLock::acquire(&data_dir) {
                Ok(lock) => {
                    run_here(&app, lock).await;
                    return;
                }
                Err(_) => {
                    let host = app.state::<QueueHost>();
                    host.set_status("`loova run` is running this queue in a terminal; this window shows its progress and takes over when it stops.");
                    emit(&app);
                    tokio::time::sleep(ELSEWHERE_EVERY).await;
                }
            }
        }
    });
    tauri::async_runtime::spawn(async move {
        loop {
            forwarder.state::<QueueHost>().dirty.notified().await;
            emit(&forwarder);
            tokio::time::sleep(COALESCE).await;
        }
    });
}

async fn run_here(app: &AppHandle, lock: EngineLock) {
    let state = app.state::<AppState>();
    let (Ok(accounts), Ok(db)) = (state.accounts(), state.db()) else { return };
    let engine = Engine::new(db.clone(), accounts.clone(), state.prices.clone(), EngineConfig::default());
    let host = app.state::<QueueHost>();
    *host.engine.lock().unwrap_or_else(|p| p.into_inner()) = Some(engine.clone());
    host.set_status("Running the queue in this window. Closing Loova Desk pauses it; nothing is lost.");
    let mut events = engine.subscribe();
    let listener = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Ok(event) = events.recv().await {
            match event {
                EngineEvent::JobChanged(_) => listener.state::<QueueHost>().dirty.notify_one(),
                EngineEvent::AccountChanged { .. } => {
                    listener.state::<QueueHost>().dirty.notify_one();
                    if let Ok(o) = crate::commands::overview(&listener.state::<AppState>()) {
                        let _ = AccountsChanged(o).emit(&listener);
                    }
                }
                EngineEvent::Notice(n) => {
                    // A desktop without a notification service still has the
                    // Queue screen, which shows the same state.
                    if let Err(e) = listener.notification().builder().title(&n.title).body(&n.body).show() {
                        eprintln!("loova-desk: desktop notification not shown: {e}");
                    }
                }
            }
        }
    });
    emit(app);
    let _held = lock;
    if let Err(e) = engine.run(false, std::future::pending()).await {
        host.set_status(&format!("The queue stopped: {e} Restart Loova Desk to resume it."));
        emit(app);
    }
}

fn emit(app: &AppHandle) {
    let state = app.state::<AppState>();
    let host = app.state::<QueueHost>();
    if let Ok(o) = overview(&state, &host) {
        let _ = QueueChanged(o).emit(app);
    }
}
