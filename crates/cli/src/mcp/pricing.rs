//! `preview_cost`: what a job costs and what is wrong with it, offline. The
//! price and the rules are loova-core's (`preview`, `estimate_parts`,
//! `media::check_spec`), exactly what `loova preview` prints.

use super::reply;
use loova_core::{estimate_parts, preview, JobSpec};
use rmcp::model::CallToolResult;
use schemars::JsonSchema;
use serde::Deserialize;

/// One job, as an assistant describes it. Omitted fields take the API's
/// defaults (those of `loova enqueue`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    /// What the video shows (required to queue; a preview without it prices only).
    pub prompt: Option<String>,
    /// `seedance_2_0` (default) or `seedance_2_0_fast`.
    pub model: Option<String>,
    /// `omni_reference` (default) or `first_last_frames`.
    pub mode: Option<String>,
    /// Video length in seconds, 4 to 15 (default 5).
    pub duration: Option<u32>,
    /// 21:9, 16:9 (default), 4:3, 1:1, 3:4 or 9:16.
    pub ratio: Option<String>,
    /// Image reference URLs (at most 9 images in all).
    #[serde(default)]
    pub image_urls: Vec<String>,
    /// Video reference URLs (at most 3 videos); any video reference is billed at the higher rate.
    #[serde(default)]
    pub video_urls: Vec<String>,
    /// Audio reference URLs (at most 3).
    #[serde(default)]
    pub audio_urls: Vec<String>,
    /// Local image files (absolute paths); copied into Loova Desk's data folder when queued.
    #[serde(default)]
    pub image_files: Vec<String>,
    /// Local video files (absolute paths).
    #[serde(default)]
    pub video_files: Vec<String>,
    /// Local audio files (absolute paths).
    #[serde(default)]
    pub audio_files: Vec<String>,
    /// A name for the job and its video file (default: from the prompt).
    pub name: Option<String>,
}

impl JobInput {
    /// The create request's fields; local paths made absolute as the CLI does.
    pub fn spec(&self) -> JobSpec {
        let d = JobSpec::default();
        let abs = |ps: &[String]| crate::absolute_paths(&ps.iter().map(std::path::PathBuf::from).collect::<Vec<_>>());
        JobSpec {
            model: self.model.clone().unwrap_or(d.model),
            prompt: self.prompt.clone().unwrap_or_default(),
            function_mode: self.mode.clone().unwrap_or(d.function_mode),
            ratio: self.ratio.clone().unwrap_or(d.ratio),
            duration: self.duration.unwrap_or(d.duration),
            image_urls: self.image_urls.clone(),
            video_urls: self.video_urls.clone(),
            audio_urls: self.audio_urls.clone(),
            image_files: abs(&self.image_files),
            video_files: abs(&self.video_files),
            audio_files: abs(&self.audio_files),
        }
    }
}

/// (No `deny_unknown_fields` here: serde cannot combine it with `flatten`;
/// the server refuses key-like arguments for every tool before this.)
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PreviewInput {
    #[serde(flatten)]
    pub job: JobInput,
    /// Price at the video-reference rate without naming a video.
    #[serde(default)]
    pub video_reference: bool,
}

/// The price and every problem of one job. Free: nothing is sent anywhere.
pub fn preview_cost(input: &PreviewInput, prices: &loova_core::LoadedPriceList) -> CallToolResult {
    let price_only = input.job.prompt.is_none();
    let mut spec = input.job.spec();
    if price_only {
        // A price-only preview has no prompt; everything else is validated.
        spec.prompt = "(price only)".into();
    }
    let result = preview(&spec, prices);
    let media = loova_core::media::check_spec(&spec, &loova_core::media::MediaLimits::default());
    let mut problems: Vec<serde_json::Value> = result.violations.iter().map(|v| serde_json::json!(v)).collect();
    problems.extend(media.iter().map(|m| serde_json::json!({"code": m.code(), "field": "files", "message": m.to_string(), "fix": "Give a readable file of a supported format, small enough."})));
    let video_ref = input.video_reference || spec.has_video_reference();
    let estimate = estimate_parts(&spec.model, spec.duration, video_ref, &prices.list, &prices.info);
    let value = serde_json::json!({
        "estimate": estimate,
        "valid": problems.is_empty(),
        "problems": problems,
        "price_only": price_only,
        "price_list_warning": prices.warning,
    });
    let said = match (&estimate, problems.is_empty()) {
        (Some(e), true) => format!("{}, ${} – ${} depending on the API credit pack. {}", e.formula, e.usd_min.round_dp(2), e.usd_max.round_dp(2), e.pool_note),
        (Some(e), false) => format!("{}, but the job has {} problem(s) to fix first (see `problems`, each with its fix).", e.formula, problems.len()),
        (None, _) => format!("Cannot be priced: the job has {} problem(s) (see `problems`, each with its fix).", problems.len()),
    };
    reply::ok(said, &value)
}
