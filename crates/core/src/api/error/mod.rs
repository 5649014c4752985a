//! Why a call to the Loova API failed, in terms the queue can act on.
//!
//! The API reference does not document which HTTP status goes with which
//! failure and warns that business failures may reuse a `code` with different
//! messages, so a failure is classified from the HTTP status, the envelope's
//! `code` and its `message` together (see [`classify`]).
//!
//! The one distinction that costs money is "did the create request reach the
//! service?". There is no idempotency key and no way to list tasks, so a create
//! whose answer was lost may have created and charged a task. Only failures
//! that provably happened before the request left this machine (no TCP
//! connection) or definite rejections are safe to send again; everything else
//! about a create is [`ErrorClass::OutcomeUnknown`].
//!
//! No error ever holds the API key: the key only goes into a request header,
//! and reqwest errors never include headers.

mod classify;
mod text;

pub use classify::{classify, invalid_field};

use super::DEFAULT_BASE_URL;
use serde::Serialize;
use std::fmt;
use text::{no_answer_text, service_text, unreadable_text};

/// Which call failed. Part of every error, because the same symptom means
/// different things for a create (maybe charged) and a GET (safe to repeat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// `GET /v1/credits`
    Credits,
    /// `POST /v1/video/seedance-2`
    Create,
    /// `GET /v1/tasks?task_id=`
    Task { task_id: String },
}

impl Op {
    pub fn is_create(&self) -> bool {
        matches!(self, Op::Create)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Credits => f.write_str("checking the API credit balance"),
            Op::Create => f.write_str("creating a video task"),
            Op::Task { task_id } => write!(f, "checking the status of task {task_id}"),
        }
    }
}

/// What the caller should do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The key is wrong or revoked: pause the account, ask for a new key.
    Auth,
    /// Not enough API credits: pause the account's queue and tell the person.
    /// Never try the App Credits pool: it cannot pay for API tasks.
    InsufficientCredits,
    /// The concurrency (or rate) limit: wait for a slot and retry; not a
    /// failure of the job.
    LimitReached,
    /// The service rejected the request as invalid: the job needs editing.
    Invalid,
    /// The task does not exist (or belongs to another key).
    NotFound,
    /// Safe to retry with backoff: the request provably never reached the
    /// service, or it was a GET (which changes nothing) that got no usable answer.
    Transient,
    /// A create was sent but no usable answer came back: the task may have
    /// been created and charged. Never resubmit automatically.
    OutcomeUnknown,
    /// A GET answered with a failure envelope (e.g. code 200, a message, no
    /// data) that matches nothing more specific. Retry later.
    Business,
    /// Local setup is wrong (base URL, HTTP client); nothing was created.
    /// Not in the API's own vocabulary: a 404 "no such endpoint" or a redirect
    /// means the base URL setting is wrong, which no retry will fix.
    Config,
}

/// A failed call. `Display` is a sentence a person can act on; every variant
/// keeps what is known of the answer (HTTP status, Loova's trace id).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The base URL setting is not an http(s) URL. Nothing was sent.
    #[error("The Loova API address \"{url}\" cannot be used: {reason}. Enter the account's API base URL, for example {}.", DEFAULT_BASE_URL)]
    BadBaseUrl { url: String, reason: String },

    /// The base URL is plain `http://` to another computer: the key would
    /// travel unencrypted. Nothing was sent.
    #[error("The account's API base URL \"{url}\" uses plain http://, which would send the API key unencrypted: http:// is allowed only for this computer (localhost, 127.0.0.1, ::1). Use the service's https:// address instead, for example {}.", DEFAULT_BASE_URL)]
    InsecureBaseUrl { url: String },

    /// The HTTP client itself could not be built or a request could not be
    /// formed. Nothing was sent.
    #[error("The request could not be prepared on this computer while {op} ({detail}). Nothing was sent to Loova; check the account's base URL setting.")]
    Setup { op: Op, detail: String },

    /// A local file of the job is gone or no longer what was queued (deleted
    /// from the data folder, replaced, unreadable). Nothing was sent, and no
    /// retry will bring the file back: a person has to.
    #[error("A file of this job can no longer be sent: {detail}. Nothing was sent to Loova. Add the file again in the Composer and queue a new job.")]
    LocalFile { op: Op, detail: String },

    /// The key cannot be put into an HTTP header (spaces, line breaks, non-ASCII).
    /// Nothing was sent. The key itself is deliberately not part of the error.
    #[error("The API key contains characters that cannot be sent in a request (such as spaces, line breaks or non-ASCII letters). Nothing was sent; paste the key again.")]
    MalformedKey { op: Op },

    /// No TCP (or TLS) connection could be established: connection refused,
    /// DNS failure, connect timeout. The request never left this machine.
    #[error("Could not connect to Loova while {op} ({detail}). The request never reached the service, so it is safe to retry; check the internet connection and the account's base URL.")]
    Unreachable { op: Op, detail: String },

    /// The connection was established and the request (possibly) written, but
    /// no complete answer arrived: timeout after connecting, connection reset
    /// or closed, body cut off.
    #[error("{}", no_answer_text(.op, .http_status, .detail, .trace_id))]
    NoAnswer { op: Op, http_status: Option<u16>, trace_id: Option<String>, detail: String },

    /// A 2xx answer arrived but was not a usable envelope (not JSON, cut off,
    /// missing `code` or required fields).
    #[error("{}", unreadable_text(.op, .http_status, .detail, .trace_id))]
    Unreadable { op: Op, http_status: u16, trace_id: Option<String>, detail: String },

    /// The service answered with a failure (non-2xx, `code` != 200, or no data).
    #[error("{}", service_text(.op, .class, .http_status, .code, .message, .field, .trace_id))]
    Service {
        op: Op,
        class: ErrorClass,
        http_status: u16,
        code: Option<i64>,
        message: Option<String>,
        /// For [`ErrorClass::Invalid`]: the request field the message names.
        field: Option<String>,
        trace_id: Option<String>,
    },
}

