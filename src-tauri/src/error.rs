//! What a failed command sends to the UI: a stable code from loova-core's
//! `ErrorCode` to branch on, the field it concerns (if any), a sentence that
//! says what happened and, when it is separate, how to fix it. No code is
//! invented here: every one comes from the error it maps.

use loova_core::ErrorCode;
use serde::Serialize;

#[derive(Debug, Serialize, specta::Type)]
pub struct CommandError {
    pub code: ErrorCode,
    pub field: Option<String>,
    pub message: String,
    /// How to fix it, when the message does not already say so.
    pub fix: Option<String>,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> CommandError {
        CommandError { code, field: None, message: message.into(), fix: None }
    }

    /// A wrong value in one field of a form.
    pub fn invalid(field: &str, message: impl Into<String>) -> CommandError {
        CommandError { field: Some(field.to_string()), ..CommandError::new(ErrorCode::InvalidInput, message) }
    }

    /// Something the shell needs (database, keychain, opener) is not there.
    pub fn unavailable(reason: &str) -> CommandError {
        CommandError::new(ErrorCode::Unavailable, reason)
    }
}

/// Every error of loova-core arrives through `Coded` (`loova_core::coded`
/// has each type's code, field, sentence and fix): the app and the CLI tell
/// a failure the same way.
impl<E: loova_core::Coded> From<E> for CommandError {
    fn from(e: E) -> CommandError {
        CommandError { code: e.code(), field: e.field().map(str::to_string), message: e.message(), fix: e.fix() }
    }
}
