//! From an answer (HTTP status, envelope `code`, `message`) to what the
//! caller should do, and the request field a validation message names.

use super::{ErrorClass, Op};

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
/// 6. an envelope `code` of 5xx (in an HTTP 2xx answer) is the application's
///    own internal error: as ambiguous as an HTTP 5xx;
/// 7. any other envelope `code` != 200 (a business code such as 10001): the
///    documentation says "`code != 200` indicates the request failed", so
///    nothing was created: a `Business` failure, retried later;
/// 8. anything else (HTTP 200, code 200, a message and no data): code 200
///    says success, so for a create the service may have done the work:
///    `OutcomeUnknown`; for a GET a `Business` failure to retry later.
///
/// `docs/ARCHITECTURE.md` ("Durability and unknown outcomes") has this as a
/// table; `tests::every_row_of_the_create_table` checks each row.
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
    // "limit" alone also appears in validation messages ("image_urls over
    // the limit of 9"), so it only counts when the status is not a
    // validation one. The concurrency wording does count with a 400: other
    // public clients of Loova match "parallel task limit" and "concurrent
    // task limit", which a service may well send as HTTP 400 / code 400 —
    // filed as invalid, the job would fail instead of waiting for a slot.
    if has(&["concurren", "parallel", "task limit", "too many", "rate limit", "running tasks", "tasks running"]) || (!validation_status && has(&["limit"])) {
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
    if code.is_some_and(|c| (500..600).contains(&c)) {
        return unknown_or_transient;
    }
    if code.is_some_and(|c| c != 200) {
        return ErrorClass::Business;
    }
    if create {
        ErrorClass::OutcomeUnknown
    } else {
        ErrorClass::Business
    }
}

/// Request fields a validation message may name.
const FIELDS: [&str; 10] = ["model", "prompt", "function_mode", "ratio", "duration", "image_urls", "video_urls", "audio_urls", "files", "task_id"];

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
    let words: Vec<&str> = lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    if let Some(w) = words.iter().find(|w| FIELDS.contains(w)) {
        return Some((*w).to_string());
    }
    words.windows(2).find(|p| matches!(p[0], "parameter" | "param" | "field")).map(|p| p[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::super::ApiError;
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
        // The limit wording other clients of Loova match, also with a 400.
        for m in ["parallel task limit reached", "Concurrent task limit exceeded", "task limit reached, try later", "PARALLEL tasks: 6 at most"] {
            assert_eq!(c(&create, 400, Some(400), Some(m)), LimitReached, "{m}");
        }
        assert_eq!(c(&create, 400, Some(400), Some("invalid parameter `image_urls`: at most 9 images, limit exceeded")), Invalid);
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

    /// One line per row of the create table in `docs/ARCHITECTURE.md`
    /// ("Durability and unknown outcomes"): (row, HTTP status, code,
    /// message, class).
    #[test]
    fn every_row_of_the_create_table() {
        type Row = (&'static str, u16, Option<i64>, Option<&'static str>, ErrorClass);
        let rows: &[Row] = &[
            ("401/403 key refused", 401, Some(401), Some("authentication failed"), Auth),
            ("401/403 key refused", 200, Some(403), None, Auth),
            ("402 credits", 402, Some(402), Some("insufficient credits"), InsufficientCredits),
            ("429 limit", 429, Some(429), Some("concurrency limit reached"), LimitReached),
            ("400/422 validation", 400, Some(400), Some("invalid parameter `duration`"), Invalid),
            ("400/422 validation", 422, None, None, Invalid),
            ("404 no such endpoint", 404, Some(404), Some("not found"), Config),
            ("3xx redirect", 302, None, None, Config),
            ("408 request timeout", 408, None, None, Transient),
            ("other 4xx", 409, Some(409), Some("conflict"), Invalid),
            ("other 4xx code", 200, Some(413), Some("too large"), Invalid),
            ("message names a class", 200, Some(200), Some("too many running tasks"), LimitReached),
            ("message names a class", 400, Some(400), Some("parallel task limit reached"), LimitReached),
            ("message names a class", 200, Some(200), Some("not enough credits in balance"), InsufficientCredits),
            ("business code != 200", 200, Some(10001), Some("param error"), Business),
            ("business code != 200", 200, Some(1), None, Business),
            ("HTTP 5xx", 500, Some(500), Some("internal server error"), OutcomeUnknown),
            ("HTTP 5xx", 502, None, None, OutcomeUnknown),
            ("HTTP 5xx", 503, Some(503), None, OutcomeUnknown),
            ("HTTP 5xx", 504, None, None, OutcomeUnknown),
            ("envelope code 5xx", 200, Some(500), Some("internal error"), OutcomeUnknown),
            ("code 200 without data", 200, Some(200), Some("system busy, please try again later"), OutcomeUnknown),
        ];
        for (row, h, code, m, class) in rows {
            assert_eq!(classify(&Op::Create, *h, *code, *m), *class, "row \"{row}\": HTTP {h}, code {code:?}, {m:?}");
        }
    }

    /// The rows decided before any answer is read: whether a request left
    /// this machine, and whether a complete answer came back.
    #[test]
    fn rows_without_a_classifiable_answer() {
        let create = || Op::Create;
        let class = |e: ApiError| e.class();
        let d = String::new;
        assert_eq!(class(ApiError::Unreachable { op: create(), detail: d() }), Transient, "no connection: never sent");
        assert_eq!(class(ApiError::LocalFile { op: create(), detail: d() }), Invalid, "a file is gone: never sent");
        assert_eq!(class(ApiError::MalformedKey { op: create() }), Auth, "key not sendable: never sent");
        assert_eq!(class(ApiError::Setup { op: create(), detail: d() }), Config, "request not formed: never sent");
        let no_answer = |http_status| ApiError::NoAnswer { op: create(), http_status, trace_id: None, detail: d() };
        assert_eq!(class(no_answer(None)), OutcomeUnknown, "cut after sending, or a timeout");
        assert_eq!(class(no_answer(Some(200))), OutcomeUnknown, "body cut off");
        let unreadable = ApiError::Unreadable { op: create(), http_status: 200, trace_id: None, detail: d() };
        assert_eq!(class(unreadable), OutcomeUnknown, "unreadable or truncated body, or no task id");
        // The same symptoms for a GET are safe to repeat.
        let get = ApiError::NoAnswer { op: task(), http_status: None, trace_id: None, detail: d() };
        assert_eq!(class(get), Transient);
    }

    #[test]
    fn field_names_are_extracted() {
        assert_eq!(invalid_field("invalid parameter `duration`: must be 4 to 15").as_deref(), Some("duration"));
        assert_eq!(invalid_field("image_urls: at most 9").as_deref(), Some("image_urls"));
        assert_eq!(invalid_field("Invalid parameter: Ratio is not supported").as_deref(), Some("ratio"));
        assert_eq!(invalid_field("bad field foo_bar given").as_deref(), Some("foo_bar"));
        assert_eq!(invalid_field("something is wrong"), None);
    }
}
