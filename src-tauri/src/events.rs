//! Events Rust pushes to the UI (typed for TypeScript by tauri-specta).

use crate::commands::AccountsOverview;
use serde::{Deserialize, Serialize};

/// Accounts or balances changed (a command, or the background refresher).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct AccountsChanged(pub AccountsOverview);

/// The whole queue overview: once when the window is shown after missing
/// changes, and when who runs the queue changes.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct QueueChanged(pub loova_core::overview::QueueOverview);

/// Jobs changed (coalesced: at most every 200 ms): only those rows, with
/// the account counts and batches; the window applies it to what it shows.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct QueueJobsChanged(pub loova_core::overview::QueueDelta);

/// Files dropped onto the window, sorted by Rust: a batch file opens the
/// import screen, anything else is a reference for the Composer; each as a
/// handle (the page never holds a path).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct FilesDropped {
    pub batch_file: Option<loova_core::path_grants::Granted>,
    pub media: Vec<loova_core::path_grants::Granted>,
}

impl FilesDropped {
    pub fn of(grants: &loova_core::path_grants::PathGrants, paths: &[std::path::PathBuf]) -> FilesDropped {
        let sorted = loova_core::batch_import::sort_dropped(paths.iter().map(|p| p.display().to_string()).collect());
        let grant = |f: &String| grants.grant(std::path::Path::new(f));
        FilesDropped { batch_file: sorted.batch_file.as_ref().map(grant), media: sorted.media.iter().map(grant).collect() }
    }
}

/// The progress of the running jobs now (every second while any run).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct JobsProgress {
    pub jobs: Vec<JobProgress>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct JobProgress {
    pub id: i64,
    /// 0..1, as `JobView::progress`.
    pub progress: f64,
}

/// A desktop notification was clicked: open the Queue, on `job_id` when the
/// notice was about one job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, tauri_specta::Event)]
pub struct OpenJob {
    pub job_id: Option<i64>,
}
