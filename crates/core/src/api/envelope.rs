//! The one response envelope `{code, trace_id, message, data}`.
//!
//! Success needs all of: a 2xx HTTP status, `code` 200 and an object in
//! `data`. HTTP 200 alone proves nothing (the reference says failures may come
//! with code != 200, or with the same code and only a different message).

use serde_json::{Map, Value};

use super::error::{ApiError, Op};

/// A successful answer: its `data` and what identifies it.
#[derive(Debug)]
pub(crate) struct Opened {
    pub http_status: u16,
    pub trace_id: Option<String>,
    pub data: Map<String, Value>,
    /// The envelope's other fields: some clients of Loova's read the task id
    /// or the status beside `code` (see `lenient`).
    pub top: Map<String, Value>,
}

impl Opened {
    /// `data` did not have the fields a success needs.
    pub fn unusable(self, op: Op, detail: String) -> ApiError {
        ApiError::Unreadable { op, http_status: self.http_status, trace_id: self.trace_id, detail }
    }
}

/// Open an answer: `Ok(data)` on success, else the classified failure.
pub(crate) fn open(op: &Op, http_status: u16, body: &[u8]) -> Result<Opened, ApiError> {
    let success_status = (200..300).contains(&http_status);
    let parsed: Option<Map<String, Value>> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    };
    let Some(env) = parsed else {
        // Not an envelope (a proxy's HTML page, a cut-off body). A non-2xx
        // status still says what happened (a 429 or 401 page from a gateway
        // is a definite rejection); a 2xx one tells us nothing.
        let trace_id = scan_trace_id(body);
        if success_status {
            let detail = if body.is_empty() { "empty body".to_string() } else { format!("the body is not a JSON envelope ({} bytes)", body.len()) };
            return Err(ApiError::Unreadable { op: op.clone(), http_status, trace_id, detail });
        }
        return Err(ApiError::service(op.clone(), http_status, None, None, trace_id));
    };

    let code = env.get("code").and_then(as_i64);
    let trace_id = env.get("trace_id").and_then(as_text);
    let message = env.get("message").and_then(as_text).filter(|m| !m.trim().is_empty());
    let mut top = env;
    let data = top.remove("data").unwrap_or(Value::Null);

    if success_status && code == Some(200) {
        match data {
            Value::Object(data) => return Ok(Opened { http_status, trace_id, data, top }),
            // A message without data is a (business) failure, classified below.
            Value::Null => {}
            other => {
                return Err(ApiError::Unreadable { op: op.clone(), http_status, trace_id, detail: format!("`data` is {} instead of an object", kind(&other)) })
            }
        }
    }
    if success_status && code.is_none() {
        return Err(ApiError::Unreadable { op: op.clone(), http_status, trace_id, detail: "the envelope has no `code`".into() });
    }
    Err(ApiError::service(op.clone(), http_status, code, message, trace_id))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An integer given as a number (`200`, `200.0`) or a string (`"200"`).
pub(crate) fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A string field (numbers are accepted and written out).
pub(crate) fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The trace id of a body that is not valid JSON (e.g. cut off half-way),
/// so that even an unreadable answer can be traced by Loova's support.
fn scan_trace_id(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let after = text.split("\"trace_id\"").nth(1)?;
    let after = after.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = after.find('"')?;
    let id = &after[..end];
    (!id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorClass;

    #[test]
    fn success_needs_code_200_and_data() {
        let ok = open(&Op::Credits, 200, br#"{"code":200,"trace_id":"t","message":null,"data":{"a":1}}"#).unwrap();
        assert_eq!((ok.data["a"].as_i64(), ok.trace_id.as_deref()), (Some(1), Some("t")));
        let e = open(&Op::Credits, 200, br#"{"code":401,"trace_id":"t","message":"authentication failed","data":null}"#).unwrap_err();
        assert_eq!((e.class(), e.trace_id()), (ErrorClass::Auth, Some("t")));
        let e = open(&Op::Create, 200, br#"{"code":200,"trace_id":"t2","message":"system busy","data":null}"#).unwrap_err();
        assert_eq!((e.class(), e.trace_id()), (ErrorClass::OutcomeUnknown, Some("t2")));
        let e = open(&Op::Create, 200, br#"{"trace_id":"t3","data":{"task_id":"x"}}"#).unwrap_err();
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown);
    }

    #[test]
    fn unreadable_bodies() {
        let e = open(&Op::Create, 200, br#"{"code":200,"trace_id":"abc123","message":nu"#).unwrap_err();
        assert_eq!((e.class(), e.trace_id(), e.http_status()), (ErrorClass::OutcomeUnknown, Some("abc123"), Some(200)));
        let e = open(&Op::Task { task_id: "x".into() }, 200, b"<html>").unwrap_err();
        assert_eq!(e.class(), ErrorClass::Transient);
        // A gateway's HTML 429 page is still a definite limit rejection.
        let e = open(&Op::Create, 429, b"<html>Too Many Requests</html>").unwrap_err();
        assert_eq!(e.class(), ErrorClass::LimitReached);
        let e = open(&Op::Create, 502, b"<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown);
    }
}
