//! Limits of Seedance 2.0's references that Loova's page leaves out. The
//! same model's upstream provider pages cap all references together at 12
//! (Loova's own maxima, 9 images + 3 videos + 3 audio, add up to 15),
//! reference videos to 2–15 s and under 50 MB in total, audio to 15 s and
//! 15 MB each, images under 30 MB. Loova says nothing either way, so these
//! are warnings in the preview, with their source named, never refusals:
//! Loova may well accept what its upstream would not. Measuring a job's
//! files against them is loova-core's `reference_limits::warnings`.

use crate::media::{MediaKind, MB};
use serde::{Deserialize, Serialize};

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

impl ReferenceWarning {
    /// A warning about `field`, with [`SOURCE`] named.
    pub fn new(field: &str, message: String) -> ReferenceWarning {
        ReferenceWarning { field: field.into(), message, source: SOURCE.into() }
    }
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

    #[test]
    fn the_file_limits_follow_upstream() {
        assert_eq!(
            (default_file_limit(MediaKind::Image), default_file_limit(MediaKind::Video), default_file_limit(MediaKind::Audio)),
            (30 * MB, 50 * MB, 15 * MB)
        );
    }
}
