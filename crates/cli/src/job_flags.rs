//! The job flags `loova preview` and `loova enqueue` share: the fields of a
//! create request, with the API's defaults.

use clap::Args;
use loova_core::JobSpec;
use std::path::PathBuf;

#[derive(Args)]
pub struct JobFlags {
    /// seedance_2_0 or seedance_2_0_fast.
    #[arg(long, default_value = "seedance_2_0")]
    model: String,
    /// Video length in seconds, 4 to 15.
    #[arg(long, default_value_t = 5)]
    duration: u32,
    /// 21:9, 16:9, 4:3, 1:1, 3:4 or 9:16.
    #[arg(long, default_value = "16:9")]
    ratio: String,
    /// omni_reference or first_last_frames.
    #[arg(long = "mode", default_value = "omni_reference")]
    function_mode: String,
    /// An image reference URL (repeatable, at most 9).
    #[arg(long = "image-url")]
    image_urls: Vec<String>,
    /// A video reference URL (repeatable, at most 3).
    #[arg(long = "video-url")]
    video_urls: Vec<String>,
    /// An audio reference URL (repeatable, at most 3).
    #[arg(long = "audio-url")]
    audio_urls: Vec<String>,
    /// A local image file (repeatable; with --image-url at most 9). Copied
    /// into the data folder when queued; sent after the URLs.
    #[arg(long = "image-file")]
    image_files: Vec<PathBuf>,
    /// A local video file (repeatable; with --video-url at most 3).
    #[arg(long = "video-file")]
    video_files: Vec<PathBuf>,
    /// A local audio file (repeatable; with --audio-url at most 3).
    #[arg(long = "audio-file")]
    audio_files: Vec<PathBuf>,
}

impl JobFlags {
    pub fn into_spec(self, prompt: String) -> JobSpec {
        JobSpec {
            model: self.model,
            prompt,
            function_mode: self.function_mode,
            ratio: self.ratio,
            duration: self.duration,
            image_urls: self.image_urls,
            video_urls: self.video_urls,
            audio_urls: self.audio_urls,
            image_files: crate::absolute_paths(&self.image_files),
            video_files: crate::absolute_paths(&self.video_files),
            audio_files: crate::absolute_paths(&self.audio_files),
        }
    }
}
