//! The per-user concurrency limit ("at most 6 tasks running at once").

use serde::{Deserialize, Serialize};

/// What happens to a create when the user already has `limit` active tasks.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LimitMode {
    /// Answer with the configured rejection (`responses.concurrency`).
    Reject,
    /// Accept the task and keep it `queued` until a slot frees.
    Queue,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Limits {
    /// Maximum number of tasks running at once per Loova user (all keys of
    /// the user together). Any value is allowed: a test of a client's own
    /// cap sets it far above 6 (e.g. 100) so the client's cap is what is
    /// measured.
    pub concurrency: usize,
    pub mode: LimitMode,
    /// Also refuse what Seedance 2.0's upstream pages rule out and Loova's
    /// page does not state: more than 12 references together, uploaded
    /// videos of 50 MB or more in total, an audio file over 15 MB, an image
    /// of 30 MB or more. Off by default (Loova says nothing either way).
    pub upstream_reference_limits: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { concurrency: 6, mode: LimitMode::Reject, upstream_reference_limits: false }
    }
}
