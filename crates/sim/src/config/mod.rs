//! The simulator's configuration. Everything the documentation leaves open is a
//! knob here, so clients can be tested against every plausible behaviour.
//! The whole struct is serde (de)serialisable so it can be loaded from a JSON
//! file, replaced or merge-patched at run time through `POST /__sim/config`.

mod compat;
mod faults;
mod keys;
mod limits;
mod prices;
mod responses;

pub use compat::{parse_word, BasePath, Compat, IdField, JsonDialect, MultipartDialect, StatusWords};
pub use faults::Faults;
pub use keys::{check_user_name, KeyGrant, OWN_USER_PREFIX};
pub use limits::{LimitMode, Limits};
pub use prices::{ModelPrice, Prices, RunTime, Timings};
pub use responses::{CostFormat, ErrorReply, Responses};

use serde::{Deserialize, Serialize};

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
    /// Variants of Loova's published clients: multipart dialects, status
    /// words, where the task id is, the base path.
    pub compat: Compat,
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
            compat: Compat::default(),
            faults: Faults::default(),
            slow_ms: 3000,
            state_file: None,
            request_log_limit: 10_000,
        }
    }
}

impl SimConfig {
    /// Convenience for tests: fast jobs, given keys (each its own user),
    /// fixed seed.
    pub fn for_tests(keys: &[(&str, i64)]) -> Self {
        SimConfig::for_test_grants(keys.iter().map(|(k, c)| KeyGrant::new(k, *c)).collect())
    }

    /// [`SimConfig::for_tests`] with `(key, credits, user)`: keys of one user
    /// share credits (the sum of their grants), tasks and the limit.
    pub fn for_tests_users(keys: &[(&str, i64, &str)]) -> Self {
        SimConfig::for_test_grants(keys.iter().map(|(k, c, u)| KeyGrant::for_user(k, *c, u)).collect())
    }

    fn for_test_grants(keys: Vec<KeyGrant>) -> Self {
        SimConfig { keys, seed: Some(1), timings: Timings { time_scale: 0.002, ..Timings::default() }, ..SimConfig::default() }
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
        for (name, plan) in self.faults.plans() {
            let total: f64 = plan.probabilities.values().sum();
            if total > 1.0 + 1e-9 || plan.probabilities.values().any(|p| *p < 0.0) {
                return Err(format!("faults.{name}.probabilities must be >= 0 and sum to at most 1"));
            }
        }
        for user in self.keys.iter().filter_map(|k| k.user.as_deref()) {
            check_user_name(user).map_err(|e| format!("keys: {e}"))?;
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
                .map(|k| {
                    serde_json::json!({
                        "key_hint": crate::state::key_hint(&k.key),
                        "credits": k.credits,
                        "user": k.user,
                    })
                })
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
        assert_eq!(c.prices.seedance_2_0_fast, ModelPrice { per_second: 9, per_second_with_video: 20 });
        assert_eq!(c.prices.seedance_2_0, ModelPrice { per_second: 15, per_second_with_video: 30 });
        assert_eq!(c.keys, vec![KeyGrant::new("k", 5)]);
        assert!(SimConfig::from_json(&serde_json::json!({"fail_rate": 2})).is_err());
    }

    #[test]
    fn merge_patch_never_touches_keys() {
        let mut base = SimConfig::default();
        base.keys.push(KeyGrant::new("k", 1));
        let c = base.merged(&serde_json::json!({"keys": [], "limits": {"mode": "queue"}})).unwrap();
        assert_eq!(c.keys, base.keys);
        assert_eq!(c.limits, Limits { concurrency: 6, mode: LimitMode::Queue, ..Limits::default() });
    }

    #[test]
    fn test_users_and_a_limit_far_above_six() {
        let mut c = SimConfig::for_tests_users(&[("k1", 10, "studio"), ("k2", 5, "studio")]);
        c.limits.concurrency = 100;
        assert_eq!(c.keys[1], KeyGrant::for_user("k2", 5, "studio"));
        assert!(c.check().is_ok());
        let c = c.merged(&serde_json::json!({"compat": {"base_path": "/"}})).unwrap();
        assert_eq!((c.limits.concurrency, c.compat.base_path), (100, BasePath::Root));
        let bad = SimConfig::for_tests_users(&[("k1", 10, " ")]);
        assert!(bad.check().is_err());
    }
}
