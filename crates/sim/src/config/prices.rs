//! What a task costs and how long it runs, per model.

use serde::{Deserialize, Serialize};

/// Credits per second of video for one model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ModelPrice {
    /// Without any video reference.
    pub per_second: i64,
    /// With at least one video reference (URL or uploaded video file).
    pub per_second_with_video: i64,
}

/// Price table, one entry per documented model. Default = the current list
/// from the pricing page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Prices {
    pub seedance_2_0: ModelPrice,
    pub seedance_2_0_fast: ModelPrice,
}

impl Default for ModelPrice {
    fn default() -> Self {
        ModelPrice { per_second: 15, per_second_with_video: 30 }
    }
}

impl Default for Prices {
    fn default() -> Self {
        Prices {
            seedance_2_0: ModelPrice { per_second: 15, per_second_with_video: 30 },
            seedance_2_0_fast: ModelPrice { per_second: 10, per_second_with_video: 20 },
        }
    }
}

/// How long a task runs: `(base_secs + per_video_second_secs * duration)`
/// times a uniform factor in `[1 - jitter, 1 + jitter]`, times `time_scale`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RunTime {
    pub base_secs: f64,
    pub per_video_second_secs: f64,
    pub jitter: f64,
}

impl Default for RunTime {
    fn default() -> Self {
        RunTime { base_secs: 30.0, per_video_second_secs: 6.0, jitter: 0.2 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Timings {
    /// Multiplies every simulated duration (queued phase, run time). 0.001
    /// turns a 60 s job into 60 ms.
    pub time_scale: f64,
    /// Optional `queued` phase before a task may start running (seconds,
    /// scaled). 0 = tasks go straight to `running` when a slot is free.
    pub queued_secs: f64,
    pub seedance_2_0: RunTime,
    pub seedance_2_0_fast: RunTime,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            time_scale: 1.0,
            queued_secs: 0.0,
            seedance_2_0: RunTime::default(),
            seedance_2_0_fast: RunTime { base_secs: 15.0, per_video_second_secs: 3.0, jitter: 0.2 },
        }
    }
}
