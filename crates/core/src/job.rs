//! A Seedance job as `POST /v1/video/seedance-2` defines it, and every rule the
//! API documents, so a job is rejected here, with a fix, before it costs money.

use serde::{Deserialize, Serialize};

pub const MODELS: [&str; 2] = ["seedance_2_0", "seedance_2_0_fast"];
pub const FUNCTION_MODES: [&str; 2] = ["omni_reference", "first_last_frames"];
pub const RATIOS: [&str; 6] = ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"];
pub const MIN_DURATION: u32 = 4;
pub const MAX_DURATION: u32 = 15;
pub const MAX_IMAGES: usize = 9;
pub const MAX_VIDEOS: usize = 3;
pub const MAX_AUDIOS: usize = 3;
pub const MAX_FIRST_LAST_IMAGES: usize = 2;

/// The fields of a create request, with the API's defaults. Values are kept as
/// the person typed them (strings) so that a bad one can be reported, not lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct JobSpec {
    pub model: String,
    pub prompt: String,
    pub function_mode: String,
    pub ratio: String,
    pub duration: u32,
    pub image_urls: Vec<String>,
    pub video_urls: Vec<String>,
    pub audio_urls: Vec<String>,
    /// Local files (paths) sent as `files` parts of a multipart request,
    /// after the URLs of their kind. Once queued, these point at the job's
    /// copies in the data folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub image_files: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub video_files: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub audio_files: Vec<String>,
}

impl Default for JobSpec {
    fn default() -> Self {
        JobSpec {
            model: MODELS[0].into(),
            prompt: String::new(),
            function_mode: FUNCTION_MODES[0].into(),
            ratio: "16:9".into(),
            duration: 5,
            image_urls: Vec::new(),
            video_urls: Vec::new(),
            audio_urls: Vec::new(),
            image_files: Vec::new(),
            video_files: Vec::new(),
            audio_files: Vec::new(),
        }
    }
}

/// One broken rule: the field it concerns and a sentence saying how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Violation {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl JobSpec {
    /// The video-reference rate applies when any video reference is present.
    pub fn has_video_reference(&self) -> bool {
        !self.video_urls.is_empty() || !self.video_files.is_empty()
    }

    /// Any local file: the request is sent as multipart/form-data.
    pub fn has_local_files(&self) -> bool {
        !(self.image_files.is_empty() && self.video_files.is_empty() && self.audio_files.is_empty())
    }

    /// Every broken rule, not just the first.
    pub fn validate(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut add = |field: &str, message: String| out.push(Violation { field: field.into(), message });

        if !MODELS.contains(&self.model.as_str()) {
            add("model", format!("\"{}\" is not a Seedance model; use {}.", self.model, MODELS.join(" or ")));
        }
        if self.prompt.trim().is_empty() {
            add("prompt", "A prompt is required; describe the video you want.".into());
        }
        if !FUNCTION_MODES.contains(&self.function_mode.as_str()) {
            add(
                "function_mode",
                format!("\"{}\" is not a function mode; use {}.", self.function_mode, FUNCTION_MODES.join(" or ")),
            );
        }
        if !RATIOS.contains(&self.ratio.as_str()) {
            add("ratio", format!("\"{}\" is not a supported ratio; use one of {}.", self.ratio, RATIOS.join(", ")));
        }
        if !(MIN_DURATION..=MAX_DURATION).contains(&self.duration) {
            add(
                "duration",
                format!("{} s is out of range; choose {MIN_DURATION} to {MAX_DURATION} seconds.", self.duration),
            );
        }
        let lists = [
            ("image_urls", &self.image_urls, "image_files", &self.image_files, MAX_IMAGES, "images"),
            ("video_urls", &self.video_urls, "video_files", &self.video_files, MAX_VIDEOS, "videos"),
            ("audio_urls", &self.audio_urls, "audio_files", &self.audio_files, MAX_AUDIOS, "audio files"),
        ];
        for (field, urls, files_field, files, max, noun) in lists {
            let n = urls.len() + files.len();
            // The count concerns the list the person can shorten: the files
            // when there are any, else the URLs.
            let count_field = if files.is_empty() { field } else { files_field };
            if n > max {
                let what = if files.is_empty() || urls.is_empty() { String::new() } else { " (URLs and local files together)".into() };
                add(count_field, format!("{n} {noun} given{what}; at most {max} are allowed. Remove {}.", n - max));
            }
            for (i, url) in urls.iter().enumerate() {
                if !is_web_url(url) {
                    add(field, format!("Reference {} (\"{url}\") is not an http(s) URL; paste a full https://… address.", i + 1));
                }
            }
            for (i, path) in files.iter().enumerate() {
                if path.trim().is_empty() {
                    add(files_field, format!("Local file {} has no path; pick the file again or remove it.", i + 1));
                }
            }
        }
        let images = self.image_urls.len() + self.image_files.len();
        let videos = self.video_urls.len() + self.video_files.len();
        let audios = self.audio_urls.len() + self.audio_files.len();
        if self.function_mode == "first_last_frames" && images > MAX_FIRST_LAST_IMAGES {
            add(
                if self.image_files.is_empty() { "image_urls" } else { "image_files" },
                format!(
                    "first_last_frames uses at most {MAX_FIRST_LAST_IMAGES} images (first and last frame); {images} given. Remove {} or switch to omni_reference.",
                    images - MAX_FIRST_LAST_IMAGES
                ),
            );
        }
        if self.function_mode == "omni_reference" && audios > 0 && images == 0 && videos == 0 {
            add(
                if self.audio_urls.is_empty() { "audio_files" } else { "audio_urls" },
                "omni_reference does not accept audio on its own; add at least one image or video reference, or remove the audio.".into(),
            );
        }
        out
    }
}

