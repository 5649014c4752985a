//! Keeping the best takes: a pick (a star) and a 1–5 rating per saved
//! video, kept in the sidecar beside the video (so "Rebuild library" keeps
//! them) and in SQLite's copy of it; and the picked takes exported to a
//! folder, each with its sidecar, named by its recipe.

use super::actions::ActionError;
use super::sidecar;
use crate::store::Db;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One change at a time in this process, so the sidecar beside the video
/// is written in the order SQLite's copy changed.
static CHANGING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Changes the recipe in SQLite (atomically), then writes it beside the
/// video (the file a Rebuild reads). A video moved away keeps its pick in
/// SQLite until it is located.
fn save(db: &Db, id: i64, change: impl FnOnce(&mut super::Sidecar)) -> Result<(), ActionError> {
    let _one = CHANGING.lock().unwrap_or_else(|e| e.into_inner());
    let r = db.change_library_sidecar(id, change)?.ok_or(ActionError::NotFound(id))?;
    let video = Path::new(&r.path);
    if video.is_file() {
        r.sidecar.write_beside(video).map_err(|e| ActionError::Save { path: sidecar::path_for(video).display().to_string(), reason: e.to_string() })?;
    }
    Ok(())
}

/// Picks the take (or takes the pick away).
pub fn set_pick(db: &Db, id: i64, pick: bool) -> Result<(), ActionError> {
    save(db, id, |s| s.pick = pick)
}

/// Rates the take 1 to 5, or clears its rating (`None`).
pub fn set_rating(db: &Db, id: i64, rating: Option<u8>) -> Result<(), ActionError> {
    if let Some(n) = rating.filter(|n| !(1..=5).contains(n)) {
        return Err(ActionError::BadRating(n));
    }
    save(db, id, |s| s.rating = rating)
}

/// What `export_picks` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PicksExport {
    pub folder: String,
    /// The videos written (each with its `.json` sidecar).
    pub exported: Vec<String>,
    /// Picked videos not on disk any more, by name: locate them first.
    pub missing: Vec<String>,
    /// Hard links (same disk: no space used) rather than copies.
    pub linked: bool,
}

/// Copies (or, with `link`, hard-links where the disk allows) every picked
/// video and its sidecar into `folder`, named by its recipe (the job's name
/// or its prompt), never over an existing file.
pub fn export_picks(db: &Db, folder: &Path, link: bool) -> Result<PicksExport, ActionError> {
    let fail = |e: std::io::Error| ActionError::Export { folder: folder.display().to_string(), reason: e.to_string() };
    std::fs::create_dir_all(folder).map_err(fail)?;
    let (mut exported, mut missing, mut linked) = (Vec::new(), Vec::new(), link);
    for r in db.library_picks()? {
        let video = PathBuf::from(&r.path);
        let label = r.sidecar.name.clone().unwrap_or_else(|| r.sidecar.prompt.clone());
        if !video.is_file() {
            missing.push(label);
            continue;
        }
        let stem = crate::file_name::sanitize_file_stem(&label, 120);
        let target = free_name(folder, &stem);
        let put = |from: &Path, to: &Path, linked: &mut bool| -> std::io::Result<()> {
            if *linked && std::fs::hard_link(from, to).is_ok() {
                return Ok(());
            }
            *linked = false;
            std::fs::copy(from, to).map(|_| ())
        };
        put(&video, &target, &mut linked).map_err(fail)?;
        r.sidecar.write_beside(&target).map_err(fail)?;
        exported.push(target.display().to_string());
    }
    Ok(PicksExport { folder: folder.display().to_string(), exported, missing, linked: linked && link })
}

/// `<stem>.mp4`, or `<stem> (2).mp4`… when taken.
fn free_name(folder: &Path, stem: &str) -> PathBuf {
    let mut n = 1;
    loop {
        let name = if n == 1 { format!("{stem}.mp4") } else { format!("{stem} ({n}).mp4") };
        let path = folder.join(name);
        if !path.exists() && !sidecar::path_for(&path).exists() {
            return path;
        }
        n += 1;
    }
}

/// "Clear the rest of the set": the takes of a variation set (its batch)
/// that are not picked, which the person sees listed before anything goes.
/// Refused when nothing of the set is picked: there would be nothing left.
pub fn rest_of_set(db: &Db, batch: &str) -> Result<Vec<crate::store::LibraryRow>, ActionError> {
    let filter = crate::store::LibraryFilter { batch: Some(batch.to_string()), ..Default::default() };
    let takes = db.library(&filter)?;
    if takes.is_empty() {
        return Err(ActionError::NoSet(batch.to_string()));
    }
    if !takes.iter().any(|t| t.sidecar.pick) {
        return Err(ActionError::NothingPicked(batch.to_string()));
    }
    let mut rest = Vec::new();
    for t in takes.into_iter().filter(|t| !t.sidecar.pick) {
        if let Some(row) = db.library_row(t.id)? {
            rest.push(row);
        }
    }
    Ok(rest)
}

/// Moves the set's takes that are not picked to the system trash (each
/// with its sidecar, as Delete does); the picks stay. Returns their names.
pub fn clear_rest_of_set(db: &Db, data_dir: &Path, batch: &str) -> Result<Vec<String>, ActionError> {
    let mut gone = Vec::new();
    for r in rest_of_set(db, batch)? {
        super::actions::delete(db, data_dir, r.id)?;
        gone.push(r.sidecar.name.clone().unwrap_or(r.sidecar.prompt.clone()));
    }
    Ok(gone)
}
