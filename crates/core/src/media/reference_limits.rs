//! Limits of Seedance 2.0's references that Loova's page leaves out. The
//! same model's upstream provider pages cap all references together at 12
//! (Loova's own maxima, 9 images + 3 videos + 3 audio, add up to 15),
//! reference videos to 2–15 s and under 50 MB in total, audio to 15 s and
//! 15 MB each, images under 30 MB. Loova says nothing either way, so these
//! are warnings in the preview, with their source named, never refusals:
//! Loova may well accept what its upstream would not.

use crate::job::JobSpec;
use crate::media::{MediaKind, MB};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Where these limits come from (shown with every warning).
pub const SOURCE: &str = "Seedance 2.0's upstream provider pages (read 2026-12-07); Loova's documentation states no such limit";

pub const MAX_REFERENCES: usize = 12;
pub const VIDEO_SECS: (f64, f64) = (2.0, 15.0);
pub const VIDEO_TOTAL_BYTES: u64 = 50 * MB;
pub const AUDIO_MAX_SECS: f64 = 15.0;
pub const AUDIO_BYTES: u64 = 15 * MB;
pub const IMAGE_BYTES: u64 = 30 * MB;

/// One reference that may be over a limit Loova does not state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReferenceWarning {
    /// The list it concerns (`image_urls`, `video_files`, …, or `references`
    /// for all of them together).
    pub field: String,
    /// What may be over which limit, as a sentence.
    pub message: String,
    /// Where the limit comes from: [`SOURCE`].
    pub source: String,
}

fn warn(field: &str, message: String) -> ReferenceWarning {
    ReferenceWarning { field: field.into(), message, source: SOURCE.into() }
}

fn name(path: &str) -> String {
    Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / MB as f64)
}

/// Every upstream limit the job's references may exceed. Local files are
/// measured (size, and length for video and audio); a URL only counts.
pub fn warnings(spec: &JobSpec) -> Vec<ReferenceWarning> {
    let mut out = Vec::new();
    let total =
        spec.image_urls.len() + spec.image_files.len() + spec.video_urls.len() + spec.video_files.len() + spec.audio_urls.len() + spec.audio_files.len();
    if total > MAX_REFERENCES {
        out.push(warn("references", format!("{total} references in all; Seedance 2.0 upstream takes at most {MAX_REFERENCES} together")));
    }
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let secs = |p: &str| crate::media_duration::duration_secs(Path::new(p));
    for p in &spec.image_files {
        if size(p) >= IMAGE_BYTES {
            out.push(warn("image_files", format!("{} is {}; upstream takes images under {}", name(p), mb(size(p)), mb(IMAGE_BYTES))));
        }
    }
    for p in &spec.video_files {
        match secs(p) {
            Some(s) if s < VIDEO_SECS.0 || s > VIDEO_SECS.1 => {
                out.push(warn("video_files", format!("{} plays {s:.1} s; upstream takes reference videos of {} to {} s", name(p), VIDEO_SECS.0, VIDEO_SECS.1)));
            }
            _ => {}
        }
    }
    let videos: u64 = spec.video_files.iter().map(|p| size(p)).sum();
    if videos >= VIDEO_TOTAL_BYTES {
        out.push(warn("video_files", format!("the reference videos are {} together; upstream takes under {} in total", mb(videos), mb(VIDEO_TOTAL_BYTES))));
    }
    for p in &spec.audio_files {
        if let Some(s) = secs(p).filter(|s| *s > AUDIO_MAX_SECS) {
            out.push(warn("audio_files", format!("{} plays {s:.1} s; upstream takes audio of at most {AUDIO_MAX_SECS} s", name(p))));
        }
        if size(p) > AUDIO_BYTES {
            out.push(warn("audio_files", format!("{} is {}; upstream takes audio of at most {} each", name(p), mb(size(p)), mb(AUDIO_BYTES))));
        }
    }
    out
}

/// The local file limits' defaults follow the same pages, so a file
/// upstream would refuse is not uploaded at full length first.
pub fn default_file_limit(kind: MediaKind) -> u64 {
    match kind {
        MediaKind::Image => IMAGE_BYTES,
        MediaKind::Video => VIDEO_TOTAL_BYTES,
        MediaKind::Audio => AUDIO_BYTES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(n: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(n).display().to_string()
    }

    fn urls(n: usize, kind: &str) -> Vec<String> {
        (0..n).map(|i| format!("https://example.com/{kind}{i}")).collect()
    }

    #[test]
    fn more_than_12_references_is_a_warning_with_its_source() {
        let spec = JobSpec { prompt: "p".into(), image_urls: urls(9, "i"), video_urls: urls(3, "v"), audio_urls: urls(1, "a"), ..JobSpec::default() };
        assert!(spec.validate().is_empty(), "Loova's own limits allow it");
        let w = warnings(&spec);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!((w[0].field.as_str(), w[0].source.as_str()), ("references", SOURCE));
        assert!(w[0].message.starts_with("13 references in all"), "{}", w[0].message);
        let twelve = JobSpec { audio_urls: vec![], ..spec };
        assert!(warnings(&twelve).is_empty());
    }

    #[test]
    fn a_reference_video_under_2_s_is_named() {
        // clip.mp4 plays 0.8 s.
        let spec = JobSpec { prompt: "p".into(), video_files: vec![fixture("clip.mp4")], audio_files: vec![fixture("tone.mp3")], ..JobSpec::default() };
        let w = warnings(&spec);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].field, "video_files");
        assert!(w[0].message.starts_with("clip.mp4 plays 0.8 s; upstream takes reference videos of 2 to 15 s"), "{}", w[0].message);
    }

    #[test]
    fn the_file_limits_follow_upstream() {
        assert_eq!(
            (default_file_limit(MediaKind::Image), default_file_limit(MediaKind::Video), default_file_limit(MediaKind::Audio)),
            (30 * MB, 50 * MB, 15 * MB)
        );
    }
}
