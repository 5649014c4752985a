//! The simulator's configuration. Everything the documentation leaves open is a
//! knob here, so clients can be tested against every plausible behaviour.
//! The whole struct is serde (de)serialisable so it can be loaded from a JSON
//! file, replaced or merge-patched at run time through `POST /__sim/config`.

use crate::faults::FaultPlan;
use serde::{Deserialize, Serialize};

/// A key and the credits it is granted at start (and after a reset). The key
/// is in clear here (config passed in memory); the simulator's state keeps
/// only its digest and hint, and `GET /__sim/config` shows only the hint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeyGrant {
    pub key: String,
    pub credits: i64,
}

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
        ModelPrice {
            per_second: 15,
            per_second_with_video: 30,
        }
    }
}

impl Default for Prices {
    fn default() -> Self {
        Prices {
            seedance_2_0: ModelPrice {
                per_second: 15,
                per_second_with_video: 30,
            },
            seedance_2_0_fast: ModelPrice {
                per_second: 10,
                per_second_with_video: 20,
            },
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
        RunTime {
            base_secs: 30.0,
            per_video_second_secs: 6.0,
            jitter: 0.2,
        }
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
            seedance_2_0_fast: RunTime {
                base_secs: 15.0,
                per_video_second_secs: 3.0,
                jitter: 0.2,
            },
        }
    }
}

/// What happens to a create when the key already has `limit` active tasks.
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
    /// Maximum number of tasks `running` at once per key.
    pub concurrency: usize,
    pub mode: LimitMode,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 6,
            mode: LimitMode::Reject,
        }
    }
}

/// An HTTP status, envelope `code` and `message` used for one failure class.
/// `{limit}` in a message is replaced by the current concurrency limit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorReply {
    pub http_status: u16,
    pub code: i64,
    pub message: String,
}

impl ErrorReply {
    fn new(http_status: u16, code: i64, message: &str) -> Self {
        ErrorReply {
            http_status,
            code,
            message: message.to_string(),
        }
    }
}

/// The answer used for each failure class. Validation replies keep their
/// status and code here; their message is always generated (it names the field).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Responses {
    pub validation: ErrorReply,
    pub auth: ErrorReply,
    pub insufficient_credits: ErrorReply,
    pub concurrency: ErrorReply,
    pub not_found: ErrorReply,
    pub business_failure: ErrorReply,
    pub server_error_message: String,
}

impl Default for Responses {
    fn default() -> Self {
        Responses {
            validation: ErrorReply::new(400, 400, "invalid request"),
            auth: ErrorReply::new(401, 401, "authentication failed: invalid API key"),
            insufficient_credits: ErrorReply::new(
                402,
                402,
                "insufficient credits: API credits balance is too low for this task",
            ),
            concurrency: ErrorReply::new(
                429,
                429,
                "concurrency limit reached: at most {limit} tasks may run at once",
            ),
            not_found: ErrorReply::new(404, 404, "task not found"),
            business_failure: ErrorReply::new(200, 200, "system busy, please try again later"),
            server_error_message: "internal server error".to_string(),
        }
    }
}

/// How `credits_cost` is written in task-status answers: the reference shows
/// both `12` and `12.0`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CostFormat {
    Integer,
    Decimal,
}

/// Faults per endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct Faults {
    pub create: FaultPlan,
    pub status: FaultPlan,
    pub credits: FaultPlan,
    pub download: FaultPlan,
}

impl Faults {
    pub fn plan_mut(&mut self, endpoint: crate::faults::Endpoint) -> &mut FaultPlan {
        use crate::faults::Endpoint::*;
        match endpoint {
            Create => &mut self.create,
            Status => &mut self.status,
            Credits => &mut self.credits,
            Download => &mut self.download,
        }
    }
}

/// The complete configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SimConfig {
    /// Address to bind; port 0 picks a free port.
    pub addr: String,
    /// Keys granted at start (and restored by `POST /__sim/reset`).
    pub keys: Vec<KeyGrant>,
    /// Seed for every random choice; `None` = from entropy.
    pub seed: Option<u64>,
    pub prices: Prices,
    pub timings: Timings,
    pub limits: Limits,
    /// Probability that a task ends `failed` instead of `succeeded`.
    pub fail_rate: f64,
    /// `error_message` of failed tasks.
    pub fail_message: String,
    /// Refund the charge of a task that fails.
    pub refund_on_failure: bool,
    pub credits_cost_format: CostFormat,
    /// Video URLs stop working this many (real, unscaled) seconds after the
    /// task finished.
    pub video_url_ttl_secs: f64,
    /// HTTP status for an expired video URL: 404 or 403.
    pub expired_status: u16,
    pub responses: Responses,
    pub faults: Faults,
    /// Delay of the `slow` fault, in real milliseconds.
    pub slow_ms: u64,
    /// Persist keys, credits and tasks here, restore on start. Keys are
    /// written as their SHA-256 digest and hint only, never in clear.
    pub state_file: Option<String>,
    /// Oldest request-log entries are dropped beyond this many.
    pub request_log_limit: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: "127.0.0.1:0".to_string(),
            keys: Vec::new(),
            seed: None,
            prices: Prices::default(),
            timings: Timings::default(),
            limits: Limits::default(),
            fail_rate: 0.0,
            fail_message: "video generation failed".to_string(),
            refund_on_failure: true,
            credits_cost_format: CostFormat::Integer,
            video_url_ttl_secs: 24.0 * 3600.0,
            expired_status: 404,
            responses: Responses::default(),
            faults: Faults::default(),
            slow_ms: 3000,
            state_file: None,
            request_log_limit: 10_000,
        }
    }
}

