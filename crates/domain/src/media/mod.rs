//! What kinds of media a job takes and how large they may be: the kinds,
//! the formats that work, the size limits and why a file is refused.
//! Telling what a file *is* (reading its first bytes) and copying it are
//! loova-core's `media`, which re-exports these.

pub mod error;
pub mod reference_limits;

pub use error::MediaError;

use crate::job::JobSpec;
use serde::{Deserialize, Serialize};

/// The formats that work, as a person reads them.
pub const SUPPORTED: &str = "images: PNG, JPEG, WebP, GIF; videos: MP4, MOV, WebM; audio: MP3, WAV, M4A, OGG";

/// The names a file picker offers. Only a filter for the picker: whether a
/// file is usable is decided from its content (loova-core's `media::sniff`).
pub const PICKER_EXTENSIONS: [&str; 12] = ["png", "jpg", "jpeg", "webp", "gif", "mp4", "mov", "webm", "mp3", "wav", "m4a", "ogg"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }

    /// The JobSpec field that holds local files of this kind.
    pub fn files_field(self) -> &'static str {
        match self {
            MediaKind::Image => "image_files",
            MediaKind::Video => "video_files",
            MediaKind::Audio => "audio_files",
        }
    }
}

impl std::fmt::Display for MediaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sniffed {
    pub kind: MediaKind,
    /// "PNG", "MP4", …
    pub format: String,
    /// The content type sent with the upload.
    pub mime: String,
    /// Bytes.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size: u64,
}

/// Largest file accepted per kind, in bytes. Loova documents no limit; the
/// defaults are the same model's upstream limits (`reference_limits`):
/// images under 30 MB, reference videos 50 MB (upstream: all of them
/// together), audio 15 MB. A person may raise them (the setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MediaLimits {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub image_bytes: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub video_bytes: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub audio_bytes: u64,
}

/// A megabyte as the limits count it (MiB).
pub const MB: u64 = 1024 * 1024;

impl Default for MediaLimits {
    fn default() -> Self {
        use reference_limits::default_file_limit;
        MediaLimits {
            image_bytes: default_file_limit(MediaKind::Image),
            video_bytes: default_file_limit(MediaKind::Video),
            audio_bytes: default_file_limit(MediaKind::Audio),
        }
    }
}

impl MediaLimits {
    pub fn for_kind(&self, kind: MediaKind) -> u64 {
        match kind {
            MediaKind::Image => self.image_bytes,
            MediaKind::Video => self.video_bytes,
            MediaKind::Audio => self.audio_bytes,
        }
    }
}

/// Every local file of a spec, in the order sent: images, videos, audio.
pub fn local_files(spec: &JobSpec) -> Vec<(MediaKind, &str)> {
    let mut out = Vec::new();
    for (kind, list) in [(MediaKind::Image, &spec.image_files), (MediaKind::Video, &spec.video_files), (MediaKind::Audio, &spec.audio_files)] {
        out.extend(list.iter().map(|p| (kind, p.as_str())));
    }
    out
}
