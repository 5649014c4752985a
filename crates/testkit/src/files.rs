//! Directory walks for the checks every suite makes on a data or output
//! folder: no partial download is left, and a secret is in no file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Every file under `dir` (recursively), sorted. A missing `dir` has none.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(entries) => entries,
            // Gone while we looked (a temp folder of the app): nothing in it.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => panic!("cannot list {}: {e}", d.display()),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every `*.part` file under `dir`: a download that was never finished.
pub fn part_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir).into_iter().filter(|p| p.extension().is_some_and(|x| x == "part")).collect()
}

/// Every file under `dir` whose bytes contain `needle` (a key, say). A file
/// that cannot be read fails the test rather than being skipped, so a leak
/// is never missed; one that vanished meanwhile held nothing.
pub fn files_containing(dir: &Path, needle: impl AsRef<[u8]>) -> Vec<PathBuf> {
    let needle = needle.as_ref();
    assert!(!needle.is_empty(), "files_containing: an empty needle is in every file");
    files_under(dir)
        .into_iter()
        .filter(|path| match std::fs::read(path) {
            Ok(bytes) => bytes.windows(needle.len()).any(|w| w == needle),
            Err(e) if e.kind() == ErrorKind::NotFound => false,
            Err(e) => panic!("cannot read {} to look for a secret: {e}", path.display()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_nested_folders_and_finds_parts_and_secrets() {
        let dir = crate::data_dir();
        let nested = dir.path().join("videos/Studio");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.path().join("db.sqlite"), b"hint 8f60").unwrap();
        std::fs::write(nested.join("a.mp4"), b"video").unwrap();
        std::fs::write(nested.join("b.mp4.part"), b"sk-live-secret-8f60").unwrap();
        assert_eq!(files_under(dir.path()).len(), 3);
        assert_eq!(part_files(dir.path()), [nested.join("b.mp4.part")]);
        assert_eq!(files_containing(dir.path(), "sk-live-secret"), [nested.join("b.mp4.part")]);
        assert_eq!(files_containing(dir.path(), b"8f60").len(), 2);
        assert!(files_under(&dir.path().join("missing")).is_empty());
    }
}
