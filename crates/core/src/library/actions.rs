//! What a person does to a saved video from the Library: delete it (to the
//! OS trash, with its sidecar; the row stays as "deleted from disk"),
//! locate it after it was moved outside the app, and start a variation of
//! it in the Composer.

use super::{mp4, poster, serve, sidecar, Sidecar};
use crate::store::{now_ms, Db, LibraryRow, StoreError};
use crate::{ErrorCode, JobSpec};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("There is no video {0} in the library.")]
    NotFound(i64),
    #[error("{0} is not on disk any more. Use Locate… if it was moved.")]
    Missing(String),
    #[error("{path} is not this video: {why}.")]
    NotTheSame { path: String, why: String },
    #[error("{path} is outside the output folder ({root}). Move it into the output folder, then locate it there.")]
    OutsideOutput { path: String, root: String },
    #[error("{path} is not a file inside the output folder ({root}), so Loova Desk does not delete it. Delete it in your file manager if you mean to.")]
    NotInOutput { path: String, root: String },
    #[error("Another video in the library is already at {0}.")]
    Taken(String),
    #[error("Could not move {path} to the trash: {reason}")]
    Trash { path: String, reason: String },
    #[error("Could not write {path}: {reason}. Check that the output folder is writable.")]
    Save { path: String, reason: String },
    #[error("There is no set (batch) \"{0}\" in the library.")]
    NoSet(String),
    #[error("Nothing of the set \"{0}\" is picked, so clearing the rest would leave nothing: pick the takes to keep first (★ or P).")]
    NothingPicked(String),
    #[error("{0} is not a rating: rate a take 1 to 5 (or clear its rating).")]
    BadRating(u8),
    #[error("Could not export to {folder}: {reason}. Choose a folder you can write to, with free space.")]
    Export { folder: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ActionError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ActionError::NotFound(_) => ErrorCode::VideoNotFound,
            ActionError::Missing(_) => ErrorCode::VideoMissing,
            ActionError::NotTheSame { .. } | ActionError::Taken(_) => ErrorCode::NotTheSameVideo,
            ActionError::OutsideOutput { .. } | ActionError::NotInOutput { .. } => ErrorCode::InvalidInput,
            ActionError::Trash { .. } => ErrorCode::TrashFailed,
            ActionError::BadRating(_) | ActionError::NoSet(_) | ActionError::NothingPicked(_) => ErrorCode::InvalidInput,
            ActionError::Export { .. } | ActionError::Save { .. } => ErrorCode::Io,
            ActionError::Store(e) => e.code(),
        }
    }
}

fn row(db: &Db, id: i64) -> Result<LibraryRow, ActionError> {
    db.library_row(id)?.filter(|r| r.deleted_at.is_none()).ok_or(ActionError::NotFound(id))
}

/// The video's path, for "Reveal in folder" (the shell opens it).
pub fn present_path(db: &Db, id: i64) -> Result<PathBuf, ActionError> {
    let r = row(db, id)?;
    let path = PathBuf::from(&r.path);
    if !path.is_file() {
        return Err(ActionError::Missing(r.path));
    }
    Ok(path)
}

/// Moves the video and its sidecar to the OS trash and marks the row
/// deleted. A video already gone from disk is only marked. Only files in
/// the output folder are ever trashed: a row's path comes from SQLite or a
/// rebuilt sidecar folder, and must not make "Delete" reach anything else.
pub fn delete(db: &Db, data_dir: &Path, id: i64) -> Result<(), ActionError> {
    let r = row(db, id)?;
    let video = PathBuf::from(&r.path);
    let beside = sidecar::path_for(&video);
    // `symlink_metadata`: a link counts as present (and is refused below),
    // even one whose target is gone.
    let present: Vec<&Path> = [video.as_path(), beside.as_path()].into_iter().filter(|p| p.symlink_metadata().is_ok()).collect();
    let root = crate::output_dir::output_root(db);
    for p in &present {
        if !is_trashable_in(p, &root) {
            return Err(ActionError::NotInOutput { path: p.display().to_string(), root: root.display().to_string() });
        }
    }
    if !present.is_empty() {
        trash_context().delete_all(&present).map_err(|e| ActionError::Trash { path: r.path.clone(), reason: e.to_string() })?;
    }
    db.mark_library_deleted(id, now_ms())?;
    poster::forget(data_dir, &r.path);
    Ok(())
}

