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

use std::fmt;

use serde::Serialize;

use super::DEFAULT_BASE_URL;

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
            ApiError::BadBaseUrl { .. } | ApiError::Setup { .. } => ErrorClass::Config,
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
            ApiError::BadBaseUrl { .. } => None,
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
            ApiError::NoAnswer { trace_id, .. } | ApiError::Unreadable { trace_id, .. } | ApiError::Service { trace_id, .. } => {
                trace_id.as_deref()
            }
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

/// Classify a failure answer. Order matters:
/// 1. the statuses/codes that name a class (401/403, 402, 429) win;
/// 2. an HTTP 5xx is a server or proxy failure whatever the body says: a GET is
///    retried, a create is `OutcomeUnknown`. Conservative on purpose: a 500 may
///    come from the application after it stored (and charged) the task, and
///    even 502/503/504, which usually come from a proxy before the app, can be
///    sent by a gateway that timed out waiting for an app that did create the
///    task. We cannot tell which from here, and a double charge is worse than
///    asking the person;
/// 3. a redirect means the base URL is wrong (we never follow redirects: a
///    redirected POST may be replayed as a GET or to another host);
/// 4. the message (the reference says business failures may share a code and
///    differ only in message): validation, authentication, credits, limit;
/// 5. remaining 4xx statuses/codes: 400/422 invalid, 404 not found (a 404 for
///    a create or the balance means there is no such endpoint: wrong base
///    URL), 408 transient (the server timed out *receiving* the request, so it
///    did not process it), other 4xx a definite rejection;
/// 6. anything else (e.g. HTTP 200, code 200, a message and no data): for a
///    create the service may have done the work, so `OutcomeUnknown`; for a
///    GET a `Business` failure to retry later.
pub fn classify(op: &Op, http_status: u16, code: Option<i64>, message: Option<&str>) -> ErrorClass {
    let is = |n: u16| http_status == n || code == Some(i64::from(n));
    let create = op.is_create();
    let unknown_or_transient = if create { ErrorClass::OutcomeUnknown } else { ErrorClass::Transient };
    let m = message.unwrap_or("").to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| m.contains(w));

    if is(401) || is(403) {
        return ErrorClass::Auth;
    }
    if is(402) {
        return ErrorClass::InsufficientCredits;
    }
    if is(429) {
        return ErrorClass::LimitReached;
    }
    if http_status >= 500 {
        return unknown_or_transient;
    }
    if (300..400).contains(&http_status) {
        return ErrorClass::Config;
    }

    let validation_status = is(400) || is(422);
    if has(&["invalid parameter", "invalid param", "validation failed", "validation error"]) {
        return ErrorClass::Invalid;
    }
    if has(&["authentication", "unauthorized", "unauthorised", "invalid api key", "invalid key", "api key is invalid", "api key invalid"]) {
        return ErrorClass::Auth;
    }
    if has(&["insufficient"]) || (has(&["not enough", "too low"]) && has(&["credit", "balance"])) {
        return ErrorClass::InsufficientCredits;
    }
    // "limit" alone also appears in validation messages ("at most 9 images,
    // limit exceeded"), so it only counts when the status is not a validation one.
    if has(&["concurren", "too many", "rate limit", "running tasks", "tasks running"]) || (!validation_status && has(&["limit"])) {
        return ErrorClass::LimitReached;
    }

    if validation_status {
        return ErrorClass::Invalid;
    }
    if is(404) {
        return match op {
            Op::Task { .. } if !has(&["endpoint", "no such path", "route"]) => ErrorClass::NotFound,
            _ => ErrorClass::Config,
        };
    }
    if is(408) {
        return ErrorClass::Transient;
    }
    let code_4xx = code.is_some_and(|c| (400..500).contains(&c));
    if (400..500).contains(&http_status) || code_4xx {
        return if create { ErrorClass::Invalid } else { ErrorClass::Business };
    }
    if code.is_some_and(|c| c >= 500) {
        return unknown_or_transient;
    }
    if create {
        ErrorClass::OutcomeUnknown
    } else {
        ErrorClass::Business
    }
}

/// Request fields a validation message may name.
const FIELDS: [&str; 10] =
    ["model", "prompt", "function_mode", "ratio", "duration", "image_urls", "video_urls", "audio_urls", "files", "task_id"];

