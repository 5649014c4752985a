//! Queue commands: enqueue from the Composer, and the person's actions.

use crate::error::CommandError;
use crate::queue::overview;
use crate::state::blocking;
use loova_core::engine::{self, JobAction, JobView, Performed};
use loova_core::overview::QueueOverview;
use loova_core::path_grants::PathGrants;
use loova_core::store::Place;
use loova_core::JobSpec;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_opener::OpenerExt;

#[tauri::command]
#[specta::specta]
pub async fn queue_overview(app: AppHandle) -> Result<QueueOverview, CommandError> {
    blocking(&app, overview).await
}

/// The Queue's filter answer: the text it answers (the window drops an
/// answer to an older keystroke) and the jobs listed for it.
#[derive(Serialize, specta::Type)]
pub struct FilteredJobs {
    pub text: String,
    pub jobs: Vec<JobView>,
}

/// The jobs the Queue lists whose name, prompt, task id or saved file
/// contain `text` (`loova_core::overview::filtered_jobs`).
#[tauri::command]
#[specta::specta]
pub async fn queue_filter(app: AppHandle, text: String) -> Result<FilteredJobs, CommandError> {
    blocking(&app, move |state, _| {
        let accounts = state.accounts()?.list()?;
        let jobs = loova_core::overview::filtered_jobs(state.db()?, &accounts, &text)?;
        Ok(FilteredJobs { text, jobs })
    })
    .await
}

#[derive(Serialize, specta::Type)]
pub struct Enqueued {
    pub job: JobView,
    pub overview: QueueOverview,
}

/// Copies the job's local files into the data folder, so it runs off the
/// main thread like every command that touches files or SQLite.
#[tauri::command]
#[specta::specta]
pub async fn enqueue_job(
    app: AppHandle,
    grants: tauri::State<'_, PathGrants>,
    account_id: String,
    spec: JobSpec,
    name: Option<String>,
) -> Result<Enqueued, CommandError> {
    let spec = grants.paths_in(spec)?;
    blocking(&app, move |state, host| {
        let job = engine::enqueue(state.db()?, &account_id, &spec, name.as_deref(), &state.prices)?;
        host.touch();
        Ok(Enqueued { job, overview: overview(state, host)? })
    })
    .await
}

/// The Composer saves an edited queued job: a new recipe in place, or a
/// refusal when it may have been sent meanwhile (`engine::edit`).
#[tauri::command]
#[specta::specta]
pub async fn edit_job(app: AppHandle, grants: tauri::State<'_, PathGrants>, id: i64, spec: JobSpec, name: Option<String>) -> Result<Enqueued, CommandError> {
    let spec = grants.paths_in(spec)?;
    blocking(&app, move |state, host| {
        let job = engine::edit(state.db()?, id, &spec, name.as_deref(), &state.prices)?;
        host.touch();
        Ok(Enqueued { job, overview: overview(state, host)? })
    })
    .await
}

/// "Open in Composer" on a queue row: the job's recipe, its local files as
/// handles.
#[tauri::command]
#[specta::specta]
pub async fn job_composer_draft(app: AppHandle, grants: tauri::State<'_, PathGrants>, id: i64) -> Result<crate::commands::ComposerDraft, CommandError> {
    let job = blocking(&app, move |state, _| Ok(engine::job(state.db()?, id)?)).await?;
    Ok(crate::commands::ComposerDraft { spec: grants.handles_in(job.spec), name: job.name, account_id: Some(job.account_id) })
}

/// A queued job dropped before another of its account's (drag to reorder).
#[tauri::command]
#[specta::specta]
pub async fn place_job(app: AppHandle, id: i64, place: Place) -> Result<QueueOverview, CommandError> {
    blocking(&app, move |state, host| {
        engine::place(state.db()?, id, place)?;
        host.touch();
        overview(state, host)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn job_action(app: AppHandle, id: i64, action: JobAction) -> Result<QueueOverview, CommandError> {
    let performed = blocking(&app, move |state, _| Ok(engine::perform(state.db()?, id, action)?)).await?;
    // Opening a file is the one part only the shell can do.
    if let Performed::Open { path, reveal } = performed {
        let opened = if reveal { app.opener().reveal_item_in_dir(&path) } else { app.opener().open_path(&path, None::<&str>) };
        opened.map_err(|e| CommandError::unavailable(&format!("Could not open {path}: {e}")))?;
    }
    blocking(&app, |state, host| {
        host.touch();
        overview(state, host)
    })
    .await
}

/// "I found it on Loova — task id …" on an outcome-unknown job: the rule
/// (the task must be this account's and match the job) is `engine::attach`.
#[tauri::command]
#[specta::specta]
pub async fn attach_job(app: AppHandle, id: i64, task_id: String) -> Result<QueueOverview, CommandError> {
    let (db, accounts) = {
        let state = app.state::<crate::state::AppState>();
        (state.db()?.clone(), state.accounts()?.clone())
    };
    engine::attach(&db, &accounts, id, &task_id).await?;
    blocking(&app, |state, host| {
        host.touch();
        overview(state, host)
    })
    .await
}

/// Opens Loova's API dashboard in the person's browser (the webview opens
/// nothing outside the app itself).
#[tauri::command]
#[specta::specta]
pub async fn open_dashboard(app: AppHandle) -> Result<(), CommandError> {
    let url = loova_core::catalog::DASHBOARD_URL;
    app.opener().open_url(url, None::<&str>).map_err(|e| CommandError::unavailable(&format!("Could not open {url}: {e}")))
}

/// Where finished videos go (one sub-folder per account): a folder the
/// person picks in the native dialog. The page names none: the output
/// folder is also the only place Delete may trash and videos are served
/// from. The rule is `loova_core::output_dir`, the same as `loova
/// output-dir`. `None` when the picker was canceled.
#[tauri::command]
#[specta::specta]
pub async fn set_output_dir(app: AppHandle) -> Result<Option<QueueOverview>, CommandError> {
    let start = blocking(&app, |state, _| Ok(loova_core::output_dir::output_root(state.db()?))).await?;
    let Some(path) = crate::picks::pick_folder(&app, "Save finished videos in which folder?", start).await else {
        return Ok(None);
    };
    let path = path.display().to_string();
    blocking(&app, move |state, host| {
        loova_core::output_dir::set_output_dir(state.db()?, &path)?;
        host.touch();
        Ok(Some(overview(state, host)?))
    })
    .await
}
