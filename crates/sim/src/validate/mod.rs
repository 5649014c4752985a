//! Validation of a create request, written from the public reference
//! (loova-api.md). JSON and the multipart/form-data dialects are encodings of
//! the same request: each reader reduces its encoding to `Raw`, and one
//! function (`check`) applies the rules, so they cannot drift apart. Every
//! rejection names the field.

mod form;
mod json;
mod raw;

pub use form::{arrived_in, from_form, from_form_as, from_form_compat};
pub use json::{from_json, from_json_as};

use raw::Raw;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Model {
    #[serde(rename = "seedance_2_0")]
    Seedance20,
    #[serde(rename = "seedance_2_0_fast")]
    Seedance20Fast,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Seedance20 => "seedance_2_0",
            Model::Seedance20Fast => "seedance_2_0_fast",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionMode {
    FirstLastFrames,
    OmniReference,
}

impl FunctionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            FunctionMode::FirstLastFrames => "first_last_frames",
            FunctionMode::OmniReference => "omni_reference",
        }
    }
}

/// The encoding a create arrived in (whatever the service understood of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// A JSON body (the reference).
    #[default]
    Json,
    /// Multipart, snake_case fields.
    Flat,
    /// Multipart with `functionMode` or `aspect_ratio` (Loova's reference notes).
    Camel,
    /// Multipart with a `params` JSON field (Loova's script).
    Params,
}

pub const RATIOS: [&str; 6] = ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"];
pub const MAX_IMAGES: usize = 9;
pub const MAX_VIDEOS: usize = 3;
pub const MAX_AUDIOS: usize = 3;

/// A request that passed validation, defaults applied: the settings the
/// task runs with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidCreate {
    pub model: Model,
    pub prompt: String,
    pub function_mode: FunctionMode,
    pub ratio: String,
    pub duration: u32,
    /// URLs plus uploaded files of that kind.
    pub images: usize,
    pub videos: usize,
    pub audios: usize,
    /// How the request was encoded.
    #[serde(default)]
    pub dialect: Dialect,
    /// Fields the service did not understand and ignored (e.g. `functionMode`
    /// sent to a service that reads only `function_mode`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_fields: Vec<String>,
    /// The name the mode was read under (`function_mode`, `functionMode`;
    /// the first one read when both were sent), `None` when none was sent.
    #[serde(default)]
    pub mode_field: Option<String>,
}

impl ValidCreate {
    /// Any video reference (URL or file) switches to the higher price.
    pub fn has_video_ref(&self) -> bool {
        self.videos > 0
    }
}

/// A rejection: `message()` is what goes into the envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

impl Invalid {
    fn new(field: &str, reason: impl Into<String>) -> Self {
        Invalid { field: field.to_string(), reason: reason.into() }
    }
    pub fn message(&self) -> String {
        format!("invalid parameter `{}`: {}", self.field, self.reason)
    }
}

/// Kind of an uploaded `files` part, from its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
}

impl MediaKind {
    /// From a content type, falling back to the file name's extension when
    /// the part has no (or a generic) content type.
    pub fn detect(content_type: Option<&str>, file_name: Option<&str>) -> Option<MediaKind> {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.starts_with("image/") {
            return Some(MediaKind::Image);
        }
        if ct.starts_with("video/") {
            return Some(MediaKind::Video);
        }
        if ct.starts_with("audio/") {
            return Some(MediaKind::Audio);
        }
        let ext = file_name?.rsplit('.').next()?.to_ascii_lowercase();
        match ext.as_str() {
            "png" | "jpg" | "jpeg" | "webp" | "gif" | "bmp" => Some(MediaKind::Image),
            "mp4" | "mov" | "webm" | "mkv" | "avi" => Some(MediaKind::Video),
            "mp3" | "wav" | "m4a" | "aac" | "ogg" | "flac" => Some(MediaKind::Audio),
            _ => None,
        }
    }
}