/// The field a validation message names: a `backticked` word, else the first
/// known field name mentioned as a whole word, else the word after
/// "parameter"/"field".
pub fn invalid_field(message: &str) -> Option<String> {
    let is_ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']');
    let mut parts = message.split('`');
    if let (Some(_), Some(inside), Some(_)) = (parts.next(), parts.next(), parts.next()) {
        if is_ident(inside) {
            return Some(inside.to_string());
        }
    }
    let lower = message.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(w) = words.iter().find(|w| FIELDS.contains(w)) {
        return Some((*w).to_string());
    }
    words
        .windows(2)
        .find(|p| matches!(p[0], "parameter" | "param" | "field"))
        .map(|p| p[1].to_string())
}

fn trace_suffix(trace_id: &Option<String>) -> String {
    match trace_id {
        Some(t) => format!(" (Loova trace id: {t})"),
        None => String::new(),
    }
}

const MAY_BE_CHARGED: &str = "The request was sent, so the task may have been created and charged. Check the Loova web app before submitting it again: submitting again may charge twice.";

fn no_answer_text(op: &Op, http_status: &Option<u16>, detail: &str, trace_id: &Option<String>) -> String {
    let status = http_status.map(|s| format!(", HTTP {s}")).unwrap_or_default();
    let t = trace_suffix(trace_id);
    if op.is_create() {
        format!("Loova did not answer the create request completely ({detail}{status}). {MAY_BE_CHARGED}{t}")
    } else {
        format!("Loova did not answer completely while {op} ({detail}{status}). Nothing changes on the service by asking again; it will be retried.{t}")
    }
}

fn unreadable_text(op: &Op, http_status: &u16, detail: &str, trace_id: &Option<String>) -> String {
    let t = trace_suffix(trace_id);
    if op.is_create() {
        format!("Loova's answer to the create request could not be read ({detail}, HTTP {http_status}). {MAY_BE_CHARGED}{t}")
    } else {
        format!("Loova's answer could not be read while {op} ({detail}, HTTP {http_status}). It will be retried.{t}")
    }
}

