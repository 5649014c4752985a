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
        std::fs::create_dir_all(data_dir).map_err(|e| EngineError::Io(format!("could not create {}: {e}", data_dir.display())))?;
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| EngineError::Io(format!("could not open {}: {e}", path.display())))?;
        match file.try_lock_exclusive() {
            Ok(true) => Ok(EngineLock { _file: file }),
            Ok(false) => Err(EngineError::AlreadyRunning),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Err(EngineError::AlreadyRunning),
            Err(e) => Err(EngineError::Io(format!("could not lock {}: {e}", path.display()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