fn check(raw: Raw, dialect: Dialect) -> Result<ValidCreate, Invalid> {
    let model = match &raw.model {
        None => Model::Seedance20,
        Some(g) if g.value == "seedance_2_0" => Model::Seedance20,
        Some(g) if g.value == "seedance_2_0_fast" => Model::Seedance20Fast,
        Some(g) => return Err(Invalid::new(&g.name, "must be `seedance_2_0` or `seedance_2_0_fast`")),
    };
    let prompt = match raw.prompt {
        Some(p) if !p.value.trim().is_empty() => p.value,
        Some(p) => return Err(Invalid::new(&p.name, "must not be empty")),
        None => return Err(Invalid::new("prompt", "is required")),
    };
    let function_mode = match &raw.function_mode {
        None => FunctionMode::OmniReference,
        Some(g) if g.value == "omni_reference" => FunctionMode::OmniReference,
        Some(g) if g.value == "first_last_frames" => FunctionMode::FirstLastFrames,
        Some(g) => return Err(Invalid::new(&g.name, "must be `first_last_frames` or `omni_reference`")),
    };
    let ratio = match raw.ratio {
        None => "16:9".to_string(),
        Some(r) if RATIOS.contains(&r.value.as_str()) => r.value,
        Some(r) => return Err(Invalid::new(&r.name, format!("must be one of {}", RATIOS.join(", ")))),
    };
    let duration = match raw.duration {
        None => 5,
        Some(d) if (4..=15).contains(&d) => d as u32,
        Some(_) => return Err(Invalid::new("duration", "must be between 4 and 15 seconds")),
    };
    let count = |k: MediaKind| raw.files.iter().filter(|f| **f == k).count();
    let images = raw.image_urls + count(MediaKind::Image);
    let videos = raw.video_urls + count(MediaKind::Video);
    let audios = raw.audio_urls + count(MediaKind::Audio);
    if images > MAX_IMAGES {
        return Err(Invalid::new("image_urls", format!("at most {MAX_IMAGES} images (URLs and image files together), got {images}")));
    }
    if videos > MAX_VIDEOS {
        return Err(Invalid::new("video_urls", format!("at most {MAX_VIDEOS} videos (URLs and video files together), got {videos}")));
    }
    if audios > MAX_AUDIOS {
        return Err(Invalid::new("audio_urls", format!("at most {MAX_AUDIOS} audios (URLs and audio files together), got {audios}")));
    }
    if function_mode == FunctionMode::FirstLastFrames && images > 2 {
        return Err(Invalid::new("image_urls", format!("first_last_frames allows at most 2 images, got {images}")));
    }
    // Loova's script: first_last_frames needs at least one image; upstream:
    // Seedance 2.0 cannot work from audio alone.
    if function_mode == FunctionMode::FirstLastFrames && audios > 0 && images == 0 {
        return Err(Invalid::new("audio_urls", "first_last_frames needs at least one image: audio alone has no first frame"));
    }
    if function_mode == FunctionMode::OmniReference && audios > 0 && images == 0 && videos == 0 {
        return Err(Invalid::new("audio_urls", "omni_reference rejects audio-only input: give at least one image or video too"));
    }
    let mode_field = raw.function_mode.as_ref().map(|g| g.name.clone());
    Ok(ValidCreate { model, prompt, function_mode, ratio, duration, images, videos, audios, dialect, ignored_fields: raw.ignored, mode_field })
}

/// Seedance 2.0's upstream limits Loova's page leaves out (applied when
/// `limits.upstream_reference_limits` is on): `files` are the uploaded
/// parts' kinds and sizes in bytes.
pub fn upstream_limits(valid: &ValidCreate, files: &[(MediaKind, usize)]) -> Result<(), Invalid> {
    const MB: usize = 1024 * 1024;
    let total = valid.images + valid.videos + valid.audios;
    if total > 12 {
        return Err(Invalid::new("image_urls", format!("at most 12 references together (images, videos and audio), got {total}")));
    }
    let videos: usize = files.iter().filter(|(k, _)| *k == MediaKind::Video).map(|(_, n)| n).sum();
    if videos >= 50 * MB {
        return Err(Invalid::new("files", "reference videos must be under 50 MB together"));
    }
    if files.iter().any(|(k, n)| *k == MediaKind::Audio && *n > 15 * MB) {
        return Err(Invalid::new("files", "each audio file must be at most 15 MB"));
    }
    if files.iter().any(|(k, n)| *k == MediaKind::Image && *n >= 30 * MB) {
        return Err(Invalid::new("files", "each image must be under 30 MB"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn upstream_limits_when_told() {
        let urls = |n: usize| (0..n).map(|i| format!("https://x/{i}")).collect::<Vec<_>>();
        let v = from_json(&json!({"prompt": "p", "image_urls": urls(9), "video_urls": urls(3), "audio_urls": urls(1)})).unwrap();
        assert_eq!(upstream_limits(&v, &[]).unwrap_err().field, "image_urls");
        let v = from_json(&json!({"prompt": "p", "image_urls": urls(1)})).unwrap();
        assert!(upstream_limits(&v, &[(MediaKind::Video, 10 << 20)]).is_ok());
        assert_eq!(upstream_limits(&v, &[(MediaKind::Video, 30 << 20), (MediaKind::Video, 20 << 20)]).unwrap_err().field, "files");
        assert!(upstream_limits(&v, &[(MediaKind::Audio, 16 << 20)]).is_err());
    }

    #[test]
    fn defaults_apply() {
        let v = from_json(&json!({"prompt": "a cat"})).unwrap();
        assert_eq!((v.model, v.function_mode, v.ratio.as_str(), v.duration), (Model::Seedance20, FunctionMode::OmniReference, "16:9", 5));
        assert_eq!(v.dialect, Dialect::Json);
    }

    #[test]
    fn float_duration_rejected() {
        assert_eq!(from_json(&json!({"prompt": "x", "duration": 5.5})).unwrap_err().field, "duration");
    }
}
