//! How the rules' own errors present themselves to a front end: one `Coded`
//! impl per error type, as loova-core's `coded.rs` does for its errors.
//! These live here because the trait and the types both do (the orphan rule
//! lets no other crate write them).

use crate::error_code::{Coded, ErrorCode};
use crate::pricing::PriceListError;
use crate::variations::{SyntaxError, VariationError};
use crate::Violation;

impl Coded for PriceListError {
    fn code(&self) -> ErrorCode {
        PriceListError::code(self)
    }
}

impl Coded for VariationError {
    fn code(&self) -> ErrorCode {
        VariationError::code(self)
    }
    fn field(&self) -> Option<&str> {
        Some(VariationError::field(self))
    }
    fn is_bad_input(&self) -> bool {
        VariationError::is_bad_input(self)
    }
}

/// A template that cannot be read: at the prompt.
impl Coded for SyntaxError {
    fn code(&self) -> ErrorCode {
        ErrorCode::TemplateSyntax
    }
    fn field(&self) -> Option<&str> {
        Some("prompt")
    }
    fn is_bad_input(&self) -> bool {
        true
    }
}

/// The first broken rule of a job, at its field, with its fix.
impl Coded for Violation {
    fn code(&self) -> ErrorCode {
        self.code
    }
    fn field(&self) -> Option<&str> {
        Some(&self.field)
    }
    fn fix(&self) -> Option<String> {
        Some(self.fix.clone())
    }
    fn is_bad_input(&self) -> bool {
        true
    }
    fn message(&self) -> String {
        self.message.clone()
    }
}
