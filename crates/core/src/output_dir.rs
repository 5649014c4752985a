//! Where finished videos go: one rule for the app's "Change" field and
//! `loova output-dir PATH`.
//!
//! A relative path is refused in both. The app has no meaningful current
//! folder (started from a desktop menu it is `/` or the home folder), and a
//! path that named one folder in a terminal and another in the app would put
//! videos where nobody looks. `~` and `~/…` mean the home folder in both: the
//! app's text field gets no shell to expand them.

use crate::store::{Db, StoreError};
use crate::ErrorCode;
use std::path::{Path, PathBuf};

/// Settings key of the output folder.
pub const OUTPUT_DIR_SETTING: &str = "output_dir";

/// Overrides the output folder setting (tests, portable use).
pub const OUTPUT_DIR_ENV: &str = "LOOVA_DESK_OUTPUT_DIR";

/// The output folder: `LOOVA_DESK_OUTPUT_DIR`, else the setting, else the OS
/// video folder (or home) + "Loova Desk".
pub fn output_root(db: &Db) -> PathBuf {
    if let Some(dir) = std::env::var_os(OUTPUT_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Ok(Some(dir)) = db.setting(OUTPUT_DIR_SETTING) {
        if !dir.trim().is_empty() {
            return PathBuf::from(dir.trim());
        }
    }
    dirs::video_dir().or_else(dirs::home_dir).unwrap_or_else(|| PathBuf::from(".")).join("Loova Desk")
}

#[derive(Debug, thiserror::Error)]
pub enum OutputDirError {
    #[error("Enter a full folder path, e.g. {}.", example())]
    Empty,
    #[error("\"{0}\" is a relative path, which would name a different folder in the app and in a terminal. Enter the full path (starting with {root}, or ~ for your home folder), e.g. {ex}.", root = std::path::MAIN_SEPARATOR, ex = example())]
    Relative(String),
    #[error("Cannot use {path}: {reason}. Choose a folder you can write to.")]
    Unusable { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OutputDirError {
    pub fn code(&self) -> ErrorCode {
        match self {
            OutputDirError::Store(_) => ErrorCode::Database,
            _ => ErrorCode::InvalidInput,
        }
    }

    /// Bad input (CLI exit code 2) rather than a failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, OutputDirError::Store(_))
    }

    /// The setting it concerns (the field the app marks).
    pub const FIELD: &'static str = "output_dir";
}

fn example() -> String {
    dirs::home_dir().unwrap_or_else(|| PathBuf::from(crate::platform::Os::current().example_home())).join("Videos").join("Loova Desk").display().to_string()
}

/// The folder `input` names: absolute, or under the home folder for `~`.
pub fn resolve(input: &str) -> Result<PathBuf, OutputDirError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(OutputDirError::Empty);
    }
    let home = || dirs::home_dir().ok_or_else(|| OutputDirError::Relative(input.to_string()));
    let path = if input == "~" {
        home()?
    } else if let Some(rest) = input.strip_prefix("~/").or_else(|| input.strip_prefix("~\\")) {
        home()?.join(rest)
    } else {
        PathBuf::from(input)
    };
    if !path.is_absolute() {
        return Err(OutputDirError::Relative(input.to_string()));
    }
    Ok(path)
}

/// Checks `input` with [`resolve`], creates the folder and saves it as the
/// output folder. Answers with the folder videos now go to.
pub fn set_output_dir(db: &Db, input: &str) -> Result<PathBuf, OutputDirError> {
    let path = resolve(input)?;
    create(&path)?;
    db.set_setting(OUTPUT_DIR_SETTING, &path.display().to_string())?;
    Ok(path)
}

fn create(path: &Path) -> Result<(), OutputDirError> {
    let unusable = |reason: String| OutputDirError::Unusable { path: path.display().to_string(), reason };
    std::fs::create_dir_all(path).map_err(|e| unusable(e.to_string()))?;
    if !path.is_dir() {
        return Err(unusable("it is not a folder".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_refused_with_what_to_type() {
        for given in ["renders", "./renders", "../x", "Videos/Loova"] {
            let e = resolve(given).unwrap_err();
            assert!(matches!(e, OutputDirError::Relative(_)), "{given}: {e}");
            assert!(e.to_string().contains("full path") && e.to_string().contains(given), "{e}");
            assert_eq!(e.code(), ErrorCode::InvalidInput);
        }
        assert!(matches!(resolve("  "), Err(OutputDirError::Empty)));
    }

    #[test]
    fn absolute_paths_and_the_home_folder_are_taken() {
        let abs = std::env::temp_dir().join("loova out");
        assert_eq!(resolve(&format!("  {}  ", abs.display())).unwrap(), abs);
        if let Some(home) = dirs::home_dir() {
            assert_eq!(resolve("~").unwrap(), home);
            assert_eq!(resolve("~/Videos/Loova Desk").unwrap(), home.join("Videos/Loova Desk"));
        }
    }

    #[test]
    fn set_creates_the_folder_and_saves_it() {
        let data = tempfile::tempdir().unwrap();
        let db = Db::open_in(data.path()).unwrap();
        let out = data.path().join("new").join("videos");
        assert_eq!(set_output_dir(&db, out.to_str().unwrap()).unwrap(), out);
        assert!(out.is_dir());
        assert_eq!(db.setting(OUTPUT_DIR_SETTING).unwrap().as_deref(), out.to_str());

        let file = data.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let e = set_output_dir(&db, file.to_str().unwrap()).unwrap_err();
        assert!(matches!(e, OutputDirError::Unusable { .. }), "{e}");
        assert_eq!(db.setting(OUTPUT_DIR_SETTING).unwrap().as_deref(), out.to_str(), "a refused folder changes nothing");
        assert!(matches!(set_output_dir(&db, "relative"), Err(OutputDirError::Relative(_))));
    }
}
