//! The `data` of successful create and status answers, in the variant the
//! configuration asks for (`compat`: where the id goes, which status words,
//! whether status shows the settings).

use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::config::{Compat, CostFormat, IdField, SimConfig, StatusWords};
use crate::envelope::Reply;
use crate::state::{Task, TaskStatus};

/// The create answer: documented `data`, the id where `compat.id_field` says.
pub fn created(t: &Task, config: &SimConfig) -> Reply {
    let mut data = json!({
        "task_id": t.id,
        "status": t.status.as_str(),
        "created_at": rfc3339(t.created_at),
        "credits_cost": cost(t, config),
    });
    let top_level = match config.compat.id_field {
        IdField::DataTaskId => return Reply::ok(data),
        IdField::TaskId => "task_id",
        IdField::TaskIdCamel => "taskId",
    };
    // Moved, not copied: a client that reads only `data.task_id` must miss it.
    if let Some(obj) = data.as_object_mut() {
        obj.remove("task_id");
    }
    Reply::ok(data).with_top_level(top_level, json!(t.id))
}

/// The status word of a task in the configured vocabulary; a failed task
/// says `compat.failed_word` when one is set (`expired`, `cancelled`, …).
pub fn status_word(status: TaskStatus, compat: &Compat) -> String {
    match (status, compat.status_words, compat.failed_word.as_deref()) {
        (TaskStatus::Failed, _, Some(word)) => word.to_string(),
        (TaskStatus::Succeeded, StatusWords::Script, _) => "success".into(),
        (TaskStatus::Failed, StatusWords::Script, _) => "error".into(),
        (s, _, _) => s.as_str().into(),
    }
}

/// `data` of `GET /v1/tasks` for one task. With
/// `compat.status_shows_settings`, `function_mode`, `ratio` and `duration`
/// (what the task runs with) stand beside the documented `model`.
/// `credits_cost` as `75` or, as the quickstart's create answer and one
/// status example write it, `75.0`.
fn cost(t: &Task, config: &SimConfig) -> Value {
    match config.credits_cost_format {
        CostFormat::Integer => json!(t.credits_cost),
        CostFormat::Decimal => json!(t.credits_cost as f64),
    }
}

pub fn task_status_data(t: &Task, config: &SimConfig, root_url: &str) -> Value {
    let cost = cost(t, config);
    let result = if t.status.is_final() {
        let video_url = (t.status == TaskStatus::Succeeded).then(|| format!("{root_url}/files/{}.mp4", t.id));
        json!({
            "video_url": video_url,
            "error_message": t.error_message,
            "finished_at": t.finished_at.map(rfc3339),
        })
    } else {
        Value::Null
    };
    let mut data = json!({
        "task_id": t.id,
        "status": status_word(t.status, &config.compat),
        "model": t.request.model.as_str(),
        "created_at": rfc3339(t.created_at),
        "updated_at": rfc3339(t.updated_at),
        "credits_cost": cost,
        "result": result,
    });
    if config.compat.status_shows_settings {
        if let Some(obj) = data.as_object_mut() {
            obj.insert("function_mode".into(), json!(t.request.function_mode.as_str()));
            obj.insert("ratio".into(), json!(t.request.ratio));
            obj.insert("duration".into(), json!(t.request.duration));
        }
    }
    data
}
