//! Validation of a create request, written from the public reference
//! (loova-api.md). JSON and multipart/form-data are two encodings of the same
//! request: both are reduced to `Raw` and checked by one function, so the
//! rules cannot drift apart. Every rejection names the field.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

pub const RATIOS: [&str; 6] = ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"];
pub const MAX_IMAGES: usize = 9;
pub const MAX_VIDEOS: usize = 3;
pub const MAX_AUDIOS: usize = 3;

/// A request that passed validation, defaults applied.
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
        Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
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

/// The request reduced to its fields, before the rules are applied.
#[derive(Debug, Default)]
struct Raw {
    model: Option<String>,
    prompt: Option<String>,
    function_mode: Option<String>,
    ratio: Option<String>,
    duration: Option<i64>,
    image_urls: usize,
    video_urls: usize,
    audio_urls: usize,
    files: Vec<MediaKind>,
}

const LISTS: [&str; 3] = ["image_urls", "video_urls", "audio_urls"];

/// Validate a JSON body (already parsed).
pub fn from_json(body: &Value) -> Result<ValidCreate, Invalid> {
    let obj = body
        .as_object()
        .ok_or_else(|| Invalid::new("body", "must be a JSON object"))?;
    let string = |name: &str| -> Result<Option<String>, Invalid> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Invalid::new(name, "must be a string")),
        }
    };
    let list = |name: &str| -> Result<usize, Invalid> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Array(items)) => {
                for (i, it) in items.iter().enumerate() {
                    match it {
                        Value::String(s) if !s.trim().is_empty() => {}
                        _ => {
                            return Err(Invalid::new(
                                name,
                                format!("item {i} must be a non-empty string (URL)"),
                            ))
                        }
                    }
                }
                Ok(items.len())
            }
            Some(_) => Err(Invalid::new(name, "must be an array of strings")),
        }
    };
    let duration = match obj.get("duration") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(d) => Some(d),
            None => {
                return Err(Invalid::new(
                    "duration",
                    "must be an integer number of seconds (4 to 15)",
                ))
            }
        },
        Some(_) => {
            return Err(Invalid::new(
                "duration",
                "must be an integer number of seconds (4 to 15)",
            ))
        }
    };
    let raw = Raw {
        model: string("model")?,
        prompt: string("prompt")?,
        function_mode: string("function_mode")?,
        ratio: string("ratio")?,
        duration,
        image_urls: list(LISTS[0])?,
        video_urls: list(LISTS[1])?,
        audio_urls: list(LISTS[2])?,
        files: Vec::new(),
    };
    check(raw)
}

/// Validate a multipart request: text fields in order of arrival (list
/// fields repeated, or one JSON array), and the kinds of the `files` parts.
pub fn from_form(fields: &[(String, String)], files: &[MediaKind]) -> Result<ValidCreate, Invalid> {
    let mut raw = Raw {
        files: files.to_vec(),
        ..Raw::default()
    };
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in fields {
        let name = name.as_str();
        if LISTS.contains(&name) {
            let n = if value.trim_start().starts_with('[') {
                let v: Value = serde_json::from_str(value).map_err(|_| {
                    Invalid::new(
                        name,
                        "must be URLs (repeat the field) or a JSON array of strings",
                    )
                })?;
                let arr = v
                    .as_array()
                    .ok_or_else(|| Invalid::new(name, "must be an array of strings"))?;
                if arr
                    .iter()
                    .any(|x| !x.as_str().is_some_and(|s| !s.trim().is_empty()))
                {
                    return Err(Invalid::new(
                        name,
                        "every item must be a non-empty string (URL)",
                    ));
                }
                arr.len()
            } else if value.trim().is_empty() {
                return Err(Invalid::new(name, "must not be empty"));
            } else {
                1
            };
            match name {
                "image_urls" => raw.image_urls += n,
                "video_urls" => raw.video_urls += n,
                _ => raw.audio_urls += n,
            }
            continue;
        }
        let slot = match name {
            "model" => &mut raw.model,
            "prompt" => &mut raw.prompt,
            "function_mode" => &mut raw.function_mode,
            "ratio" => &mut raw.ratio,
            "duration" => {
                if seen.contains(&"duration") {
                    return Err(Invalid::new("duration", "given more than once"));
                }
                seen.push("duration");
                let d = value.trim().parse::<i64>().map_err(|_| {
                    Invalid::new("duration", "must be an integer number of seconds (4 to 15)")
                })?;
                raw.duration = Some(d);
                continue;
            }
            _ => continue, // unknown fields are ignored, like in JSON
        };
        if slot.is_some() {
            return Err(Invalid::new(name, "given more than once"));
        }
        *slot = Some(value.clone());
    }
    check(raw)
}

