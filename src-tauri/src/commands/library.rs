//! Library commands: pages of the grid, posters, and the actions on a video.
//! The rules are `loova_core::library`; these map arguments and errors.

use crate::error::CommandError;
use crate::media_server::MediaBase;
use crate::state::blocking;
use base64::Engine as _;
use loova_core::library::actions;
use loova_core::library::poster::{self, PosterError};
use loova_core::library::query::{self, LibraryPage, LibraryQuery};
use loova_core::library::rebuild::{self, RebuildReport};
use loova_core::path_grants::{Granted, PathGrants};
use loova_core::JobSpec;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_plugin_opener::OpenerExt;

fn media_base(app: &AppHandle) -> String {
    app.try_state::<MediaBase>().map(|b| b.0.clone()).unwrap_or_default()
}

#[tauri::command]
#[specta::specta]
pub async fn library_page(app: AppHandle, query: LibraryQuery) -> Result<LibraryPage, CommandError> {
    let data_dir = loova_core::paths::data_dir();
    let base = media_base(&app);
    blocking(&app, move |state, _| Ok(query::page(state.db()?, &data_dir, &base, &query)?)).await
}

/// A poster frame the webview drew from the video (a `data:image/jpeg;base64,…`
/// URL); answers with the cached poster's address.
#[tauri::command]
#[specta::specta]
pub async fn save_poster(app: AppHandle, id: i64, data_url: String) -> Result<String, CommandError> {
    let encoded = data_url.split_once(',').map_or(data_url.as_str(), |(_, b)| b);
    let image = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| CommandError::from(PosterError::NotAnImage))?;
    let data_dir = loova_core::paths::data_dir();
    let base = media_base(&app);
    blocking(&app, move |state, _| Ok(poster::save(state.db()?, &data_dir, &base, id, &image)?)).await
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LibraryAction {
    /// Show the video in the system's file manager.
    Reveal,
    /// Move the video and its sidecar to the OS trash.
    Delete,
}

#[tauri::command]
#[specta::specta]
pub async fn library_action(app: AppHandle, id: i64, action: LibraryAction) -> Result<(), CommandError> {
    let data_dir = loova_core::paths::data_dir();
    match action {
        LibraryAction::Reveal => {
            let path = blocking(&app, move |state, _| Ok(actions::present_path(state.db()?, id)?)).await?;
            app.opener().reveal_item_in_dir(&path).map_err(|e| CommandError::unavailable(&format!("Could not show {} in its folder: {e}", path.display())))
        }
        LibraryAction::Delete => blocking(&app, move |state, _| Ok(actions::delete(state.db()?, &data_dir, id)?)).await,
    }
}

/// The system file picker for "Locate…"; `None` when canceled. The page
/// gets a handle for the file and its name, never its path.
#[tauri::command]
#[specta::specta]
pub async fn pick_video_file(app: AppHandle) -> Option<Granted> {
    let picked = crate::picks::pick_file(&app, "Where is this video now?", "MP4 video", &["mp4"]).await?;
    Some(app.state::<PathGrants>().grant(&picked))
}

/// "Rebuild library from folder": the sidecars under a folder the person
/// picks (the output folder offered first) read back into the library;
/// `None` when the picker was canceled. The page names no folder.
#[tauri::command]
#[specta::specta]
pub async fn rebuild_library(app: AppHandle) -> Result<Option<RebuildReport>, CommandError> {
    let start = blocking(&app, |state, _| Ok(loova_core::output_dir::output_root(state.db()?))).await?;
    let Some(folder) = crate::picks::pick_folder(&app, "Rebuild the library from which folder?", start).await else {
        return Ok(None);
    };
    if !folder.is_dir() {
        return Err(CommandError::new(
            loova_core::ErrorCode::InvalidInput,
            format!("{} is not a folder. Choose the folder your videos are in.", folder.display()),
        ));
    }
    blocking(&app, move |state, _| Ok(Some(rebuild::rebuild(state.db()?, &folder)?))).await
}

/// Points a missing video at the file `file` is the handle of (from
/// `pick_video_file`), checked to be the same video.
#[tauri::command]
#[specta::specta]
pub async fn locate_video(app: AppHandle, grants: tauri::State<'_, PathGrants>, id: i64, file: String) -> Result<(), CommandError> {
    let path = grants.resolve(&file)?.display().to_string();
    let data_dir = loova_core::paths::data_dir();
    blocking(&app, move |state, _| Ok(actions::locate(state.db()?, &data_dir, id, &path)?)).await
}

/// A recipe for the Composer (from a video or a queue row).
#[derive(Serialize, specta::Type)]
pub struct ComposerDraft {
    pub spec: JobSpec,
    pub name: Option<String>,
    /// The video's account, if it still exists.
    pub account_id: Option<String>,
}

/// "Open in Composer": the video's recipe as a job to vary, its local files
/// as handles.
#[tauri::command]
#[specta::specta]
pub async fn library_composer_draft(app: AppHandle, grants: tauri::State<'_, PathGrants>, id: i64) -> Result<ComposerDraft, CommandError> {
    let (spec, name, account_id) = blocking(&app, move |state, _| Ok(actions::composer_spec(state.db()?, id)?)).await?;
    Ok(ComposerDraft { spec: grants.handles_in(spec), name, account_id })
}

/// ★ on a take, or off.
#[tauri::command]
#[specta::specta]
pub async fn set_video_pick(app: AppHandle, id: i64, pick: bool) -> Result<(), CommandError> {
    blocking(&app, move |state, _| Ok(loova_core::library::picks::set_pick(state.db()?, id, pick)?)).await
}

/// A take's rating, 1 to 5, or none.
#[tauri::command]
#[specta::specta]
pub async fn set_video_rating(app: AppHandle, id: i64, rating: Option<u8>) -> Result<(), CommandError> {
    blocking(&app, move |state, _| Ok(loova_core::library::picks::set_rating(state.db()?, id, rating)?)).await
}

/// "Export picks…": the system's folder picker (opened by Rust), then every
/// picked take and its sidecar copied there; `None` when canceled.
#[tauri::command]
#[specta::specta]
pub async fn export_picks(app: AppHandle) -> Result<Option<loova_core::library::picks::PicksExport>, CommandError> {
    // Offered first: the output folder, where the videos are.
    let start = blocking(&app, |state, _| Ok(loova_core::output_dir::output_root(state.db()?))).await?;
    let Some(folder) = crate::picks::pick_folder(&app, "Export the picked takes to…", start).await else { return Ok(None) };
    blocking(&app, move |state, _| Ok(Some(loova_core::library::picks::export_picks(state.db()?, &folder, false)?))).await
}

/// "Clear the rest of the set…": the names of the set's takes that are not
/// picked, for the confirmation (nothing is moved).
#[tauri::command]
#[specta::specta]
pub async fn rest_of_set(app: AppHandle, batch: String) -> Result<Vec<String>, CommandError> {
    blocking(&app, move |state, _| {
        let rest = loova_core::library::picks::rest_of_set(state.db()?, &batch)?;
        Ok(rest.into_iter().map(|r| r.sidecar.name.unwrap_or(r.sidecar.prompt)).collect())
    })
    .await
}

/// After the confirmation: those takes to the system trash; the picks stay.
#[tauri::command]
#[specta::specta]
pub async fn clear_rest_of_set(app: AppHandle, batch: String) -> Result<Vec<String>, CommandError> {
    let data_dir = loova_core::paths::data_dir();
    blocking(&app, move |state, _| Ok(loova_core::library::picks::clear_rest_of_set(state.db()?, &data_dir, &batch)?)).await
}