impl SimConfig {
    /// Convenience for tests: fast jobs, given keys, fixed seed.
    pub fn for_tests(keys: &[(&str, i64)]) -> Self {
        SimConfig {
            keys: keys
                .iter()
                .map(|(k, c)| KeyGrant {
                    key: k.to_string(),
                    credits: *c,
                })
                .collect(),
            seed: Some(1),
            timings: Timings {
                time_scale: 0.002,
                ..Timings::default()
            },
            ..SimConfig::default()
        }
    }

    /// Apply a JSON merge patch (RFC 7386) and return the patched config.
    /// `keys` is not patchable here (keys are added through `/__sim/keys`,
    /// so they never travel through the config endpoint in clear).
    pub fn merged(&self, patch: &serde_json::Value) -> Result<SimConfig, String> {
        let mut base = serde_json::to_value(self).map_err(|e| e.to_string())?;
        merge_patch(&mut base, patch);
        let mut out: SimConfig = serde_json::from_value(base).map_err(|e| e.to_string())?;
        out.keys = self.keys.clone();
        out.check()?;
        Ok(out)
    }

    /// A config from (possibly partial) JSON: every missing field takes its
    /// default, including per-model ones (plain serde defaults would give
    /// the fast model the standard model's prices).
    pub fn from_json(v: &serde_json::Value) -> Result<SimConfig, String> {
        let mut base = serde_json::to_value(SimConfig::default()).map_err(|e| e.to_string())?;
        merge_patch(&mut base, v);
        let out: SimConfig = serde_json::from_value(base).map_err(|e| e.to_string())?;
        out.check()?;
        Ok(out)
    }

    /// Reject values that would make the simulator misbehave in ways that
    /// are not a deliberate fault.
    pub fn check(&self) -> Result<(), String> {
        if self.timings.time_scale < 0.0 || !self.timings.time_scale.is_finite() {
            return Err("timings.time_scale must be >= 0".into());
        }
        if !(0.0..=1.0).contains(&self.fail_rate) {
            return Err("fail_rate must be between 0 and 1".into());
        }
        if self.expired_status != 404 && self.expired_status != 403 {
            return Err("expired_status must be 404 or 403".into());
        }
        for (name, plan) in [
            ("create", &self.faults.create),
            ("status", &self.faults.status),
            ("credits", &self.faults.credits),
            ("download", &self.faults.download),
        ] {
            let total: f64 = plan.probabilities.values().sum();
            if total > 1.0 + 1e-9 || plan.probabilities.values().any(|p| *p < 0.0) {
                return Err(format!(
                    "faults.{name}.probabilities must be >= 0 and sum to at most 1"
                ));
            }
        }
        Ok(())
    }

    /// The config as shown by `GET /__sim/config`: keys reduced to hints.
    pub fn redacted_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            let hints: Vec<_> = self
                .keys
                .iter()
                .map(|k| serde_json::json!({"key_hint": crate::state::key_hint(&k.key), "credits": k.credits}))
                .collect();
            obj.insert("keys".into(), serde_json::Value::Array(hints));
        }
        v
    }
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_keeps_per_model_defaults() {
        let c = SimConfig::from_json(&serde_json::json!({"prices": {"seedance_2_0_fast": {"per_second": 9}}, "keys": [{"key": "k", "credits": 5}]})).unwrap();
        assert_eq!(
            c.prices.seedance_2_0_fast,
            ModelPrice {
                per_second: 9,
                per_second_with_video: 20
            }
        );
        assert_eq!(
            c.prices.seedance_2_0,
            ModelPrice {
                per_second: 15,
                per_second_with_video: 30
            }
        );
        assert_eq!(c.keys.len(), 1);
        assert!(SimConfig::from_json(&serde_json::json!({"fail_rate": 2})).is_err());
    }

    #[test]
    fn merge_patch_never_touches_keys() {
        let mut base = SimConfig::default();
        base.keys.push(KeyGrant {
            key: "k".into(),
            credits: 1,
        });
        let c = base
            .merged(&serde_json::json!({"keys": [], "limits": {"mode": "queue"}}))
            .unwrap();
        assert_eq!(c.keys, base.keys);
        assert_eq!(
            c.limits,
            Limits {
                concurrency: 6,
                mode: LimitMode::Queue
            }
        );
    }
}
