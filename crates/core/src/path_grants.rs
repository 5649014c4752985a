//! Which local paths the app's window may use. The window (a web page) never
//! names a file or folder itself: a path comes from the native file dialog,
//! opened by Rust, or from files dropped on the window, which Rust receives.
//! Each such path is registered here and the page gets an opaque handle for
//! it; commands take the handle and resolve it back. A script that somehow
//! ran in the page could then read, list or upload only what the person
//! picked or dropped, never `~/.ssh/id_ed25519`.

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("This file is no longer open here (Loova Desk was restarted, or it was never chosen): choose it again with the picker or drop it on the window.")]
pub struct UnknownHandle;

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
        self.by_handle.lock().unwrap_or_else(|p| p.into_inner()).get(handle).cloned().ok_or(UnknownHandle)
    }
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
            assert_eq!(grants.resolve(named), Err(UnknownHandle), "{named}");
        }
    }
}
