//! The one response envelope `{code, trace_id, message, data}` used by every
//! answer, errors included, and the mangling used by body faults.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::config::ErrorReply;

/// An answer before it is serialised (so faults can still mangle it).
#[derive(Debug, Clone)]
pub struct Reply {
    pub http: u16,
    pub code: i64,
    pub message: Option<String>,
    pub data: Value,
    /// Fields beside `code`…`data` (e.g. a top-level `taskId`, as some of
    /// Loova's own clients expect).
    pub extra: serde_json::Map<String, Value>,
}

impl Reply {
    pub fn ok(data: Value) -> Self {
        Reply { http: 200, code: 200, message: None, data, extra: Default::default() }
    }

    /// The same answer with `name: value` beside the envelope's own fields.
    pub fn with_top_level(mut self, name: &str, value: Value) -> Self {
        self.extra.insert(name.to_string(), value);
        self
    }
    pub fn error(http: u16, code: i64, message: impl Into<String>) -> Self {
        Reply { http, code, message: Some(message.into()), data: Value::Null, extra: Default::default() }
    }
    pub fn from_config(r: &ErrorReply, limit: usize) -> Self {
        Reply::error(r.http_status, r.code, r.message.replace("{limit}", &limit.to_string()))
    }

    pub fn body(&self, trace_id: &str) -> String {
        let mut v = json!({"code": self.code, "trace_id": trace_id, "message": self.message, "data": self.data});
        if let Some(obj) = v.as_object_mut() {
            obj.extend(self.extra.clone());
        }
        v.to_string()
    }

    pub fn render(&self, trace_id: &str) -> Response {
        json_response(self.http, self.body(trace_id))
    }

    /// Correct status, body that is not JSON at all (e.g. a proxy's page
    /// or a corrupted answer).
    pub fn render_malformed(&self, trace_id: &str) -> Response {
        json_response(self.http, format!("{{code: {}, trace_id: {trace_id}, data: <<unparseable>>", self.code))
    }

    /// Correct status, first half of the JSON body (Content-Length matches
    /// the half, so the HTTP message itself is complete).
    pub fn render_truncated(&self, trace_id: &str) -> Response {
        let body = self.body(trace_id);
        let half = body.len() / 2;
        json_response(self.http, body[..half].to_string())
    }
}

pub fn json_response(http: u16, body: String) -> Response {
    let status = StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