fn is_web_url(s: &str) -> bool {
    let s = s.trim();
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/') && !s.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> JobSpec {
        JobSpec { prompt: "a cat".into(), ..JobSpec::default() }
    }

    fn fields(spec: &JobSpec) -> Vec<String> {
        spec.validate().into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn defaults_match_the_api_reference() {
        let d = JobSpec::default();
        assert_eq!((d.model.as_str(), d.function_mode.as_str(), d.ratio.as_str(), d.duration), ("seedance_2_0", "omni_reference", "16:9", 5));
        let parsed: JobSpec = serde_json::from_str(r#"{"prompt":"x"}"#).unwrap();
        assert_eq!(parsed, JobSpec { prompt: "x".into(), ..JobSpec::default() });
    }

    #[test]
    fn a_valid_spec_has_no_violations() {
        assert!(valid().validate().is_empty());
    }

    #[test]
    fn duration_bounds_are_inclusive() {
        for (d, ok) in [(3, false), (4, true), (15, true), (16, false), (0, false)] {
            assert_eq!(fields(&JobSpec { duration: d, ..valid() }).is_empty(), ok, "duration {d}");
        }
    }

    #[test]
    fn every_ratio_and_mode_value() {
        for r in RATIOS {
            assert!(JobSpec { ratio: r.into(), ..valid() }.validate().is_empty());
        }
        assert_eq!(fields(&JobSpec { ratio: "2:1".into(), ..valid() }), ["ratio"]);
        assert_eq!(fields(&JobSpec { function_mode: "x".into(), ..valid() }), ["function_mode"]);
        assert_eq!(fields(&JobSpec { model: "seedance_1".into(), ..valid() }), ["model"]);
    }

    #[test]
    fn prompt_is_required() {
        assert_eq!(fields(&JobSpec { prompt: "  ".into(), ..valid() }), ["prompt"]);
    }

    fn urls(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("https://example.com/{i}")).collect()
    }

    #[test]
    fn reference_counts() {
        assert!(JobSpec { image_urls: urls(9), video_urls: urls(3), audio_urls: urls(3), ..valid() }.validate().is_empty());
        assert_eq!(fields(&JobSpec { image_urls: urls(10), ..valid() }), ["image_urls"]);
        assert_eq!(fields(&JobSpec { video_urls: urls(4), ..valid() }), ["video_urls"]);
        assert_eq!(fields(&JobSpec { audio_urls: urls(4), image_urls: urls(1), ..valid() }), ["audio_urls"]);
    }

    #[test]
    fn first_last_frames_allows_two_images() {
        let flf = |n| JobSpec { function_mode: "first_last_frames".into(), image_urls: urls(n), ..valid() };
        assert!(flf(2).validate().is_empty());
        assert_eq!(fields(&flf(3)), ["image_urls"]);
    }

    #[test]
    fn omni_reference_rejects_audio_only() {
        let audio_only = JobSpec { audio_urls: urls(1), ..valid() };
        let v = audio_only.validate();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].field, "audio_urls");
        assert!(v[0].message.contains("add at least one image or video"));
        assert!(JobSpec { audio_urls: urls(1), video_urls: urls(1), ..valid() }.validate().is_empty());
        assert!(JobSpec { audio_urls: urls(1), function_mode: "first_last_frames".into(), ..valid() }.validate().is_empty());
    }

    #[test]
    fn every_violation_is_reported_at_once() {
        let bad = JobSpec {
            model: "m".into(),
            prompt: String::new(),
            function_mode: "first_last_frames".into(),
            ratio: "5:4".into(),
            duration: 20,
            image_urls: urls(3),
            video_urls: vec!["not a url".into()],
            audio_urls: vec![],
            ..JobSpec::default()
        };
        assert_eq!(fields(&bad), ["model", "prompt", "ratio", "duration", "video_urls", "image_urls"]);
        assert!(bad.validate().iter().all(|v| v.message.ends_with('.')));
    }

    #[test]
    fn urls_must_be_web_addresses() {
        assert_eq!(fields(&JobSpec { image_urls: vec!["ftp://x/y".into()], ..valid() }), ["image_urls"]);
        assert_eq!(fields(&JobSpec { image_urls: vec!["https://".into()], ..valid() }), ["image_urls"]);
        assert!(JobSpec { image_urls: vec!["http://127.0.0.1:8080/a.png".into()], ..valid() }.validate().is_empty());
    }

    fn files(n: usize, ext: &str) -> Vec<String> {
        (0..n).map(|i| format!("/tmp/f{i}.{ext}")).collect()
    }

    #[test]
    fn local_files_count_with_urls() {
        assert!(JobSpec { image_urls: urls(5), image_files: files(4, "png"), video_urls: urls(1), video_files: files(2, "mp4"), audio_urls: urls(2), audio_files: files(1, "mp3"), ..valid() }
            .validate()
            .is_empty());
        let v = JobSpec { image_urls: urls(5), image_files: files(5, "png"), ..valid() }.validate();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].field, "image_files");
        assert!(v[0].message.contains("10 images given (URLs and local files together)"), "{}", v[0].message);
        assert_eq!(fields(&JobSpec { video_files: files(4, "mp4"), ..valid() }), ["video_files"]);
        assert_eq!(fields(&JobSpec { video_urls: urls(2), video_files: files(2, "mp4"), ..valid() }), ["video_files"]);
        assert_eq!(fields(&JobSpec { audio_urls: urls(2), audio_files: files(2, "mp3"), image_files: files(1, "png"), ..valid() }), ["audio_files"]);
        assert_eq!(fields(&JobSpec { image_files: vec![" ".into()], ..valid() }), ["image_files"]);
    }

    #[test]
    fn first_last_frames_counts_local_images() {
        let flf = |u, f| JobSpec { function_mode: "first_last_frames".into(), image_urls: urls(u), image_files: files(f, "png"), ..valid() };
        assert!(flf(1, 1).validate().is_empty());
        assert!(flf(0, 2).validate().is_empty());
        assert_eq!(fields(&flf(1, 2)), ["image_files"]);
        assert_eq!(fields(&flf(3, 0)), ["image_urls"]);
    }

    #[test]
    fn omni_reference_audio_only_counts_local_files() {
        assert_eq!(fields(&JobSpec { audio_files: files(1, "mp3"), ..valid() }), ["audio_files"]);
        assert_eq!(fields(&JobSpec { audio_files: files(1, "mp3"), audio_urls: urls(1), ..valid() }), ["audio_urls"]);
        assert!(JobSpec { audio_files: files(1, "mp3"), image_files: files(1, "png"), ..valid() }.validate().is_empty());
        assert!(JobSpec { audio_urls: urls(1), video_files: files(1, "mp4"), ..valid() }.validate().is_empty());
    }

    #[test]
    fn a_local_video_is_a_video_reference() {
        assert!(!valid().has_video_reference());
        assert!(JobSpec { video_files: files(1, "mp4"), ..valid() }.has_video_reference());
        assert!(!JobSpec { image_files: files(1, "png"), ..valid() }.has_video_reference());
    }

    #[test]
    fn local_files_are_left_out_of_json_when_empty() {
        let json = serde_json::to_value(valid()).unwrap();
        assert!(json.get("image_files").is_none() && json.get("video_files").is_none());
        let with = JobSpec { video_files: vec!["/a/b.mp4".into()], ..valid() };
        let back: JobSpec = serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
        assert_eq!(back, with);
    }
}
