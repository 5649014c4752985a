//! Which local paths the app's window may use. The window (a web page) never
//! names a file or folder itself: a path comes from the native file dialog,
//! opened by Rust, or from files dropped on the window, which Rust receives.
//! Each such path is registered here and the page gets an opaque handle for
//! it; commands take the handle and resolve it back. A script that somehow
//! ran in the page could then read, list or upload only what the person
//! picked or dropped, never `~/.ssh/id_ed25519`.

use crate::JobSpec;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A handle's prefix, so one is never taken for a path in a message.
const PREFIX: &str = "file-";

/// The registry (one per app run; handles die with it).
#[derive(Debug, Default)]
pub struct PathGrants {
    by_handle: Mutex<HashMap<String, PathBuf>>,
}

/// A granted path as the page sees it: the handle, and the file's name to
/// show (never the folders above it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Granted {
    pub handle: String,
    pub name: String,
}

/// A handle this run never gave out (or a path the window typed), and the
/// field it was in (`file`, or a job's `image_files`…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("This file is no longer open here (Loova Desk was restarted, or it was never chosen): choose it again with the picker or drop it on the window.")]
pub struct UnknownHandle {
    pub field: &'static str,
}

impl UnknownHandle {
    pub fn code(&self) -> crate::ErrorCode {
        crate::ErrorCode::InvalidInput
    }
}

impl PathGrants {
    /// Registers `path` (picked or dropped) and answers its handle. The same
    /// path keeps the same handle.
    pub fn grant(&self, path: &Path) -> Granted {
        let mut map = self.by_handle.lock().unwrap_or_else(|p| p.into_inner());
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        if let Some((handle, _)) = map.iter().find(|(_, p)| p.as_path() == path) {
            return Granted { handle: handle.clone(), name };
        }
        // 128 random bits: a handle cannot be guessed from another.
        let handle = format!("{PREFIX}{}", (0..16).map(|_| format!("{:02x}", rand::random::<u8>())).collect::<String>());
        map.insert(handle.clone(), path.to_path_buf());
        Granted { handle, name }
    }

    /// The path a handle stands for.
    pub fn resolve(&self, handle: &str) -> Result<PathBuf, UnknownHandle> {
        self.by_handle.lock().unwrap_or_else(|p| p.into_inner()).get(handle).cloned().ok_or(UnknownHandle { field: "file" })
    }

    /// A job's recipe for the window: its local files (paths Loova Desk
    /// stored when they were picked or dropped) as handles, so the
    /// Composer can send it again.
    pub fn handles_in(&self, mut spec: JobSpec) -> JobSpec {
        for (_, files) in file_lists(&mut spec) {
            for f in files.iter_mut() {
                *f = self.grant(Path::new(f.as_str())).handle;
            }
        }
        spec
    }

    /// A job from the window: each local file must be a handle given out
    /// in this run, and becomes its path; anything else (a typed path) is
    /// refused with the field it was in.
    pub fn paths_in(&self, mut spec: JobSpec) -> Result<JobSpec, UnknownHandle> {
        for (field, files) in file_lists(&mut spec) {
            for f in files.iter_mut() {
                let path = self.resolve(f).map_err(|_| UnknownHandle { field })?;
                *f = path.display().to_string();
            }
        }
        Ok(spec)
    }
}

fn file_lists(spec: &mut JobSpec) -> [(&'static str, &mut Vec<String>); 3] {
    [("image_files", &mut spec.image_files), ("video_files", &mut spec.video_files), ("audio_files", &mut spec.audio_files)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_granted_paths_resolve() {
        let grants = PathGrants::default();
        let picked = Path::new("/home/me/shots.csv");
        let g = grants.grant(picked);
        assert_eq!(g.name, "shots.csv", "the page sees the name, not the folders");
        assert!(g.handle.starts_with(PREFIX) && !g.handle.contains("home"), "{}", g.handle);
        assert_eq!(grants.resolve(&g.handle).unwrap(), picked);
        assert_eq!(grants.grant(picked).handle, g.handle, "one handle per path");
        assert_ne!(grants.grant(Path::new("/home/me/other.csv")).handle, g.handle);
        for named in ["/home/me/.ssh/id_ed25519", "/home/me/shots.csv", "file-00", ""] {
            assert_eq!(grants.resolve(named), Err(UnknownHandle { field: "file" }), "{named}");
        }
    }

    #[test]
    fn a_job_from_the_window_names_files_only_by_handle() {
        let grants = PathGrants::default();
        let clip = grants.grant(Path::new("/home/me/clip.mp4"));
        let spec = JobSpec { video_files: vec![clip.handle.clone()], ..JobSpec::default() };
        assert_eq!(grants.paths_in(spec).unwrap().video_files, ["/home/me/clip.mp4"]);
        let typed = JobSpec { image_files: vec!["/home/me/.ssh/id_ed25519".into()], ..JobSpec::default() };
        assert_eq!(grants.paths_in(typed), Err(UnknownHandle { field: "image_files" }));
        // A stored job's files go back to the window as handles.
        let stored = JobSpec { audio_files: vec!["/home/me/song.mp3".into()], ..JobSpec::default() };
        let shown = grants.handles_in(stored);
        assert!(shown.audio_files[0].starts_with(PREFIX), "{:?}", shown.audio_files);
        assert_eq!(grants.paths_in(shown).unwrap().audio_files, ["/home/me/song.mp3"]);
    }
}
