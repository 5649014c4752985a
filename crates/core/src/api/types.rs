//! What the three endpoints return, parsed leniently where the reference is
//! inconsistent (`credits_cost` as `12` or `12.0`, unknown statuses) and
//! strictly where a missing field would be dangerous (a create answer without
//! `task_id` is unusable: the task may exist but cannot be followed).

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use serde_json::{Map, Value};

use super::envelope::as_text;
use super::lenient::{final_word, Answer};

/// `GET /v1/credits`. Only the API pool is documented; `app_credits` is filled
/// only if an answer ever carries an App Credits figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credits {
    pub api_available_credits: i64,
    pub api_total_credits: i64,
    pub app_credits: Option<i64>,
}

/// The answer to a create: the task exists and `credits_cost` was charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    pub task_id: String,
    /// Verbatim (`running`, or `queued` when the service keeps it waiting at
    /// the concurrency limit). Empty if the answer had no status.
    pub status: String,
    pub created_at: Option<String>,
    pub credits_cost: Option<i64>,
}

/// A task's state, normalised. Anything unknown is `Other` (not final: keep
/// polling and show `raw_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Other,
}

impl TaskState {
    pub fn from_raw(raw: &str) -> TaskState {
        match final_word(raw) {
            Some(true) => return TaskState::Succeeded,
            Some(false) => return TaskState::Failed,
            None => {}
        }
        match raw.trim().to_ascii_lowercase().as_str() {
            "queued" | "pending" => TaskState::Queued,
            "running" => TaskState::Running,
            _ => TaskState::Other,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, TaskState::Succeeded | TaskState::Failed)
    }
}

/// `GET /v1/tasks?task_id=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    pub task_id: String,
    pub status: TaskState,
    /// The status exactly as the service wrote it.
    pub raw_status: String,
    pub model: Option<String>,
    /// Rounded half up (away from zero) to whole credits.
    pub credits_cost: Option<i64>,
    /// The charge exactly as written (`12`, `12.0`, `12.5`), for comparing
    /// with the local estimate without rounding surprises.
    pub credits_cost_exact: Option<Decimal>,
    pub video_url: Option<String>,
    pub error_message: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub finished_at: Option<String>,
    /// The mode, ratio and duration the service runs the task with, when its
    /// status shows them (the reference's example does not): how a setting
    /// the service did not understand is noticed.
    pub function_mode: Option<String>,
    pub ratio: Option<String>,
    pub duration: Option<u32>,
}

/// A credit amount as a number (`12`, `12.0`, `1.2e1`) or a numeric string.
/// serde_json (without `arbitrary_precision`) keeps numbers as i64/u64/f64; the
/// f64's shortest round-trip text is parsed as a decimal, so `12.5` stays 12.5
/// exactly instead of picking up binary-fraction noise.
pub fn parse_amount(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).ok()
}

/// Whole credits: a non-integer is rounded half up (12.5 → 13).
pub fn whole_credits(d: Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64()
}

fn text(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key).and_then(as_text)
}

fn amount(m: &Map<String, Value>, key: &str) -> Option<i64> {
    m.get(key).and_then(parse_amount).and_then(whole_credits)
}

pub(crate) fn credits_from(d: &Map<String, Value>) -> Result<Credits, String> {
    let need = |k: &str| amount(d, k).ok_or_else(|| format!("`{k}` is missing or not a number"));
    Ok(Credits {
        api_available_credits: need("api_available_credits")?,
        api_total_credits: need("api_total_credits")?,
        app_credits: ["app_available_credits", "app_credits", "app_credits_available"].iter().find_map(|k| amount(d, k)),
    })
}

pub(crate) fn created_from(d: &Map<String, Value>, top: &Map<String, Value>) -> Result<Created, String> {
    let a = Answer { data: d, top };
    let task_id = a.task_id().ok_or("`task_id` is missing")?;
    Ok(Created { task_id, status: a.status().unwrap_or_default(), created_at: text(d, "created_at"), credits_cost: amount(d, "credits_cost") })
}

