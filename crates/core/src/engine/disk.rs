//! When saving a video fails on this computer, not on the network: the disk
//! holding the output folder is full, or the folder cannot be written
//! (permissions, a read-only disk, a file where a folder should be). The
//! job stays `succeeded` (Loova made the video and charged for it) with a
//! sentence that says what to do, and the download is retried with backoff
//! until the person has made room or fixed the folder.

use crate::ErrorCode;
use std::io;
use std::path::Path;

/// Why a local write failed, with the sentence the job shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiskFault {
    pub code: ErrorCode,
    pub text: String,
}

/// What the failed operation was doing: creating the folder or a file in it
/// (a refusal there means the folder cannot be written), or writing bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Create,
    Write,
}

/// The fault for `e`, met while saving into `dir`.
pub(crate) fn fault(dir: &Path, op: Op, e: &io::Error) -> DiskFault {
    let shown = dir.display();
    if is_full(e) {
        return DiskFault {
            code: ErrorCode::DiskFull,
            text: format!(
                "The disk holding {shown} is full, so the video cannot be saved. Free some space there (or choose another output folder in Settings); Loova Desk tries again by itself. The task is done on Loova and already paid for."
            ),
        };
    }
    if is_not_writable(e) || op == Op::Create {
        return DiskFault {
            code: ErrorCode::OutputFolderNotWritable,
            text: format!(
                "The folder {shown} cannot be written: {e}. Check its permissions (or choose another output folder in Settings); Loova Desk tries again by itself. The task is done on Loova and already paid for."
            ),
        };
    }
    DiskFault { code: ErrorCode::DownloadFailed, text: format!("Saving the video in {shown} failed ({e}); trying again.") }
}

/// The fault when the disk has less room than the video needs, found
/// before a byte is written (`available` and `needed` in bytes).
pub(crate) fn too_little_room(dir: &Path, available: u64, needed: u64) -> Option<DiskFault> {
    (available < needed).then(|| fault(dir, Op::Write, &io::Error::from_raw_os_error(os::FULL[0])))
}

// Raw OS codes rather than `io::ErrorKind::StorageFull` and friends: those
// kinds need Rust 1.83 and the workspace promises 1.80.
#[cfg(unix)]
mod os {
    /// ENOSPC, EDQUOT (Linux 122, BSD/macOS 69).
    pub const FULL: &[i32] = &[28, if cfg!(target_os = "linux") { 122 } else { 69 }];
    /// EACCES, EPERM, EROFS, ENOTDIR.
    pub const NOT_WRITABLE: &[i32] = &[13, 1, 30, 20];
}

#[cfg(windows)]
mod os {
    /// ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL.
    pub const FULL: &[i32] = &[112, 39];
    /// ERROR_ACCESS_DENIED, ERROR_WRITE_PROTECT.
    pub const NOT_WRITABLE: &[i32] = &[5, 19];
}

#[cfg(not(any(unix, windows)))]
mod os {
    pub const FULL: &[i32] = &[28];
    pub const NOT_WRITABLE: &[i32] = &[13];
}

fn is_full(e: &io::Error) -> bool {
    e.raw_os_error().is_some_and(|c| os::FULL.contains(&c))
}

fn is_not_writable(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error().is_some_and(|c| os::NOT_WRITABLE.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_unwritable_are_told_apart_from_other_failures() {
        let dir = Path::new("/videos/Studio");
        let full = fault(dir, Op::Write, &io::Error::from_raw_os_error(os::FULL[0]));
        assert_eq!(full.code, ErrorCode::DiskFull);
        assert!(full.text.starts_with("The disk holding /videos/Studio is full"), "{}", full.text);
        let denied = fault(dir, Op::Write, &io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(denied.code, ErrorCode::OutputFolderNotWritable);
        assert!(denied.text.starts_with("The folder /videos/Studio cannot be written: "), "{}", denied.text);
        assert!(denied.text.contains("Check its permissions"), "{}", denied.text);
        // Any refusal to create the folder or a file in it is the folder's.
        assert_eq!(fault(dir, Op::Create, &io::Error::from(io::ErrorKind::AlreadyExists)).code, ErrorCode::OutputFolderNotWritable);
        assert_eq!(fault(dir, Op::Write, &io::Error::other("cable pulled")).code, ErrorCode::DownloadFailed);
        assert_eq!(too_little_room(dir, 10, 11).map(|f| f.code), Some(ErrorCode::DiskFull));
        assert_eq!(too_little_room(dir, 11, 11), None);
    }
}
