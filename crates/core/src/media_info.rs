//! What the Composer shows of a local file before it joins a job: its real
//! kind (read from the content), format, size, play length, a thumbnail for
//! small images, or why it cannot be used.

use crate::media::{self, MediaKind, MediaLimits};
use base64::Engine as _;
use serde::Serialize;
use std::path::Path;

/// Images up to this size get a thumbnail (a data URL: the app's page may
/// not read files itself).
pub const THUMBNAIL_MAX: u64 = 4 * 1024 * 1024;

/// The names a file picker offers (a rule of loova-domain's `media`).
pub use loova_domain::media::PICKER_EXTENSIONS;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MediaInfo {
    pub path: String,
    pub name: String,
    pub kind: Option<MediaKind>,
    pub format: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size_bytes: u64,
    /// How long a video or audio file plays, when its header says.
    pub duration_secs: Option<f64>,
    pub thumbnail: Option<String>,
    /// Why the file cannot be used, and what works instead.
    pub error: Option<String>,
}

/// A file that cannot be used, with why.
pub fn refused(path: &str, reason: &str) -> MediaInfo {
    MediaInfo { error: Some(reason.to_string()), ..unknown(path) }
}

fn unknown(path: &str) -> MediaInfo {
    let p = Path::new(path);
    let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.to_string());
    let size_bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    MediaInfo { path: path.into(), name, kind: None, format: None, size_bytes, duration_secs: None, thumbnail: None, error: None }
}

pub fn inspect(path: &str, limits: &MediaLimits) -> MediaInfo {
    let p = Path::new(path);
    let base = unknown(path);
    match media::sniff(p).and_then(|s| media::check(p, s.kind, limits)) {
        Err(e) => MediaInfo { error: Some(e.to_string()), ..base },
        Ok(s) => {
            let thumbnail = (s.kind == MediaKind::Image && s.size <= THUMBNAIL_MAX)
                .then(|| std::fs::read(p).ok())
                .flatten()
                .map(|bytes| format!("data:{};base64,{}", s.mime, base64::engine::general_purpose::STANDARD.encode(bytes)));
            let duration_secs = (s.kind != MediaKind::Image).then(|| crate::media_duration::duration_secs(p)).flatten();
            MediaInfo { kind: Some(s.kind), format: Some(s.format), size_bytes: s.size, duration_secs, thumbnail, ..base }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_1X1: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\nIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";

    #[test]
    fn an_image_gets_its_kind_from_content_and_a_thumbnail() {
        let dir = tempfile::tempdir().unwrap();
        // Named .txt on purpose: the content decides.
        let path = dir.path().join("dot.txt");
        std::fs::write(&path, PNG_1X1).unwrap();
        let info = inspect(path.to_str().unwrap(), &MediaLimits::default());
        assert_eq!(info.error, None);
        assert_eq!((info.kind, info.format.as_deref(), info.size_bytes), (Some(MediaKind::Image), Some("PNG"), PNG_1X1.len() as u64));
        assert!(info.thumbnail.unwrap().starts_with("data:image/png;base64,"));
        assert_eq!(info.name, "dot.txt");
    }

    #[test]
    fn an_unusable_file_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.png");
        std::fs::write(&text, b"just words").unwrap();
        let missing = dir.path().join("gone.mp4");
        let infos: Vec<MediaInfo> = [&text, &missing].iter().map(|p| inspect(&p.display().to_string(), &MediaLimits::default())).collect();
        assert_eq!(infos.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["notes.png", "gone.mp4"]);
        assert!(infos.iter().all(|i| i.kind.is_none() && i.error.is_some()));
        assert!(infos[0].error.as_ref().unwrap().contains("not a supported media file"), "{:?}", infos[0].error);
    }
}
