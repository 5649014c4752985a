use crate::api::{ApiError, ErrorClass};
use crate::store::StoreError;
use crate::vault::VaultError;
use crate::ErrorCode;

/// Account operations fail with a stable `code` for the UI and CLI to branch
/// on, and a sentence that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("No account is called \"{0}\". Run `loova accounts list` to see the names.")]
    NotFound(String),
    /// The service refused the key; the message says what to do.
    #[error("{0}")]
    KeyRejected(String),
    /// The service could not be reached; the message says what to do.
    #[error("{0}")]
    Unreachable(String),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Api(ApiError),
}

impl AccountError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AccountError::Invalid { .. } => ErrorCode::InvalidInput,
            AccountError::NotFound(_) => ErrorCode::AccountNotFound,
            AccountError::KeyRejected(_) => ErrorCode::KeyRejected,
            AccountError::Unreachable(_) => ErrorCode::Unreachable,
            AccountError::Vault(v) => v.code(),
            AccountError::Store(s) => s.code(),
            AccountError::Api(a) => a.code(),
        }
    }

    /// The form field the error concerns, if it is one field's.
    pub fn field(&self) -> Option<&str> {
        match self {
            AccountError::Invalid { field, .. } => Some(field),
            AccountError::Api(ApiError::InsecureBaseUrl { .. }) => Some("base_url"),
            _ => None,
        }
    }

    /// Bad input (exit code 2) rather than a failure of a service (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            AccountError::Invalid { .. } | AccountError::NotFound(_) | AccountError::KeyRejected(_) | AccountError::Api(ApiError::InsecureBaseUrl { .. })
        )
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> AccountError {
        AccountError::Invalid { field, message: message.into() }
    }

    /// A base URL the API client refuses, as the form's `base_url` field's
    /// error; plain http to another computer keeps its own code.
    pub(crate) fn from_base_url(e: ApiError) -> AccountError {
        match e {
            ApiError::InsecureBaseUrl { .. } => AccountError::Api(e),
            other => AccountError::invalid("base_url", other.to_string()),
        }
    }

    /// A credits check that failed: the key's fault, the network's, or other.
    pub(crate) fn from_check(e: ApiError) -> AccountError {
        match e.class() {
            ErrorClass::Auth => AccountError::KeyRejected(e.to_string()),
            ErrorClass::Transient | ErrorClass::OutcomeUnknown => AccountError::Unreachable(e.to_string()),
            _ => AccountError::Api(e),
        }
    }
}
