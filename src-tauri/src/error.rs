//! What a failed command sends to the UI: a stable code from loova-core's
//! `ErrorCode` to branch on, the field it concerns (if any), a sentence that
//! says what happened and, when it is separate, how to fix it. No code is
//! invented here: every one comes from the error it maps.

use loova_core::accounts::AccountError;
use loova_core::batch::BatchError;
use loova_core::engine::EngineError;
use loova_core::store::StoreError;
use loova_core::vault::VaultError;
use loova_core::{ErrorCode, PriceListError, Violation};
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

impl From<AccountError> for CommandError {
    fn from(e: AccountError) -> CommandError {
        let field = e.field().map(str::to_string);
        let message = match &e {
            AccountError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        CommandError { code: e.code(), field, message, fix: None }
    }
}

impl From<EngineError> for CommandError {
    fn from(e: EngineError) -> CommandError {
        CommandError { code: e.code(), field: e.field().map(str::to_string), message: e.to_string(), fix: None }
    }
}

impl From<loova_core::spending::caps::CapError> for CommandError {
    fn from(e: loova_core::spending::caps::CapError) -> CommandError {
        CommandError { code: e.code(), field: e.field().map(str::to_string), message: e.to_string(), fix: None }
    }
}

/// The first broken rule of a job, at its field.
impl From<Violation> for CommandError {
    fn from(v: Violation) -> CommandError {
        CommandError { code: v.code, field: Some(v.field), message: v.message, fix: Some(v.fix) }
    }
}

impl From<BatchError> for CommandError {
    fn from(e: BatchError) -> CommandError {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> CommandError {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<VaultError> for CommandError {
    fn from(e: VaultError) -> CommandError {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<PriceListError> for CommandError {
    fn from(e: PriceListError) -> CommandError {
        CommandError::new(e.code(), e.to_string())
    }
}
