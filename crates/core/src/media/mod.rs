//! Local media used as references: what a file is (from its content, never
//! its name), whether it is small enough to upload, and the copies a queued
//! job keeps in `<data dir>/media/<job id>/` so that editing or moving the
//! original does not change what the job sends. The kinds, the limits and
//! the refusals are loova-domain's (`loova_domain::media`, re-exported here).

pub mod duration;
pub mod reference_limits;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub(crate) use loova_domain::media::MB;
pub use loova_domain::media::{error, local_files, MediaError, MediaKind, MediaLimits, Sniffed, SUPPORTED};

/// Folder of the data directory that holds the copies of queued jobs' files.
pub const MEDIA_DIR: &str = "media";

/// The setting (JSON, e.g. `{"image_mb":30,"video_mb":50,"audio_mb":15}`)
/// that changes the size limits.
pub const LIMITS_SETTING: &str = "media_limits";

/// The limits a person set: loova-domain's `MediaLimits` knows no database,
/// so reading the setting is this trait's (in scope, `MediaLimits::from_db`
/// reads as before).
pub trait MediaLimitsFromDb {
    /// The limits set in the [`LIMITS_SETTING`] setting (megabytes per kind;
    /// a missing or unreadable value keeps the default).
    fn from_db(db: &crate::store::Db) -> MediaLimits;
}

impl MediaLimitsFromDb for MediaLimits {
    fn from_db(db: &crate::store::Db) -> MediaLimits {
        #[derive(Deserialize, Default)]
        struct Mb {
            image_mb: Option<u64>,
            video_mb: Option<u64>,
            audio_mb: Option<u64>,
        }
        let d = MediaLimits::default();
        let Ok(Some(raw)) = db.setting(LIMITS_SETTING) else { return d };
        let mb: Mb = serde_json::from_str(&raw).unwrap_or_default();
        MediaLimits {
            image_bytes: mb.image_mb.map_or(d.image_bytes, |m| m * MB),
            video_bytes: mb.video_mb.map_or(d.video_bytes, |m| m * MB),
            audio_bytes: mb.audio_mb.map_or(d.audio_bytes, |m| m * MB),
        }
    }
}

/// How much of a file's start is read to tell what it is (`infer` looks for
/// a WebM's doctype within its first 256 bytes).
const SNIFF_LEN: u64 = 4096;

/// Kind, format and content type from the first bytes of a file.
pub fn sniff_bytes(b: &[u8]) -> Option<(MediaKind, &'static str, &'static str)> {
    use MediaKind::*;
    match infer::get(b).map(|t| t.mime_type()) {
        Some("image/png") => Some((Image, "PNG", "image/png")),
        Some("image/jpeg") => Some((Image, "JPEG", "image/jpeg")),
        Some("image/gif") => Some((Image, "GIF", "image/gif")),
        Some("image/webp") => Some((Image, "WebP", "image/webp")),
        Some("video/mp4" | "video/x-m4v") => Some((Video, "MP4", "video/mp4")),
        Some("video/quicktime") => Some((Video, "MOV", "video/quicktime")),
        Some("video/webm") => Some((Video, "WebM", "video/webm")),
        Some("audio/mpeg") => Some((Audio, "MP3", "audio/mpeg")),
        Some("audio/x-wav") => Some((Audio, "WAV", "audio/wav")),
        Some("audio/m4a") => Some((Audio, "M4A", "audio/mp4")),
        Some("audio/ogg" | "audio/opus") => Some((Audio, "OGG", "audio/ogg")),
        // Something else `infer` knows (Matroska, HEIF, AAC, …): not a format that works.
        Some(_) => None,
        None => iso_media(b).or_else(|| mpeg_audio_frame(b)),
    }
}

/// `infer` knows only some ISO media brands (`isom`, `mp42`, `qt  `, …);
/// any other file that opens with an `ftyp` box (3GP, newer brands) is the
/// same container, which the demuxers read, so it counts as MP4 (the `M4B`
/// and `M4P` audio brands as M4A).
fn iso_media(b: &[u8]) -> Option<(MediaKind, &'static str, &'static str)> {
    if b.get(4..8) != Some(b"ftyp") {
        return None;
    }
    Some(match b.get(8..12)? {
        b"qt  " => (MediaKind::Video, "MOV", "video/quicktime"),
        b"M4A " | b"M4B " | b"M4P " => (MediaKind::Audio, "M4A", "audio/mp4"),
        _ => (MediaKind::Video, "MP4", "video/mp4"),
    })
}

/// An MP3 without an ID3 tag starts with a frame header, of which `infer`
/// knows only `FF FB`, `FF F3` and `FF F2` (MPEG-1/2 Layer III), not MPEG-2.5
/// (8–12 kHz, `FF E3`) or the CRC-protected forms. A frame: 11 sync bits, a
/// version other than "reserved", layer I–III (not 00, which is AAC ADTS),
/// a valid bit-rate index.
fn mpeg_audio_frame(b: &[u8]) -> Option<(MediaKind, &'static str, &'static str)> {
    let frame = b.len() >= 3 && b[0] == 0xff && b[1] & 0xe0 == 0xe0 && (b[1] >> 3) & 3 != 1 && (b[1] >> 1) & 3 != 0 && b[2] >> 4 != 0xf;
    frame.then_some((MediaKind::Audio, "MP3", "audio/mpeg"))
}