/// Whether `file` is a regular file (not a link: the link's target is not
/// ours to trash) whose folder, resolved (`..`, links), is inside `root`,
/// resolved too.
fn is_trashable_in(file: &Path, root: &Path) -> bool {
    let is_plain_file = file.symlink_metadata().is_ok_and(|m| m.file_type().is_file());
    let (Some(folder), Some(name)) = (file.parent(), file.file_name()) else { return false };
    let inside = match (folder.canonicalize(), root.canonicalize()) {
        (Ok(f), Ok(r)) => f.join(name).starts_with(r),
        _ => false,
    };
    is_plain_file && inside
}

/// The OS trash. On macOS through NSFileManager: the crate's default asks
/// Finder over AppleScript (`osascript`), which needs the Automation
/// permission (a prompt, then failures if refused) and a running Finder.
fn trash_context() -> trash::TrashContext {
    #[allow(unused_mut)]
    let mut context = trash::TrashContext::new();
    #[cfg(target_os = "macos")]
    {
        use trash::macos::{DeleteMethod, TrashContextExtMacos};
        context.set_delete_method(DeleteMethod::NsFileManager);
    }
    context
}

/// Why `candidate` is not the library's video `r`, if it is not.
fn differs(r: &LibraryRow, candidate: &Path) -> Option<String> {
    let meta = match std::fs::metadata(candidate) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Some("it is not a file".into()),
        Err(e) => return Some(format!("it cannot be read ({e})")),
    };
    if let Some(bytes) = r.bytes {
        if meta.len() as i64 != bytes {
            return Some(format!("it has {} bytes, the video had {bytes}", meta.len()));
        }
    }
    if let Err(why) = mp4::check(candidate) {
        return Some(format!("it is not an MP4 ({why})"));
    }
    // A sidecar that came along must be this video's recipe.
    if let Ok(theirs) = Sidecar::read(&sidecar::path_for(candidate)) {
        if theirs.task_id != r.sidecar.task_id {
            return Some("the recipe beside it is another task's".into());
        }
    }
    None
}

/// The person points at where a missing video went. It must be the same
/// video (same size, a real MP4, and any sidecar beside it the same task),
/// under the output folder (the only place videos play from). Its sidecar is
/// written beside it if it did not come along.
pub fn locate(db: &Db, data_dir: &Path, id: i64, candidate: &str) -> Result<(), ActionError> {
    let r = row(db, id)?;
    let path = crate::output_dir::resolve(candidate).unwrap_or_else(|_| PathBuf::from(candidate.trim()));
    if let Some(why) = differs(&r, &path) {
        return Err(ActionError::NotTheSame { path: path.display().to_string(), why });
    }
    let root = crate::output_dir::output_root(db);
    if !serve::is_under(&path, &root) {
        return Err(ActionError::OutsideOutput { path: path.display().to_string(), root: root.display().to_string() });
    }
    // dunce: on Windows std's canonicalize() gives `\\?\C:\…`, which the
    // Library would store and show, and which no other path compares equal to.
    let canonical = dunce::canonicalize(&path).unwrap_or(path);
    let text = canonical.display().to_string();
    if !db.move_library_entry(id, &text)? {
        return Err(ActionError::Taken(text));
    }
    if !sidecar::path_for(&canonical).exists() {
        // The video came without its recipe: a rebuild still finds it.
        let _ = r.sidecar.write_beside(&canonical);
    }
    poster::forget(data_dir, &r.path);
    Ok(())
}

/// What the Composer opens for "Open in Composer": the video's settings and
/// prompt, its name and its account's id (when the account still exists).
/// Local reference files are not brought back: the job's copies were removed
/// once it was saved, and the sidecar keeps only their names.
pub fn composer_spec(db: &Db, id: i64) -> Result<(JobSpec, Option<String>, Option<String>), ActionError> {
    let r = row(db, id)?;
    let s = &r.sidecar;
    let spec = JobSpec {
        model: s.model.clone(),
        prompt: s.prompt.clone(),
        function_mode: s.function_mode.clone(),
        ratio: s.ratio.clone(),
        duration: s.duration,
        image_urls: s.image_urls.clone(),
        video_urls: s.video_urls.clone(),
        audio_urls: s.audio_urls.clone(),
        ..JobSpec::default()
    };
    let account = db.account_by_name(&s.account)?.map(|a| a.id);
    Ok((spec, s.name.clone(), account))
}
