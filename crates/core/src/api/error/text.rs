//! The sentences of `ApiError`: what happened, and what the person (or
//! the queue) does next.

use super::{ErrorClass, Op};
use crate::api::DEFAULT_BASE_URL;

fn trace_suffix(trace_id: &Option<String>) -> String {
    match trace_id {
        Some(t) => format!(" (Loova trace id: {t})"),
        None => String::new(),
    }
}

const MAY_BE_CHARGED: &str = "The request was sent, so the task may have been created and charged. Check the Loova web app before submitting it again: submitting again may charge twice.";

pub(super) fn no_answer_text(op: &Op, http_status: &Option<u16>, detail: &str, trace_id: &Option<String>) -> String {
    let status = http_status.map(|s| format!(", HTTP {s}")).unwrap_or_default();
    let t = trace_suffix(trace_id);
    if op.is_create() {
        format!("Loova did not answer the create request completely ({detail}{status}). {MAY_BE_CHARGED}{t}")
    } else {
        format!("Loova did not answer completely while {op} ({detail}{status}). Nothing changes on the service by asking again; it will be retried.{t}")
    }
}

pub(super) fn unreadable_text(op: &Op, http_status: &u16, detail: &str, trace_id: &Option<String>) -> String {
    let t = trace_suffix(trace_id);
    if op.is_create() {
        format!("Loova's answer to the create request could not be read ({detail}, HTTP {http_status}). {MAY_BE_CHARGED}{t}")
    } else {
        format!("Loova's answer could not be read while {op} ({detail}, HTTP {http_status}). It will be retried.{t}")
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn service_text(
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
    use super::super::{ApiError, ErrorClass::*, Op};

    fn task() -> Op {
        Op::Task { task_id: "t1".into() }
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
