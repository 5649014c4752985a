//! "Rebuild library from folder": every `*.mp4.json` under a folder whose
//! video is beside it goes into the library table. Entries are keyed by the
//! video's path, so rebuilding twice gives the same library.

use super::sidecar::Sidecar;
use crate::store::{Db, StoreError};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a rebuild did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RebuildReport {
    pub folder: String,
    /// Videos found with a readable sidecar (added or refreshed).
    pub videos: usize,
    /// Sidecars that were not used, and why.
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Sidecars under `dir`, depth first, in name order (a stable library id order).
fn sidecars(dir: &Path, out: &mut Vec<PathBuf>, skipped: &mut Vec<Skipped>) {
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).collect(),
        Err(e) => {
            skipped.push(Skipped { path: dir.display().to_string(), reason: format!("the folder could not be read: {e}") });
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        // Symbolic links are not followed: a link loop would never end.
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            sidecars(&path, out, skipped);
        } else if kind.is_file() && path.to_string_lossy().to_ascii_lowercase().ends_with(".mp4.json") {
            out.push(path);
        }
    }
}

/// Reads the sidecars under `folder` into the library. A video that is a
/// link is skipped (its target may be anywhere), and every video kept must
/// resolve (`..`, links) to a place inside the resolved folder, so a
/// rebuilt row never names a file outside the folder that was read. Paths
/// are kept as found under `folder`, the way the engine records them, so a
/// rebuild gives the same rows on systems where the temporary or home
/// folder is itself behind a link (macOS's /var).
pub fn rebuild(db: &Db, folder: &Path) -> Result<RebuildReport, StoreError> {
    let mut report = RebuildReport { folder: folder.display().to_string(), ..Default::default() };
    let resolved = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
    let mut found = Vec::new();
    sidecars(folder, &mut found, &mut report.skipped);
    for json in found {
        let text = json.to_string_lossy();
        let video = PathBuf::from(&text[..text.len() - ".json".len()]);
        match video.symlink_metadata() {
            Ok(m) if m.file_type().is_file() => {}
            Ok(m) if m.file_type().is_symlink() => {
                report.skipped.push(Skipped { path: json.display().to_string(), reason: "its video is a link to another place, not a file".into() });
                continue;
            }
            _ => {
                report.skipped.push(Skipped { path: json.display().to_string(), reason: "its video is not beside it".into() });
                continue;
            }
        }
        if !video.canonicalize().is_ok_and(|v| v.starts_with(&resolved)) {
            report.skipped.push(Skipped { path: json.display().to_string(), reason: "its video resolves to a place outside this folder".into() });
            continue;
        }
        match Sidecar::read(&json) {
            Ok(sidecar) => {
                db.upsert_library(&video.display().to_string(), &sidecar)?;
                report.videos += 1;
            }
            Err(reason) => report.skipped.push(Skipped { path: json.display().to_string(), reason }),
        }
    }
    Ok(report)
}