fn check(raw: Raw) -> Result<ValidCreate, Invalid> {
    let model = match raw.model.as_deref() {
        None => Model::Seedance20,
        Some("seedance_2_0") => Model::Seedance20,
        Some("seedance_2_0_fast") => Model::Seedance20Fast,
        Some(_) => {
            return Err(Invalid::new(
                "model",
                "must be `seedance_2_0` or `seedance_2_0_fast`",
            ))
        }
    };
    let prompt = match raw.prompt {
        Some(p) if !p.trim().is_empty() => p,
        Some(_) => return Err(Invalid::new("prompt", "must not be empty")),
        None => return Err(Invalid::new("prompt", "is required")),
    };
    let function_mode = match raw.function_mode.as_deref() {
        None | Some("omni_reference") => FunctionMode::OmniReference,
        Some("first_last_frames") => FunctionMode::FirstLastFrames,
        Some(_) => {
            return Err(Invalid::new(
                "function_mode",
                "must be `first_last_frames` or `omni_reference`",
            ))
        }
    };
    let ratio = match raw.ratio {
        None => "16:9".to_string(),
        Some(r) if RATIOS.contains(&r.as_str()) => r,
        Some(_) => {
            return Err(Invalid::new(
                "ratio",
                format!("must be one of {}", RATIOS.join(", ")),
            ))
        }
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
        return Err(Invalid::new(
            "image_urls",
            format!("at most {MAX_IMAGES} images (URLs and image files together), got {images}"),
        ));
    }
    if videos > MAX_VIDEOS {
        return Err(Invalid::new(
            "video_urls",
            format!("at most {MAX_VIDEOS} videos (URLs and video files together), got {videos}"),
        ));
    }
    if audios > MAX_AUDIOS {
        return Err(Invalid::new(
            "audio_urls",
            format!("at most {MAX_AUDIOS} audios (URLs and audio files together), got {audios}"),
        ));
    }
    if function_mode == FunctionMode::FirstLastFrames && images > 2 {
        return Err(Invalid::new(
            "image_urls",
            format!("first_last_frames allows at most 2 images, got {images}"),
        ));
    }
    if function_mode == FunctionMode::OmniReference && audios > 0 && images == 0 && videos == 0 {
        return Err(Invalid::new(
            "audio_urls",
            "omni_reference rejects audio-only input: give at least one image or video too",
        ));
    }
    Ok(ValidCreate {
        model,
        prompt,
        function_mode,
        ratio,
        duration,
        images,
        videos,
        audios,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_apply() {
        let v = from_json(&json!({"prompt": "a cat"})).unwrap();
        assert_eq!(
            (v.model, v.function_mode, v.ratio.as_str(), v.duration),
            (Model::Seedance20, FunctionMode::OmniReference, "16:9", 5)
        );
    }

    #[test]
    fn form_counts_files_as_references() {
        let fields = vec![
            ("prompt".to_string(), "x".to_string()),
            ("image_urls".to_string(), "http://a".to_string()),
        ];
        let v = from_form(&fields, &[MediaKind::Video]).unwrap();
        assert!(v.has_video_ref());
        assert_eq!(v.images, 1);
        let e = from_form(&[("prompt".into(), "x".into())], &[MediaKind::Audio]).unwrap_err();
        assert_eq!(e.field, "audio_urls");
    }

    #[test]
    fn float_duration_rejected() {
        assert_eq!(
            from_json(&json!({"prompt": "x", "duration": 5.5}))
                .unwrap_err()
                .field,
            "duration"
        );
    }
}