/// What the file at `path` is, from its content, and its size.
pub fn sniff(path: &Path) -> Result<Sniffed, MediaError> {
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| MediaError::Unreadable { path: shown.clone(), reason: e.to_string() };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(MediaError::Unreadable { path: shown, reason: "it is not a file".into() });
    }
    let mut head = Vec::with_capacity(SNIFF_LEN as usize);
    std::fs::File::open(path).map_err(unreadable)?.take(SNIFF_LEN).read_to_end(&mut head).map_err(unreadable)?;
    let (kind, format, mime) = sniff_bytes(&head).ok_or(MediaError::Unsupported { path: shown })?;
    Ok(Sniffed { kind, format: format.into(), mime: mime.into(), size: meta.len() })
}

/// Sniffs `path` and checks it is of the `expected` kind and within the limit.
pub fn check(path: &Path, expected: MediaKind, limits: &MediaLimits) -> Result<Sniffed, MediaError> {
    let s = sniff(path)?;
    let shown = path.display().to_string();
    if s.kind != expected {
        return Err(MediaError::WrongKind { path: shown, expected, found: s.kind, format: s.format });
    }
    let limit = limits.for_kind(s.kind);
    if s.size > limit {
        return Err(MediaError::TooLarge { path: shown, kind: s.kind, size: s.size, limit });
    }
    Ok(s)
}

/// Checks every local file of a spec (readable, supported, right kind, small
/// enough). All problems, not just the first.
pub fn check_spec(spec: &crate::JobSpec, limits: &MediaLimits) -> Vec<MediaError> {
    local_files(spec).into_iter().filter_map(|(k, p)| check(Path::new(p), k, limits).err()).collect()
}

/// The folder of one job's copies.
pub fn job_dir(data_dir: &Path, job_id: i64) -> PathBuf {
    data_dir.join(MEDIA_DIR).join(job_id.to_string())
}

/// Copies (hard-links where possible) every local file of `spec` into
/// `job_dir(data_dir, job_id)` and returns the spec pointing at the copies.
/// Copies are named `image1-<name>`, `video1-<name>`, … in the order sent.
pub fn copy_into(data_dir: &Path, job_id: i64, spec: &crate::JobSpec) -> Result<crate::JobSpec, MediaError> {
    copy_to(&job_dir(data_dir, job_id), spec)
}

/// The copies for an edited queued job: in a new sub-folder of its copy
/// folder, so its current copies (which the Composer sends back when a file
/// is kept) are read, never overwritten, and stay until the edit commits.
pub fn copy_for_edit(data_dir: &Path, job_id: i64, spec: &crate::JobSpec) -> Result<crate::JobSpec, MediaError> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    copy_to(&job_dir(data_dir, job_id).join(format!("edit-{stamp}")), spec)
}

/// Removes every file of the job's copy folder that `spec` no longer names
/// (after an edit committed, or when an edit did not).
pub fn prune_copies(data_dir: &Path, job_id: i64, spec: &crate::JobSpec) {
    let keep: std::collections::HashSet<PathBuf> = local_files(spec).into_iter().map(|(_, p)| PathBuf::from(p)).collect();
    fn walk(dir: &Path, keep: &std::collections::HashSet<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&path, keep);
                // Only an empty folder goes.
                let _ = std::fs::remove_dir(&path);
            } else if !keep.contains(&path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    walk(&job_dir(data_dir, job_id), &keep);
}

fn copy_to(dir: &Path, spec: &crate::JobSpec) -> Result<crate::JobSpec, MediaError> {
    let dir = dir.to_path_buf();
    let mut out = spec.clone();
    let lists = [(MediaKind::Image, &mut out.image_files), (MediaKind::Video, &mut out.video_files), (MediaKind::Audio, &mut out.audio_files)];
    let mut made_dir = false;
    for (kind, list) in lists {
        for (i, p) in list.iter_mut().enumerate() {
            let src = PathBuf::from(&*p);
            let fail = |e: std::io::Error| MediaError::Copy { path: src.display().to_string(), reason: e.to_string() };
            if !made_dir {
                std::fs::create_dir_all(&dir).map_err(fail)?;
                made_dir = true;
            }
            let name = src.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
            let dst = dir.join(format!("{}{}-{name}", kind.as_str(), i + 1));
            let _ = std::fs::remove_file(&dst);
            // A hard link shares its bytes with the original, so a program
            // that rewrites the original in place would change the job too.
            // Small files are therefore copied; large ones (see LINK_ABOVE)
            // are linked when the file system allows, to save time and space.
            let linked = std::fs::metadata(&src).map(|m| m.len() >= LINK_ABOVE).unwrap_or(false) && std::fs::hard_link(&src, &dst).is_ok();
            if !linked {
                std::fs::copy(&src, &dst).map_err(fail)?;
            }
            *p = dst.display().to_string();
        }
    }
    Ok(out)
}

