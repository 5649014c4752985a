//! Poster frames, cached in the data folder (`posters/KEY.jpg|png`). The
//! webview decodes the video (it has the codecs; loova-core has none), draws
//! a frame at about 10 % to a canvas and hands the image here. The key is
//! the video's path hashed, so a rebuilt library finds its posters again and
//! a located (moved) video gets a fresh one.

use crate::store::{Db, StoreError};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A poster larger than this is not a poster (a 480 px JPEG is ~30 kB).
pub const MAX_BYTES: usize = 2 << 20;

const KINDS: [(&str, &str); 2] = [("jpg", "image/jpeg"), ("png", "image/png")];

pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("posters")
}

fn key(video_path: &str) -> String {
    Sha256::digest(video_path.as_bytes())[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// The cached poster of the video at `video_path`, and its MIME type.
pub fn file(data_dir: &Path, video_path: &str) -> Option<(PathBuf, &'static str)> {
    let key = key(video_path);
    KINDS.iter().map(|(ext, mime)| (folder(data_dir).join(format!("{key}.{ext}")), *mime)).find(|(p, _)| p.is_file())
}

/// When the poster was written (ms), if there is one: it versions its address.
pub fn cached(data_dir: &Path, video_path: &str) -> Option<u64> {
    let (p, _) = file(data_dir, video_path)?;
    let modified = std::fs::metadata(p).and_then(|m| m.modified()).ok()?;
    Some(modified.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64))
}

/// Why a poster was not kept.
#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    #[error("There is no video {0} in the library.")]
    NotFound(i64),
    #[error("The poster frame is not a JPEG or PNG image.")]
    NotAnImage,
    #[error("The poster frame is larger than {} MB.", MAX_BYTES >> 20)]
    TooLarge,
    #[error("Could not save the poster frame in {path}: {reason}")]
    Write { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PosterError {
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            PosterError::NotFound(_) => ErrorCode::VideoNotFound,
            PosterError::NotAnImage | PosterError::TooLarge => ErrorCode::InvalidInput,
            PosterError::Write { .. } => ErrorCode::Unavailable,
            PosterError::Store(e) => e.code(),
        }
    }
}

/// Keeps `image` (JPEG or PNG bytes) as the poster of library video `id`;
/// answers with its address.
pub fn save(db: &Db, data_dir: &Path, base: &str, id: i64, image: &[u8]) -> Result<String, PosterError> {
    if image.len() > MAX_BYTES {
        return Err(PosterError::TooLarge);
    }
    let ext = match infer::get(image).map(|k| k.mime_type()) {
        Some("image/jpeg") => "jpg",
        Some("image/png") => "png",
        _ => return Err(PosterError::NotAnImage),
    };
    let row = db.library_row(id)?.ok_or(PosterError::NotFound(id))?;
    let dir = folder(data_dir);
    let key = key(&row.path);
    let target = dir.join(format!("{key}.{ext}"));
    let fail = |e: std::io::Error| PosterError::Write { path: target.display().to_string(), reason: e.to_string() };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    // Written aside and renamed, so the protocol never serves half an image.
    let tmp = dir.join(format!(".{key}.{ext}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(fail)?;
    f.write_all(image).map_err(fail)?;
    drop(f);
    std::fs::rename(&tmp, &target).map_err(fail)?;
    for (other, _) in KINDS.iter().filter(|(e, _)| *e != ext) {
        let _ = std::fs::remove_file(dir.join(format!("{key}.{other}")));
    }
    Ok(super::query::poster_url(base, id, cached(data_dir, &row.path).unwrap_or(0)))
}

/// Forgets the poster of `video_path` (the video was deleted or moved).
pub fn forget(data_dir: &Path, video_path: &str) {
    while let Some((p, _)) = file(data_dir, video_path) {
        if std::fs::remove_file(p).is_err() {
            break;
        }
    }
}
