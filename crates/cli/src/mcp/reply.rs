//! How every tool answers: a sentence first (what happened, what to do next),
//! then the figures as JSON, also as structured content. A failure is an MCP
//! tool error (`isError: true`) carrying the ErrorCode and the sentence, the
//! same pair the CLI's `--json` prints: `{"error": {"code", "message", "field"}}`.

use crate::Coded;
use loova_core::ErrorCode;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;

/// A successful answer: `said` for a person, `value` for a program.
pub fn ok(said: impl Into<String>, value: &impl Serialize) -> CallToolResult {
    let value = serde_json::to_value(value).expect("our types serialize");
    let mut r = CallToolResult::structured(value.clone());
    r.content = vec![ContentBlock::text(said), ContentBlock::text(pretty(&value))];
    r
}

/// A tool error with its code and the sentence that says what to do.
pub fn error(code: ErrorCode, message: impl Into<String>, field: Option<&str>) -> CallToolResult {
    error_with(code, message, field, serde_json::Value::Null)
}

/// A tool error with details (every violation, the plan that was refused…).
pub fn error_with(code: ErrorCode, message: impl Into<String>, field: Option<&str>, details: impl Serialize) -> CallToolResult {
    let message = message.into();
    let mut body = serde_json::json!({"error": {"code": code, "message": message, "field": field}});
    let details = serde_json::to_value(details).expect("our types serialize");
    if !details.is_null() {
        body["details"] = details;
    }
    let mut r = CallToolResult::structured_error(body.clone());
    r.content = vec![ContentBlock::text(format!("[{code}] {message}")), ContentBlock::text(pretty(&body))];
    r
}

/// Any failure the CLI reports, as a tool error.
pub fn failure(e: &dyn Coded) -> CallToolResult {
    error(e.code(), e.to_string(), e.field())
}

/// A job that breaks rules: every violation with its field and fix.
pub fn violations(intro: &str, vs: &[loova_core::Violation]) -> CallToolResult {
    let lines: Vec<String> = vs.iter().map(|v| format!("{}: {} — {}", v.field, v.message, v.fix)).collect();
    let code = vs.first().map_or(ErrorCode::InvalidSpec, |v| v.code);
    error_with(code, format!("{intro} {}", lines.join("; ")), vs.first().map(|v| v.field.as_str()), vs)
}

/// An engine error: its violations or media problems listed, else its sentence.
pub fn engine(e: &loova_core::engine::EngineError) -> CallToolResult {
    use loova_core::engine::EngineError;
    match e {
        EngineError::InvalidSpec(vs) => violations("Nothing was done: the job breaks these rules.", vs),
        EngineError::Media(ms) => {
            let lines: Vec<String> = ms.iter().map(ToString::to_string).collect();
            error(ms.first().map_or(ErrorCode::MediaUnreadable, |m| m.code()), format!("Nothing was done: {}", lines.join("; ")), None)
        }
        other => failure(other),
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).expect("a JSON value prints")
}
