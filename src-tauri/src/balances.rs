//! Keeps API balances fresh while the app is open: at start, every few
//! minutes, and when woken (window focus), never more often than a floor.

use crate::commands::overview;
use crate::events::AccountsChanged;
use crate::queue::QueueHost;
use crate::state::AppState;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

const EVERY: Duration = Duration::from_secs(180);
const AT_MOST_EVERY: Duration = Duration::from_secs(20);

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut last: Option<Instant> = None;
        loop {
            let state = app.state::<AppState>();
            if last.map_or(true, |t| t.elapsed() >= AT_MOST_EVERY) {
                if let Ok(accounts) = state.accounts() {
                    // Failures are recorded per account (shown on its card).
                    // Each fresh balance is checked against the low-balance
                    // alert by the engine, which sends its notices.
                    if let (Ok(read), Some(engine)) = (accounts.refresh_all().await, app.state::<QueueHost>().engine()) {
                        read.iter().for_each(|a| engine.balance_read(&a.id));
                    }
                    if let Ok(o) = overview(&state) {
                        let _ = AccountsChanged(o).emit(&app);
                    }
                }
                last = Some(Instant::now());
            }
            let wake = state.refresh.clone();
            let _ = tokio::time::timeout(EVERY, wake.notified()).await;
        }
    });
}
