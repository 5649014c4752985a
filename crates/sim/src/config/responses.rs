//! The answer used for each failure class, and how numbers are written.

use serde::{Deserialize, Serialize};

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
        ErrorReply { http_status, code, message: message.to_string() }
    }
}

/// The answer used for each failure class. Validation replies keep their
/// status and code here; their message is always generated (it names the field).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Responses {
    pub validation: ErrorReply,
    /// Unknown, missing and revoked keys alike.
    pub auth: ErrorReply,
    pub insufficient_credits: ErrorReply,
    pub concurrency: ErrorReply,
    pub not_found: ErrorReply,
    pub business_failure: ErrorReply,
    pub server_error_message: String,
    /// `message` of successful API answers: `null` (the reference's
    /// examples) or e.g. `"success"` (the quickstart's).
    pub success_message: Option<String>,
}

impl Default for Responses {
    fn default() -> Self {
        Responses {
            validation: ErrorReply::new(400, 400, "invalid request"),
            auth: ErrorReply::new(401, 401, "authentication failed: invalid API key"),
            insufficient_credits: ErrorReply::new(402, 402, "insufficient credits: API credits balance is too low for this task"),
            concurrency: ErrorReply::new(429, 429, "concurrency limit reached: at most {limit} tasks may run at once"),
            not_found: ErrorReply::new(404, 404, "task not found"),
            business_failure: ErrorReply::new(200, 200, "system busy, please try again later"),
            server_error_message: "internal server error".to_string(),
            success_message: None,
        }
    }
}

/// How `credits_cost` is written in create and task-status answers: the
/// reference shows both `12` and `12.0`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CostFormat {
    Integer,
    Decimal,
}
