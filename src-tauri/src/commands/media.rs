//! Local media for the Composer: pick files, and check each one's real kind
//! (from its content) and size before it joins a job.

use crate::state::AppState;
use base64::Engine as _;
use loova_core::media::{self, MediaKind, MediaLimits};
use serde::Serialize;
use std::path::Path;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

/// Images up to this size get a thumbnail (a data URL: the CSP allows no
/// file access from the page).
const THUMBNAIL_MAX: u64 = 4 * 1024 * 1024;

#[derive(Serialize, specta::Type)]
pub struct MediaInfo {
    pub path: String,
    pub name: String,
    pub kind: Option<MediaKind>,
    pub format: Option<String>,
    #[specta(type = f64)]
    pub size_bytes: u64,
    /// How long a video or audio file plays, when its header says.
    pub duration_secs: Option<f64>,
    pub thumbnail: Option<String>,
    /// Why the file cannot be used, and what works instead.
    pub error: Option<String>,
}

/// The system file picker, several files at once; empty when canceled.
#[tauri::command]
#[specta::specta]
pub async fn pick_media_files(app: AppHandle) -> Vec<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Add reference images, videos or audio")
        .add_filter("Images, videos, audio", &["png", "jpg", "jpeg", "webp", "gif", "mp4", "mov", "webm", "mp3", "wav", "m4a", "ogg"])
        .pick_files(move |picked| {
            let paths = picked.unwrap_or_default().into_iter().filter_map(|p| p.into_path().ok()).map(|p| p.display().to_string());
            let _ = tx.send(paths.collect::<Vec<_>>());
        });
    rx.await.unwrap_or_default()
}

/// What each file really is (by content), its size, a thumbnail for images,
/// or why it cannot be used.
#[tauri::command]
#[specta::specta]
pub fn inspect_media(state: State<'_, AppState>, paths: Vec<String>) -> Vec<MediaInfo> {
    let limits = state.db.as_deref().map(MediaLimits::from_db).unwrap_or_default();
    paths.into_iter().map(|p| inspect(&p, &limits)).collect()
}

fn inspect(path: &str, limits: &MediaLimits) -> MediaInfo {
    let p = Path::new(path);
    let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.to_string());
    let size_bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let checked = media::sniff(p).and_then(|s| media::check(p, s.kind, limits));
    match checked {
        Err(e) => MediaInfo { path: path.into(), name, kind: None, format: None, size_bytes, duration_secs: None, thumbnail: None, error: Some(e.to_string()) },
        Ok(s) => {
            let thumbnail = (s.kind == MediaKind::Image && s.size <= THUMBNAIL_MAX)
                .then(|| std::fs::read(p).ok())
                .flatten()
                .map(|bytes| format!("data:{};base64,{}", s.mime, base64::engine::general_purpose::STANDARD.encode(bytes)));
            let duration_secs = (s.kind != MediaKind::Image).then(|| loova_core::media_duration::duration_secs(p)).flatten();
            MediaInfo { path: path.into(), name, kind: Some(s.kind), format: Some(s.format), size_bytes: s.size, duration_secs, thumbnail, error: None }
        }
    }
}
