//! A running job's progress moves with the clock (elapsed against the run
//! time Rust expects), but the queue is re-sent only when something changes.
//! So every second, while jobs run, the window gets their progress as Rust
//! computes it (`JobView::progress_at`): the UI draws it and does no sums.

use crate::events::{JobProgress, JobsProgress};
use crate::queue::QueueHost;
use std::time::Duration;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

const EVERY: Duration = Duration::from_secs(1);

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let host = app.state::<QueueHost>();
            let moving = host.moving();
            // A hidden window draws nothing; it gets the queue when shown.
            if moving.is_empty() || crate::queue::quitting_skips_the_ui(&host) || !crate::lifecycle::window_shown(&app) {
                continue;
            }
            let now = loova_core::store::now_ms();
            let jobs = moving.iter().filter_map(|j| j.progress_at(now).map(|progress| JobProgress { id: j.id, progress })).collect();
            let _ = JobsProgress { jobs }.emit(&app);
        }
    });
}