impl ApiError {
    /// A failure answer from the service, classified.
    pub(crate) fn service(op: Op, http_status: u16, code: Option<i64>, message: Option<String>, trace_id: Option<String>) -> ApiError {
        let class = classify(&op, http_status, code, message.as_deref());
        let field = if class == ErrorClass::Invalid { message.as_deref().and_then(invalid_field) } else { None };
        ApiError::Service { op, class, http_status, code, message, field, trace_id }
    }

    /// What the caller should do.
    pub fn class(&self) -> ErrorClass {
        match self {
            ApiError::BadBaseUrl { .. } | ApiError::InsecureBaseUrl { .. } | ApiError::Setup { .. } => ErrorClass::Config,
            ApiError::MalformedKey { .. } => ErrorClass::Auth,
            ApiError::LocalFile { .. } => ErrorClass::Invalid,
            // No connection, so nothing was sent: safe for every request.
            ApiError::Unreachable { .. } => ErrorClass::Transient,
            // Sent, but no usable answer: a GET can simply be repeated, a create
            // may have been processed (and charged).
            ApiError::NoAnswer { op, .. } | ApiError::Unreadable { op, .. } => {
                if op.is_create() {
                    ErrorClass::OutcomeUnknown
                } else {
                    ErrorClass::Transient
                }
            }
            ApiError::Service { class, .. } => *class,
        }
    }

    /// The stable code: what failed, for the UI and the CLI's `--json`.
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            ApiError::BadBaseUrl { .. } => ErrorCode::BadBaseUrl,
            ApiError::InsecureBaseUrl { .. } => ErrorCode::InsecureBaseUrl,
            ApiError::Setup { .. } => ErrorCode::Config,
            ApiError::LocalFile { .. } => ErrorCode::LocalFileGone,
            ApiError::MalformedKey { .. } => ErrorCode::MalformedKey,
            ApiError::Unreachable { .. } => ErrorCode::Unreachable,
            ApiError::NoAnswer { op, .. } if op.is_create() => ErrorCode::OutcomeUnknown,
            ApiError::NoAnswer { .. } => ErrorCode::NoAnswer,
            ApiError::Unreadable { op, .. } if op.is_create() => ErrorCode::OutcomeUnknown,
            ApiError::Unreadable { .. } => ErrorCode::UnreadableAnswer,
            ApiError::Service { class, .. } => match class {
                ErrorClass::Auth => ErrorCode::KeyRejected,
                ErrorClass::InsufficientCredits => ErrorCode::InsufficientCredits,
                ErrorClass::LimitReached => ErrorCode::LimitReached,
                ErrorClass::Invalid => ErrorCode::Invalid,
                ErrorClass::NotFound => ErrorCode::TaskNotFound,
                ErrorClass::Transient => ErrorCode::ServiceBusy,
                ErrorClass::OutcomeUnknown => ErrorCode::OutcomeUnknown,
                ErrorClass::Business => ErrorCode::ServiceError,
                ErrorClass::Config => ErrorCode::Config,
            },
        }
    }

    /// True when repeating the same GET later (with backoff) may succeed
    /// without anyone changing anything. Always false for a create: whether a
    /// create may be resent is decided by [`ApiError::class`] alone.
    pub fn is_retryable_get(&self) -> bool {
        if self.op().is_some_and(Op::is_create) {
            return false;
        }
        matches!(self.class(), ErrorClass::Transient | ErrorClass::Business | ErrorClass::LimitReached)
    }

    /// The call that failed (`None` for a bad base URL, which fails before any call).
    pub fn op(&self) -> Option<&Op> {
        match self {
            ApiError::BadBaseUrl { .. } | ApiError::InsecureBaseUrl { .. } => None,
            ApiError::Setup { op, .. }
            | ApiError::LocalFile { op, .. }
            | ApiError::MalformedKey { op }
            | ApiError::Unreachable { op, .. }
            | ApiError::NoAnswer { op, .. }
            | ApiError::Unreadable { op, .. }
            | ApiError::Service { op, .. } => Some(op),
        }
    }

    /// Loova's trace id, for support requests.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            ApiError::NoAnswer { trace_id, .. } | ApiError::Unreadable { trace_id, .. } | ApiError::Service { trace_id, .. } => trace_id.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when one arrived.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::NoAnswer { http_status, .. } => *http_status,
            ApiError::Unreadable { http_status, .. } | ApiError::Service { http_status, .. } => Some(*http_status),
            _ => None,
        }
    }

    /// A 404 that is not an API answer (no envelope): the path does not
    /// exist on that server, as when the base URL lacks or has an extra
    /// `/api` (see [`super::other_base_form`]).
    pub fn is_bare_not_found(&self) -> bool {
        matches!(self, ApiError::Service { http_status: 404, code: None, message: None, .. })
    }

    /// The service's `message`, verbatim, when it sent one.
    pub fn service_message(&self) -> Option<&str> {
        match self {
            ApiError::Service { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    /// For a validation rejection: the request field the service named.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Service { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}
