//! Whether a job's references may be over the limits of Seedance 2.0 that
//! Loova's page leaves out: the limits are loova-domain's
//! (`media::reference_limits`, re-exported here); measuring the local files
//! (size, play length) is here.

pub use loova_domain::media::reference_limits::*;

use crate::job::JobSpec;
use crate::media::MB;
use std::path::Path;

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
        out.push(ReferenceWarning::new("references", format!("{total} references in all; Seedance 2.0 upstream takes at most {MAX_REFERENCES} together")));
    }
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let secs = |p: &str| crate::media_duration::duration_secs(Path::new(p));
    for p in &spec.image_files {
        if size(p) >= IMAGE_BYTES {
            out.push(ReferenceWarning::new("image_files", format!("{} is {}; upstream takes images under {}", name(p), mb(size(p)), mb(IMAGE_BYTES))));
        }
    }
    for p in &spec.video_files {
        match secs(p) {
            Some(s) if s < VIDEO_SECS.0 || s > VIDEO_SECS.1 => {
                out.push(ReferenceWarning::new(
                    "video_files",
                    format!("{} plays {s:.1} s; upstream takes reference videos of {} to {} s", name(p), VIDEO_SECS.0, VIDEO_SECS.1),
                ));
            }
            _ => {}
        }
    }
    let videos: u64 = spec.video_files.iter().map(|p| size(p)).sum();
    if videos >= VIDEO_TOTAL_BYTES {
        out.push(ReferenceWarning::new(
            "video_files",
            format!("the reference videos are {} together; upstream takes under {} in total", mb(videos), mb(VIDEO_TOTAL_BYTES)),
        ));
    }
    for p in &spec.audio_files {
        if let Some(s) = secs(p).filter(|s| *s > AUDIO_MAX_SECS) {
            out.push(ReferenceWarning::new("audio_files", format!("{} plays {s:.1} s; upstream takes audio of at most {AUDIO_MAX_SECS} s", name(p))));
        }
        if size(p) > AUDIO_BYTES {
            out.push(ReferenceWarning::new("audio_files", format!("{} is {}; upstream takes audio of at most {} each", name(p), mb(size(p)), mb(AUDIO_BYTES))));
        }
    }
    out
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
}
