//! The recipe of a saved video, as its sidecar (`NAME.mp4.json`) and the
//! library's SQLite copy hold it: plain data, its own module because the
//! store keeps it and the library writes and reads it
//! (`library::sidecar`).

use serde::{Deserialize, Serialize};

/// The version of the sidecar format this code writes. A reader refuses a
/// higher one rather than guess at fields it does not know.
pub const FORMAT: u32 = 1;

/// `NAME.mp4.json`, format 1. Every field is always written (`null` or `[]`
/// when there is nothing); times are milliseconds since the Unix epoch (UTC),
/// credits are whole API credits. It never holds an API key: only the
/// account's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sidecar {
    /// Always 1 for this layout.
    pub format: u32,
    /// The Loova Desk version that saved the video.
    pub app_version: String,
    /// The job's name, when it had one (batch rows and the Composer may set it).
    pub name: Option<String>,
    pub prompt: String,
    /// `seedance_2_0` or `seedance_2_0_fast`.
    pub model: String,
    /// `omni_reference` or `first_last_frames`.
    pub function_mode: String,
    pub ratio: String,
    /// Seconds.
    pub duration: u32,
    pub image_urls: Vec<String>,
    pub video_urls: Vec<String>,
    pub audio_urls: Vec<String>,
    /// Local files sent with the job (multipart), by their original name.
    pub local_files: Vec<LocalFile>,
    /// Loova's task id and the trace id of the create request.
    pub task_id: Option<String>,
    pub trace_id: Option<String>,
    /// What Loova Desk estimated before sending, and the date of the price list it used.
    pub estimate_credits: Option<i64>,
    pub price_list_date: Option<String>,
    /// What Loova reported it charged.
    pub credits_cost: Option<i64>,
    /// The account's name in Loova Desk.
    pub account: String,
    pub batch: Option<String>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub downloaded_at: i64,
    /// The person kept this take (a star). Absent: not picked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pick: bool,
    /// The person's rating, 1 to 5. Absent: not rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
}

/// One local reference file: its kind (`image`, `video`, `audio`), the name
/// it had on the person's disk, its size and SHA-256 (hex) when sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalFile {
    pub kind: String,
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}
