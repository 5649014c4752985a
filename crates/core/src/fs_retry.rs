//! Renames that another program may briefly block. On Windows a file just
//! written is often opened at once by the search indexer, an antivirus scan
//! or OneDrive, without sharing delete access; renaming it meanwhile fails
//! with ERROR_ACCESS_DENIED (5) or ERROR_SHARING_VIOLATION (32) although a
//! moment later it works. Such a rename is tried again for about two
//! seconds; any other error, and every error on other systems, is final.

use std::future::Future;
use std::io;
use std::path::Path;
use std::time::Duration;

/// How many times a held file's rename is tried, and how long to wait
/// between tries: 10 tries over about 2 s.
pub const TRIES: u32 = 10;
pub const PAUSE: Duration = Duration::from_millis(200);

/// Windows' raw error codes for "another program has this file open".
fn windows_file_held(code: Option<i32>) -> bool {
    const ERROR_ACCESS_DENIED: i32 = 5;
    const ERROR_SHARING_VIOLATION: i32 = 32;
    matches!(code, Some(ERROR_ACCESS_DENIED | ERROR_SHARING_VIOLATION))
}

/// Is `e` another program holding the file for a moment? Only on Windows:
/// elsewhere 5 and 32 are EIO and EPIPE, which no wait fixes.
pub fn held_by_another_program(e: &io::Error) -> bool {
    cfg!(windows) && windows_file_held(e.raw_os_error())
}

/// `std::fs::rename(from, to)`, tried again while the file is held.
pub async fn rename(from: &Path, to: &Path) -> io::Result<()> {
    retry(|| std::fs::rename(from, to), held_by_another_program, TRIES, |d| tokio::time::sleep(d), PAUSE).await
}

/// Runs `op` up to `tries` times while it fails with an error `transient`
/// accepts, waiting `pause` (through `sleep`) between tries; returns the
/// first success or the last error.
pub async fn retry<S, F>(
    mut op: impl FnMut() -> io::Result<()>,
    transient: impl Fn(&io::Error) -> bool,
    tries: u32,
    sleep: S,
    pause: Duration,
) -> io::Result<()>
where
    S: Fn(Duration) -> F,
    F: Future<Output = ()>,
{
    let mut tried = 0;
    loop {
        tried += 1;
        match op() {
            Ok(()) => return Ok(()),
            Err(e) if tried < tries && transient(&e) => sleep(pause).await,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn held() -> io::Error {
        io::Error::from_raw_os_error(32)
    }

    /// The rule the retry follows, whatever OS the test runs on.
    fn windows_rule(e: &io::Error) -> bool {
        windows_file_held(e.raw_os_error())
    }

    #[tokio::test]
    async fn a_rename_held_for_a_moment_succeeds_once_released() {
        let calls = Cell::new(0);
        let waits = Cell::new(0);
        let op = || {
            calls.set(calls.get() + 1);
            if calls.get() <= 3 {
                Err(held())
            } else {
                Ok(())
            }
        };
        let sleep = |_: Duration| {
            waits.set(waits.get() + 1);
            async {}
        };
        retry(op, windows_rule, TRIES, sleep, PAUSE).await.unwrap();
        assert_eq!((calls.get(), waits.get()), (4, 3));
    }

    #[tokio::test]
    async fn a_file_held_for_good_gives_up_after_the_bound() {
        let calls = Cell::new(0);
        let op = || {
            calls.set(calls.get() + 1);
            Err(io::Error::from_raw_os_error(5))
        };
        let err = retry(op, windows_rule, TRIES, |_| async {}, PAUSE).await.unwrap_err();
        assert_eq!(calls.get(), TRIES);
        assert_eq!(err.raw_os_error(), Some(5));
    }

    #[tokio::test]
    async fn other_errors_are_final_at_once() {
        let calls = Cell::new(0);
        let op = || {
            calls.set(calls.get() + 1);
            Err(io::Error::new(io::ErrorKind::NotFound, "gone"))
        };
        retry(op, windows_rule, TRIES, |_| async {}, PAUSE).await.unwrap_err();
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn only_windows_treats_5_and_32_as_a_held_file() {
        assert!(windows_file_held(Some(5)) && windows_file_held(Some(32)));
        assert!(!windows_file_held(Some(2)) && !windows_file_held(None));
        // On Linux and macOS, 5 is EIO and 32 EPIPE: never waited out.
        assert_eq!(held_by_another_program(&held()), cfg!(windows));
    }

    /// The real rename, end to end: a free file moves on the first try.
    #[tokio::test]
    async fn renames_a_free_file() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("a.mp4.part"), dir.path().join("a.mp4"));
        std::fs::write(&from, b"video").unwrap();
        rename(&from, &to).await.unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), b"video");
        assert!(!from.exists());
    }
}