/// Files at least this large are hard-linked (when the data folder is on the
/// same file system) instead of copied.
pub const LINK_ABOVE: u64 = 64 * MB;

/// Removes a job's copies (no error when there are none).
pub fn remove_copies(data_dir: &Path, job_id: i64) {
    let _ = std::fs::remove_dir_all(job_dir(data_dir, job_id));
}

/// Removes the copy folders no job needs any more: left behind when Loova
/// Desk stopped between a job ending and its copies going, or by a queueing
/// that never committed. Folders younger than `grace` are left alone: another
/// process may be queueing that job right now. Returns how many went.
pub fn sweep(data_dir: &Path, grace: std::time::Duration, needed: impl Fn(i64) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(data_dir.join(MEDIA_DIR)) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let Some(id) = entry.file_name().to_str().and_then(|n| n.parse::<i64>().ok()) else { continue };
        let young = entry.metadata().and_then(|m| m.modified()).map_or(true, |t| t.elapsed().map_or(true, |age| age < grace));
        if !young && !needed(id) && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Makes a folder look `age` old.
    fn age(dir: &Path, age: std::time::Duration) {
        open_folder_to_set_times(dir).set_modified(std::time::SystemTime::now() - age).unwrap();
    }

    #[cfg(not(windows))]
    fn open_folder_to_set_times(dir: &Path) -> std::fs::File {
        std::fs::File::open(dir).unwrap()
    }

    /// Windows opens a folder only with FILE_FLAG_BACKUP_SEMANTICS, and
    /// setting its times needs FILE_WRITE_ATTRIBUTES access.
    #[cfg(windows)]
    fn open_folder_to_set_times(dir: &Path) -> std::fs::File {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_WRITE_ATTRIBUTES: u32 = 0x0100;
        const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
        std::fs::OpenOptions::new().access_mode(FILE_WRITE_ATTRIBUTES).custom_flags(FILE_FLAG_BACKUP_SEMANTICS).open(dir).unwrap()
    }

    #[test]
    fn sweep_removes_only_old_folders_no_job_needs() {
        let data = tempfile::tempdir().unwrap();
        for id in ["1", "2", "3", "notes"] {
            let dir = data.path().join(MEDIA_DIR).join(id);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("image1-a.png"), b"x").unwrap();
        }
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(sweep(data.path(), hour, |id| id == 2), 0, "all are young");
        for id in ["1", "2", "notes"] {
            age(&data.path().join(MEDIA_DIR).join(id), 2 * hour);
        }
        assert_eq!(sweep(data.path(), hour, |id| id == 2), 1);
        let left: std::collections::BTreeSet<String> =
            std::fs::read_dir(data.path().join(MEDIA_DIR)).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(left, ["2", "3", "notes"].map(String::from).into(), "needed, young, and not ours");
        assert_eq!(sweep(&data.path().join("missing"), hour, |_| false), 0);
    }

    #[test]
    fn magic_bytes() {
        // A whole 32-byte `ftyp` box with this major brand.
        let ftyp = |brand: &[u8]| {
            let mut v = vec![0, 0, 0, 0x20];
            v.extend_from_slice(b"ftyp");
            v.extend_from_slice(brand);
            v.resize(0x20, 0);
            sniff_bytes(&v).map(|(k, f, _)| (k, f))
        };
        assert_eq!(ftyp(b"isom"), Some((MediaKind::Video, "MP4")));
        assert_eq!(ftyp(b"qt  "), Some((MediaKind::Video, "MOV")));
        assert_eq!(ftyp(b"M4A "), Some((MediaKind::Audio, "M4A")));
        assert_eq!(ftyp(b"M4B "), Some((MediaKind::Audio, "M4A")));
        assert_eq!(ftyp(b"3gp5"), Some((MediaKind::Video, "MP4")), "a brand infer does not list");
        assert_eq!(ftyp(b"heic"), None, "an HEIF image is not a video");
        assert_eq!(sniff_bytes(b"\xff\xfb\x90\x00").map(|x| x.1), Some("MP3"));
        assert_eq!(sniff_bytes(b"\xff\xe3\x48\xc4").map(|x| x.1), Some("MP3"), "MPEG-2.5, which infer does not know");
        assert_eq!(sniff_bytes(b"\xff\xf1\x50\x80"), None, "AAC ADTS is not MP3");
        assert_eq!(sniff_bytes(b"hello world"), None);
        assert_eq!(sniff_bytes(b""), None);
        assert_eq!(sniff_bytes(b"\x1a\x45\xdf\xa3\x01\x00matroska"), None);
    }

    #[test]
    fn messages_name_the_file_and_the_limit() {
        let e = MediaError::TooLarge { path: "/x/big.mp4".into(), kind: MediaKind::Video, size: 300 * MB, limit: 200 * MB };
        let s = e.to_string();
        assert!(s.contains("/x/big.mp4") && s.contains("300.0 MB") && s.contains("200.0 MB") && s.contains("video"), "{s}");
        let s = MediaError::Unsupported { path: "a.txt".into() }.to_string();
        assert!(s.contains("PNG") && s.contains("WebM") && s.contains("OGG"), "{s}");
    }
}
