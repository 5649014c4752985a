//! A Seedance job as `POST /v1/video/seedance-2` defines it, and every rule the
//! API documents, so a job is rejected here, with a fix, before it costs money.

use crate::ErrorCode;
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
    /// copies in the data folder. Always sent, also when empty: the UI's
    /// generated types promise every list.
    pub image_files: Vec<String>,
    pub video_files: Vec<String>,
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

/// One broken rule, built where the rule is checked: its code, the field it
/// concerns, what is wrong (`message`) and how to fix it (`fix`), so every
/// consumer (Composer, batch import, CLI) shows the same words without
/// taking a sentence apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Violation {
    pub code: ErrorCode,
    pub field: String,
    pub message: String,
    pub fix: String,
}

impl Violation {
    pub fn new(code: ErrorCode, field: &str, message: impl Into<String>, fix: impl Into<String>) -> Violation {
        Violation { code, field: field.into(), message: message.into(), fix: fix.into() }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}. {}", self.field, self.message, self.fix)
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
        let mut add = |code, field: &str, message: String, fix: String| out.push(Violation::new(code, field, message, fix));

        if !MODELS.contains(&self.model.as_str()) {
            add(ErrorCode::UnknownModel, "model", format!("\"{}\" is not a Seedance model", self.model), format!("Use {}.", MODELS.join(" or ")));
        }
        if self.prompt.trim().is_empty() {
            add(ErrorCode::PromptRequired, "prompt", "A prompt is required".into(), "Describe the video you want.".into());
        }
        if !FUNCTION_MODES.contains(&self.function_mode.as_str()) {
            add(
                ErrorCode::UnknownFunctionMode,
                "function_mode",
                format!("\"{}\" is not a function mode", self.function_mode),
                format!("Use {}.", FUNCTION_MODES.join(" or ")),
            );
        }
        if !RATIOS.contains(&self.ratio.as_str()) {
            add(ErrorCode::UnknownRatio, "ratio", format!("\"{}\" is not a supported ratio", self.ratio), format!("Use one of {}.", RATIOS.join(", ")));
        }
        if !(MIN_DURATION..=MAX_DURATION).contains(&self.duration) {
            add(
                ErrorCode::DurationOutOfRange,
                "duration",
                format!("{} s is out of range", self.duration),
                format!("Choose {MIN_DURATION} to {MAX_DURATION} seconds."),
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
                add(ErrorCode::TooManyReferences, count_field, format!("{n} {noun} given{what}; at most {max} are allowed"), format!("Remove {}.", n - max));
            }
            for (i, url) in urls.iter().enumerate() {
                if !is_web_url(url) {
                    add(
                        ErrorCode::NotAWebUrl,
                        field,
                        format!("Reference {} (\"{url}\") is not an http(s) URL", i + 1),
                        "Paste a full https://… address.".into(),
                    );
                }
            }
            for (i, path) in files.iter().enumerate() {
                if path.trim().is_empty() {
                    add(ErrorCode::FileWithoutPath, files_field, format!("Local file {} has no path", i + 1), "Pick the file again or remove it.".into());
                }
            }
        }
        let images = self.image_urls.len() + self.image_files.len();
        let videos = self.video_urls.len() + self.video_files.len();
        let audios = self.audio_urls.len() + self.audio_files.len();
        if self.function_mode == "first_last_frames" && images > MAX_FIRST_LAST_IMAGES {
            add(
                ErrorCode::TooManyFrames,
                if self.image_files.is_empty() { "image_urls" } else { "image_files" },
                format!("first_last_frames uses at most {MAX_FIRST_LAST_IMAGES} images (first and last frame); {images} given"),
                format!("Remove {} or switch to omni_reference.", images - MAX_FIRST_LAST_IMAGES),
            );
        }
        // Loova's script says first_last_frames needs at least one image, and
        // the model's upstream service says Seedance 2.0 cannot start from
        // audio alone: such a job would be refused or run without a frame.
        if self.function_mode == "first_last_frames" && audios > 0 && images == 0 {
            add(
                ErrorCode::FirstFrameRequired,
                if self.audio_urls.is_empty() { "audio_files" } else { "audio_urls" },
                "first_last_frames needs at least one image; audio alone gives it no frame to start from".into(),
                "Add a first frame (an image), or switch to omni_reference with an image or video.".into(),
            );
        }
        if self.function_mode == "omni_reference" && audios > 0 && images == 0 && videos == 0 {
            add(
                ErrorCode::AudioNeedsImageOrVideo,
                if self.audio_urls.is_empty() { "audio_files" } else { "audio_urls" },
                "omni_reference does not accept audio on its own".into(),
                "Add at least one image or video reference, or remove the audio.".into(),
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
#[path = "job_tests.rs"]
mod tests;
