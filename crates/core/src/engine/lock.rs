//! One engine per data directory: an OS advisory lock on `<data>/engine.lock`.
//! The OS releases it when the process exits, however it exits (a crash or
//! SIGKILL included), so a stale lock can never block the queue.

use super::EngineError;
use fs4::fs_std::FileExt;
use std::fs::{File, OpenOptions};
use std::path::Path;

pub const LOCK_FILE: &str = "engine.lock";

/// Held while the engine runs; dropping it releases the lock.
#[derive(Debug)]
pub struct EngineLock {
    _file: File,
}

impl EngineLock {
    pub fn acquire(data_dir: &Path) -> Result<EngineLock, EngineError> {
        let path = data_dir.join(LOCK_FILE);
        // Only "another process holds it" is AlreadyRunning; every other
        // failure is this computer's and says which path and why.
        let failed = |what: &'static str, e: std::io::Error| EngineError::Lock { path: path.clone(), what, reason: e.to_string() };
        std::fs::create_dir_all(data_dir).map_err(|e| failed("created (its folder cannot be made)", e))?;
        let file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).map_err(|e| failed("opened for writing", e))?;
        match file.try_lock_exclusive() {
            Ok(true) => Ok(EngineLock { _file: file }),
            Ok(false) => Err(EngineError::AlreadyRunning),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Err(EngineError::AlreadyRunning),
            Err(e) => Err(failed("locked", e)),
        }
    }
}

/// What the window says when it could not take the queue: only a lock held
/// by another process means `loova run` is running it (the window follows
/// and takes over when it stops); anything else is this computer's problem
/// and is said as it is. (The shell used to say "`loova run` is running" for
/// every error, a read-only folder and a full disk included.)
pub fn status_when_not_running(err: &EngineError) -> String {
    match err {
        EngineError::AlreadyRunning => {
            "`loova run` is running this queue in a terminal; this window shows its progress and takes over when it stops.".to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_lock_held_elsewhere_is_reported_as_loova_run() {
        let dir = tempfile::tempdir().unwrap();
        let _held = EngineLock::acquire(dir.path()).unwrap();
        let elsewhere = EngineLock::acquire(dir.path()).unwrap_err();
        assert!(status_when_not_running(&elsewhere).contains("`loova run` is running this queue"));

        let afile = dir.path().join("afile");
        std::fs::write(&afile, b"not a folder").unwrap();
        let io = EngineLock::acquire(&afile.join("data")).unwrap_err();
        let said = status_when_not_running(&io);
        assert!(!said.contains("loova run"), "{said}");
        assert!(said.contains("could not be created") && said.contains(&afile.display().to_string()), "{said}");
    }

    #[test]
    fn second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = EngineLock::acquire(dir.path()).unwrap();
        let err = EngineLock::acquire(dir.path()).unwrap_err();
        assert!(matches!(err, EngineError::AlreadyRunning));
        assert!(err.to_string().contains("already running the queue"));
        drop(first);
        EngineLock::acquire(dir.path()).unwrap();
    }

    // Tests run as root, where permissions stop nothing: these paths fail for
    // root too (a file where a folder must be, a folder where the file must be).
    #[test]
    fn a_data_folder_that_cannot_be_made_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let afile = dir.path().join("afile");
        std::fs::write(&afile, b"not a folder").unwrap();
        let err = EngineLock::acquire(&afile.join("data")).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::EngineLockFailed, "{err}");
        let text = err.to_string();
        assert!(text.contains(&afile.join("data").join(LOCK_FILE).display().to_string()), "{text}");
        assert!(!text.contains("already running"), "{text}");
    }

    #[test]
    fn a_lock_file_that_cannot_be_opened_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(LOCK_FILE)).unwrap();
        let err = EngineLock::acquire(dir.path()).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::EngineLockFailed, "{err}");
        assert!(err.to_string().contains("could not be opened for writing"), "{err}");
    }
}