pub(crate) fn task_from(d: &Map<String, Value>, top: &Map<String, Value>, asked: &str) -> Result<TaskInfo, String> {
    let a = Answer { data: d, top };
    let raw_status = a.status().ok_or("`status` is missing")?;
    // Some services put the result fields at the top level; accept both.
    let res = |k: &str| a.result_text(k);
    let exact = d.get("credits_cost").or_else(|| top.get("credits_cost")).and_then(parse_amount);
    Ok(TaskInfo {
        task_id: a.task_id().unwrap_or_else(|| asked.to_string()),
        status: TaskState::from_raw(&raw_status),
        raw_status,
        model: text(d, "model"),
        credits_cost: exact.and_then(whole_credits),
        credits_cost_exact: exact,
        video_url: res("video_url"),
        error_message: res("error_message"),
        created_at: text(d, "created_at"),
        updated_at: text(d, "updated_at"),
        finished_at: res("finished_at"),
        function_mode: a.setting(&["function_mode", "functionMode"]),
        ratio: a.setting(&["ratio", "aspect_ratio"]),
        duration: a.setting(&["duration"]).and_then(|t| t.trim().parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credits_cost_integer_and_decimal() {
        for (v, want) in [(json!(12), 12), (json!(12.0), 12), (json!(12.5), 13), (json!(12.4), 12), (json!("75.0"), 75), (json!(1.2e1), 12)] {
            assert_eq!(parse_amount(&v).and_then(whole_credits), Some(want), "{v}");
        }
        assert_eq!(parse_amount(&json!(12.5)), Some(Decimal::new(125, 1)));
        assert_eq!(parse_amount(&json!(null)), None);
        assert_eq!(parse_amount(&json!("abc")), None);
    }

    #[test]
    fn statuses() {
        assert_eq!(TaskState::from_raw("pending"), TaskState::Queued);
        assert_eq!(TaskState::from_raw("Queued"), TaskState::Queued);
        assert_eq!(TaskState::from_raw("running"), TaskState::Running);
        assert_eq!(TaskState::from_raw("succeeded"), TaskState::Succeeded);
        assert_eq!(TaskState::from_raw("failed"), TaskState::Failed);
        // Loova's script's words.
        assert_eq!(TaskState::from_raw("success"), TaskState::Succeeded);
        assert_eq!(TaskState::from_raw("completed"), TaskState::Succeeded);
        assert_eq!(TaskState::from_raw("error"), TaskState::Failed);
        // The upstream service's and other clients' end words.
        for w in ["cancelled", "canceled", "expired", "timeout", "timed_out", "fail"] {
            assert_eq!(TaskState::from_raw(w), TaskState::Failed, "{w}");
        }
        assert_eq!(TaskState::from_raw("post_processing"), TaskState::Other);
        assert!(!TaskState::Other.is_final());
    }

    #[test]
    fn task_with_and_without_result() {
        let d = json!({"task_id":"r1","status":"succeeded","model":"seedance_2_0","credits_cost":12.0,
            "result":{"video_url":"https://x/v.mp4","error_message":null,"finished_at":"2024-01-01T12:02:00Z"}});
        let t = task_from(d.as_object().unwrap(), &Map::new(), "r1").unwrap();
        assert_eq!((t.status, t.credits_cost, t.video_url.as_deref()), (TaskState::Succeeded, Some(12), Some("https://x/v.mp4")));
        let d = json!({"task_id":"r1","status":"weird","result":null});
        let t = task_from(d.as_object().unwrap(), &Map::new(), "r1").unwrap();
        assert_eq!((t.status, t.raw_status.as_str(), t.video_url), (TaskState::Other, "weird", None));
    }

    #[test]
    fn lenient_create_and_status_answers() {
        let none = Map::new();
        for (data, top) in [
            (json!({"task_id": "t9", "status": "running", "credits_cost": 60}), json!({"code": 200})),
            (json!({"status": "running", "credits_cost": 60.0}), json!({"code": 200, "task_id": "t9"})),
            (json!({"state": "running", "credits_cost": "60"}), json!({"code": 200, "taskId": "t9"})),
        ] {
            let c = created_from(data.as_object().unwrap(), top.as_object().unwrap()).unwrap();
            assert_eq!((c.task_id.as_str(), c.status.as_str(), c.credits_cost), ("t9", "running", Some(60)), "{data} {top}");
        }
        assert!(created_from(json!({"status": "running"}).as_object().unwrap(), &none).is_err());
        let d = json!({"state": "success", "credits_cost": "75.5", "video_url": "https://v/x.mp4",
            "function_mode": "omni_reference", "ratio": "16:9", "duration": 6});
        let t = task_from(d.as_object().unwrap(), &none, "t9").unwrap();
        assert_eq!(
            (t.status, t.raw_status.as_str(), t.credits_cost, t.video_url.as_deref()),
            (TaskState::Succeeded, "success", Some(76), Some("https://v/x.mp4"))
        );
        assert_eq!((t.function_mode.as_deref(), t.ratio.as_deref(), t.duration), (Some("omni_reference"), Some("16:9"), Some(6)));
        let t = task_from(&none, json!({"status": "error"}).as_object().unwrap(), "t9").unwrap();
        assert_eq!((t.status, t.task_id.as_str(), t.function_mode), (TaskState::Failed, "t9", None));
    }

    #[test]
    fn app_credits_only_when_present() {
        let c = credits_from(json!({"api_available_credits": 5, "api_total_credits": 9}).as_object().unwrap()).unwrap();
        assert_eq!(c.app_credits, None);
        let c = credits_from(json!({"api_available_credits": 5, "api_total_credits": 9, "app_available_credits": 7}).as_object().unwrap()).unwrap();
        assert_eq!(c.app_credits, Some(7));
        assert!(credits_from(json!({"api_total_credits": 9}).as_object().unwrap()).is_err());
    }
}
