//! What a failed command sends to the UI: a stable code to branch on, the
//! field it concerns (if any), and a sentence that says what to do.

use loova_core::accounts::AccountError;
use serde::Serialize;

#[derive(Debug, Serialize, specta::Type)]
pub struct CommandError {
    pub code: String,
    pub field: Option<String>,
    pub message: String,
}

impl From<AccountError> for CommandError {
    fn from(e: AccountError) -> CommandError {
        let field = match &e {
            AccountError::Invalid { field, .. } => Some(field.to_string()),
            _ => None,
        };
        let message = match &e {
            AccountError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        CommandError { code: e.code().to_string(), field, message }
    }
}

impl From<loova_core::engine::EngineError> for CommandError {
    fn from(e: loova_core::engine::EngineError) -> CommandError {
        let field = match &e {
            loova_core::engine::EngineError::InvalidSpec(v) => v.first().map(|v| v.field.clone()),
            _ => None,
        };
        CommandError { code: e.code().to_string(), field, message: e.to_string() }
    }
}

impl CommandError {
    pub fn unavailable(reason: &str) -> CommandError {
        CommandError { code: "unavailable".into(), field: None, message: reason.to_string() }
    }
}