#[allow(clippy::too_many_arguments)]
fn service_text(
    op: &Op,
    class: &ErrorClass,
    http_status: &u16,
    code: &Option<i64>,
    message: &Option<String>,
    field: &Option<String>,
    trace_id: &Option<String>,
) -> String {
    let said = {
        let mut s = format!("HTTP {http_status}");
        if let Some(c) = code {
            if i64::from(*http_status) != *c {
                s.push_str(&format!(", code {c}"));
            }
        }
        if let Some(m) = message {
            s.push_str(&format!(": \"{m}\""));
        }
        s
    };
    let t = trace_suffix(trace_id);
    match class {
        ErrorClass::Auth => format!("Loova rejected the API key while {op} ({said}). Check that the key is correct and has not been revoked, then save it again.{t}"),
        ErrorClass::InsufficientCredits => format!("Loova refused the request because the account has too few API credits ({said}). Top up API credits for this account; App Credits cannot pay for API tasks.{t}"),
        ErrorClass::LimitReached if op.is_create() => format!("Loova refused the task because too many tasks are running on this account ({said}). Nothing was created; it will be submitted again when a running task finishes.{t}"),
        ErrorClass::LimitReached => format!("Loova is limiting requests while {op} ({said}). It will be retried shortly.{t}"),
        ErrorClass::Invalid => {
            let f = field.as_ref().map(|f| format!(" The problem is in `{f}`."))
                .unwrap_or_default();
            format!("Loova rejected the request as invalid while {op} ({said}).{f} Correct the job in the Composer and queue it again.{t}")
        }
        ErrorClass::NotFound => format!("Loova does not know this task ({said}) while {op}. It may have been created with another API key.{t}"),
        ErrorClass::Transient => format!("Loova had a temporary problem while {op} ({said}). Nothing changes on the service by asking again; it will be retried.{t}"),
        ErrorClass::OutcomeUnknown => format!("Loova answered the create request with a failure that does not say whether the task was created ({said}). {MAY_BE_CHARGED}{t}"),
        ErrorClass::Business => format!("Loova could not answer while {op} ({said}). It will be retried later.{t}"),
        ErrorClass::Config => format!("Loova has no such endpoint or redirected the request while {op} ({said}). The account's base URL is probably wrong: it should look like {DEFAULT_BASE_URL} (note the /api).{t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorClass::*;

    fn task() -> Op {
        Op::Task { task_id: "t1".into() }
    }

    #[test]
    fn classification_table() {
        let c = |op: &Op, h, code, m| classify(op, h, code, m);
        let create = Op::Create;
        // Statuses and codes that name a class.
        assert_eq!(c(&create, 401, Some(401), Some("authentication failed: invalid API key")), Auth);
        assert_eq!(c(&task(), 200, Some(403), None), Auth);
        assert_eq!(c(&create, 402, Some(402), Some("insufficient credits")), InsufficientCredits);
        assert_eq!(c(&create, 429, Some(429), Some("concurrency limit reached")), LimitReached);
        // Messages when status and code say nothing specific.
        assert_eq!(c(&create, 200, Some(500), Some("Unauthorized")), Auth);
        assert_eq!(c(&create, 200, Some(200), Some("Not enough credits in balance")), InsufficientCredits);
        assert_eq!(c(&create, 200, Some(200), Some("too many running tasks")), LimitReached);
        assert_eq!(c(&create, 200, Some(200), Some("task limit reached")), LimitReached);
        assert_eq!(c(&create, 400, Some(400), Some("image_urls over the limit of 9")), Invalid);
        assert_eq!(c(&create, 422, None, None), Invalid);
        // 5xx: conservative for create, retry for GET.
        for h in [500, 502, 503, 504] {
            assert_eq!(c(&create, h, Some(i64::from(h)), Some("internal server error")), OutcomeUnknown);
            assert_eq!(c(&task(), h, None, None), Transient);
            assert_eq!(c(&Op::Credits, h, None, None), Transient);
        }
        assert_eq!(c(&create, 200, Some(500), Some("internal error")), OutcomeUnknown);
        // Business failures: code 200, message, no data.
        assert_eq!(c(&create, 200, Some(200), Some("system busy, please try again later")), OutcomeUnknown);
        assert_eq!(c(&task(), 200, Some(200), Some("system busy, please try again later")), Business);
        // 404s.
        assert_eq!(c(&task(), 404, Some(404), Some("task not found")), NotFound);
        assert_eq!(c(&task(), 404, Some(404), Some("not found: no such endpoint")), Config);
        assert_eq!(c(&create, 404, Some(404), Some("not found")), Config);
        assert_eq!(c(&create, 301, None, None), Config);
        assert_eq!(c(&create, 408, None, None), Transient);
        assert_eq!(c(&create, 409, Some(409), Some("conflict")), Invalid);
        assert_eq!(c(&task(), 410, None, None), Business);
    }

    #[test]
    fn field_names_are_extracted() {
        assert_eq!(invalid_field("invalid parameter `duration`: must be 4 to 15").as_deref(), Some("duration"));
        assert_eq!(invalid_field("image_urls: at most 9").as_deref(), Some("image_urls"));
        assert_eq!(invalid_field("Invalid parameter: Ratio is not supported").as_deref(), Some("ratio"));
        assert_eq!(invalid_field("bad field foo_bar given").as_deref(), Some("foo_bar"));
        assert_eq!(invalid_field("something is wrong"), None);
    }

    #[test]
    fn only_gets_are_retryable() {
        let e = ApiError::service(task(), 503, Some(503), None, Some("tr".into()));
        assert!(e.is_retryable_get());
        assert_eq!(e.trace_id(), Some("tr"));
        assert_eq!(e.http_status(), Some(503));
        let e = ApiError::service(Op::Create, 503, Some(503), None, None);
        assert!(!e.is_retryable_get());
        assert_eq!(e.class(), OutcomeUnknown);
        let e = ApiError::service(task(), 404, Some(404), Some("task not found".into()), None);
        assert!(!e.is_retryable_get());
    }

    #[test]
    fn display_is_a_sentence_with_the_trace_id() {
        let e = ApiError::service(Op::Create, 400, Some(400), Some("invalid parameter `duration`: out of range".into()), Some("abc123".into()));
        let s = e.to_string();
        assert!(s.contains("`duration`") && s.contains("abc123") && s.contains("Correct the job in the Composer"), "{s}");
        assert_eq!(e.field(), Some("duration"));
    }
}
