//! Local media for the Composer: pick files, and check each one's real kind
//! (from its content) and size before it joins a job (`loova_core::media_info`).

use crate::state::AppState;
use loova_core::media::MediaLimits;
use loova_core::media_info::{self, MediaInfo, PICKER_EXTENSIONS};
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

/// The system file picker, several files at once; empty when canceled.
#[tauri::command]
#[specta::specta]
pub async fn pick_media_files(app: AppHandle) -> Vec<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("Add reference images, videos or audio").add_filter("Images, videos, audio", &PICKER_EXTENSIONS).pick_files(move |picked| {
        let paths = picked.unwrap_or_default().into_iter().filter_map(|p| p.into_path().ok()).map(|p| p.display().to_string());
        let _ = tx.send(paths.collect::<Vec<_>>());
    });
    rx.await.unwrap_or_default()
}

/// What each file really is (by content), its size, a thumbnail for images,
/// or why it cannot be used. Reads the files on the blocking pool.
#[tauri::command]
#[specta::specta]
pub async fn inspect_media(app: AppHandle, paths: Vec<String>) -> Vec<MediaInfo> {
    let shown = paths.clone();
    let inspected = tauri::async_runtime::spawn_blocking(move || {
        let limits = app.state::<AppState>().db.as_deref().map(MediaLimits::from_db).unwrap_or_default();
        media_info::inspect_all(&paths, &limits)
    })
    .await;
    // A failure of the inspection itself still answers for every file.
    inspected.unwrap_or_else(|e| {
        let reason = format!("Loova Desk could not inspect this file ({e}). Try adding it again.");
        shown.iter().map(|p| media_info::refused(p, &reason)).collect()
    })
}
