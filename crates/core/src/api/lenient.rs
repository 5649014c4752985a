//! Where an answer's fields may be. Loova's reference and Loova's own script
//! disagree on where the task id and the status stand and on the status
//! words; every spelling either of them uses is accepted (the table in
//! docs/ARCHITECTURE.md, "Compatibility with Loova's own clients", lists each
//! with its source). `data` is looked at first, then the envelope around it.

use serde_json::{Map, Value};

use super::envelope::as_text;

/// `data` of an answer and the envelope's other fields.
#[derive(Clone, Copy)]
pub(crate) struct Answer<'a> {
    pub data: &'a Map<String, Value>,
    pub top: &'a Map<String, Value>,
}

fn text(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key).and_then(as_text).filter(|t| !t.trim().is_empty())
}

impl Answer<'_> {
    /// `data.task_id` (reference), top-level `task_id` or `taskId` (script).
    pub fn task_id(&self) -> Option<String> {
        text(self.data, "task_id").or_else(|| text(self.top, "task_id")).or_else(|| text(self.top, "taskId"))
    }

    /// `data.status` (reference), `status` or `state` (script; looked for in
    /// `data` and beside it).
    pub fn status(&self) -> Option<String> {
        text(self.data, "status").or_else(|| text(self.data, "state")).or_else(|| text(self.top, "status")).or_else(|| text(self.top, "state"))
    }

    /// `result.video_url` (reference) or a top-level `video_url` (in `data`
    /// or beside it).
    pub fn result_text(&self, key: &str) -> Option<String> {
        let result = self.data.get("result").and_then(Value::as_object);
        result.and_then(|r| text(r, key)).or_else(|| text(self.data, key)).or_else(|| text(self.top, key))
    }

    /// A task setting the status shows (what the service runs the task
    /// with), under any of the names a create may use for it.
    pub fn setting(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| text(self.data, n))
    }
}

/// A status word, normalised: `succeeded` (reference), `success`,
/// `completed` (script) are done; `failed` (reference), `error` (script)
/// are failed, and so are the end words of the same model's upstream
/// service (`cancelled`, `expired` — "task timed out") and of other
/// clients (`canceled`, `timeout`, `timed_out`, `fail`): polled as "not
/// final", such a task was followed forever. `None`: not final.
pub(crate) fn final_word(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "succeeded" | "success" | "completed" => Some(true),
        "failed" | "error" | "fail" | "cancelled" | "canceled" | "expired" | "timeout" | "timed_out" => Some(false),
        _ => None,
    }
}

/// A failed status word other than the documented `failed`, which the
/// person should see because it says why (`expired`: the task ran out of
/// time on Loova's side; `cancelled`: someone or something stopped it).
pub fn telling_failure_word(raw: &str) -> Option<&str> {
    let w = raw.trim();
    (final_word(w) == Some(false) && !w.eq_ignore_ascii_case("failed") && !w.eq_ignore_ascii_case("error")).then_some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(data: Value, top: Value) -> (Map<String, Value>, Map<String, Value>) {
        (data.as_object().unwrap().clone(), top.as_object().unwrap().clone())
    }

    #[test]
    fn task_id_in_every_spelling() {
        for (data, top) in [
            (json!({"task_id": "t1"}), json!({"code": 200})),
            (json!({"status": "running"}), json!({"code": 200, "task_id": "t1"})),
            (json!({"status": "running"}), json!({"code": 200, "taskId": "t1"})),
            (json!({"task_id": "t1"}), json!({"taskId": "other"})),
        ] {
            let (d, t) = answer(data, top);
            assert_eq!(Answer { data: &d, top: &t }.task_id().as_deref(), Some("t1"));
        }
        let (d, t) = answer(json!({"task_id": ""}), json!({}));
        assert_eq!(Answer { data: &d, top: &t }.task_id(), None);
    }

    #[test]
    fn status_in_every_spelling() {
        for (data, top) in [
            (json!({"status": "running"}), json!({})),
            (json!({"state": "running"}), json!({})),
            (json!({}), json!({"status": "running"})),
            (json!({}), json!({"state": "running"})),
        ] {
            let (d, t) = answer(data, top);
            assert_eq!(Answer { data: &d, top: &t }.status().as_deref(), Some("running"));
        }
    }

    #[test]
    fn video_url_in_result_or_at_the_top() {
        for (data, top) in [
            (json!({"result": {"video_url": "https://v/1.mp4"}}), json!({})),
            (json!({"video_url": "https://v/1.mp4", "result": null}), json!({})),
            (json!({}), json!({"video_url": "https://v/1.mp4"})),
        ] {
            let (d, t) = answer(data, top);
            assert_eq!(Answer { data: &d, top: &t }.result_text("video_url").as_deref(), Some("https://v/1.mp4"));
        }
    }

    #[test]
    fn final_words() {
        for w in ["succeeded", "success", "completed", "SUCCESS"] {
            assert_eq!(final_word(w), Some(true), "{w}");
        }
        for w in ["failed", "error", "Error", "cancelled", "canceled", "expired", "timeout", "timed_out", "fail", "EXPIRED"] {
            assert_eq!(final_word(w), Some(false), "{w}");
        }
        for w in ["running", "queued", "pending", "post_processing"] {
            assert_eq!(final_word(w), None, "{w}");
        }
        assert_eq!(telling_failure_word(" expired "), Some("expired"));
        assert_eq!(telling_failure_word("failed"), None);
        assert_eq!(telling_failure_word("succeeded"), None);
    }
}
