//! Local media for the Composer: pick files, and check each one's real kind
//! (from its content) and size before it joins a job (`loova_core::media_info`).
//! The window holds each file by a handle (`loova_core::path_grants`), never
//! by its path.

use crate::error::CommandError;
use crate::state::AppState;
use loova_core::media::{MediaLimits, MediaLimitsFromDb};
use loova_core::media_info::{self, MediaInfo, PICKER_EXTENSIONS};
use loova_core::path_grants::{Granted, PathGrants};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};

/// A file picked or dropped for the Composer, as the window sees it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct MediaFile {
    /// What the window sends back in a job's `image_files`, `video_files`
    /// or `audio_files`.
    pub handle: String,
    pub name: String,
    pub kind: Option<loova_core::media::MediaKind>,
    pub format: Option<String>,
    #[specta(type = f64)]
    pub size_bytes: u64,
    pub duration_secs: Option<f64>,
    pub thumbnail: Option<String>,
    /// Why the file cannot be used, and what works instead.
    pub error: Option<String>,
}

impl MediaFile {
    fn of(handle: &str, info: MediaInfo) -> MediaFile {
        let MediaInfo { name, kind, format, size_bytes, duration_secs, thumbnail, error, .. } = info;
        MediaFile { handle: handle.to_string(), name, kind, format, size_bytes, duration_secs, thumbnail, error }
    }
}

/// The system file picker, several files at once; empty when canceled.
#[tauri::command]
#[specta::specta]
pub async fn pick_media_files(app: AppHandle, grants: State<'_, PathGrants>) -> Result<Vec<Granted>, CommandError> {
    let picked = crate::picks::pick_files(&app, "Add reference images, videos or audio", "Images, videos, audio", &PICKER_EXTENSIONS).await;
    Ok(picked.iter().map(|p| grants.grant(p)).collect())
}

/// What each picked or dropped file really is (by content), its size, a
/// thumbnail for images, or why it cannot be used. A handle this run did
/// not give out is refused. Reads the files on the blocking pool.
#[tauri::command]
#[specta::specta]
pub async fn inspect_media(app: AppHandle, grants: State<'_, PathGrants>, handles: Vec<String>) -> Result<Vec<MediaFile>, CommandError> {
    let resolved: Vec<(String, Result<String, String>)> =
        handles.iter().map(|h| (h.clone(), grants.resolve(h).map(|p| p.display().to_string()).map_err(|e| e.to_string()))).collect();
    let shown = resolved.clone();
    let inspected = tauri::async_runtime::spawn_blocking(move || {
        let limits = app.state::<AppState>().db.as_deref().map(MediaLimits::from_db).unwrap_or_default();
        resolved
            .into_iter()
            .map(|(handle, path)| match path {
                Ok(path) => MediaFile::of(&handle, media_info::inspect(&path, &limits)),
                Err(why) => MediaFile::of(&handle, media_info::refused("", &why)),
            })
            .collect::<Vec<_>>()
    })
    .await;
    // A failure of the inspection itself still answers for every file.
    Ok(inspected.unwrap_or_else(|e| {
        let reason = format!("Loova Desk could not inspect this file ({e}). Try adding it again.");
        shown.iter().map(|(h, _)| MediaFile::of(h, media_info::refused("", &reason))).collect()
    }))
}
