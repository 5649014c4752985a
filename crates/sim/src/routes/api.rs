//! The three documented endpoints. Order of evaluation for every request:
//! fault decision → pre-processing faults → authentication → validation →
//! business logic → post-processing faults (dropped/mangled answers).

use axum::extract::{Query, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use serde_json::json;
use std::collections::HashMap;

use super::create_body::parse_create_recorded;
use super::{answers, bearer, drop_now, App, ReqInfo};
use crate::envelope::Reply;
use crate::faults::{Endpoint, FaultKind};
use crate::server::Conn;
use crate::state::CreateRefusal;
use crate::validate::{Invalid, MediaKind, ValidCreate};

pub use super::create_body::parse_create;

/// What a request may run into before it is processed.
pub enum Pre {
    Go(FaultKind, String),
    Answer(Response),
}

/// Pick the endpoint's fault and apply the ones that stop processing.
pub async fn pre(app: &App, endpoint: Endpoint, conn: &Conn, info: &ReqInfo) -> Pre {
    let (fault, trace, slow_ms, cfg_reply) = {
        let mut inner = app.lock();
        let inner = &mut *inner;
        let fault = inner.config.faults.plan_mut(endpoint).next(&mut inner.rng);
        let trace = inner.trace_id();
        let reply = match fault {
            FaultKind::BusinessFailure => Some(inner.config.responses.business_failure.clone()),
            FaultKind::AuthFailure => Some(inner.config.responses.auth.clone()),
            FaultKind::InsufficientCredits => Some(inner.config.responses.insufficient_credits.clone()),
            FaultKind::LimitReached => Some(inner.config.responses.concurrency.clone()),
            _ => None,
        };
        let msg = inner.config.responses.server_error_message.clone();
        let reply = reply.map(|r| Reply::from_config(&r, inner.config.limits.concurrency));
        let reply = match fault {
            FaultKind::Http500 => Some(Reply::error(500, 500, msg)),
            FaultKind::Http502 => Some(Reply::error(502, 502, msg)),
            FaultKind::Http503 => Some(Reply::error(503, 503, msg)),
            _ => reply,
        };
        (fault, trace, inner.config.slow_ms, reply)
    };
    if fault == FaultKind::Dropped {
        return Pre::Answer(drop_now(app, conn, info, fault).await);
    }
    if fault == FaultKind::Slow {
        tokio::time::sleep(std::time::Duration::from_millis(slow_ms)).await;
    }
    if let Some(reply) = cfg_reply {
        return Pre::Answer(tag(reply.render(&trace), fault));
    }
    Pre::Go(fault, trace)
}

/// Mark the response with its fault for the request log.
pub fn tag(mut resp: Response, fault: FaultKind) -> Response {
    resp.extensions_mut().insert(fault);
    resp
}

/// Render a processed answer, applying post-processing faults.
pub async fn post(app: &App, conn: &Conn, info: &ReqInfo, fault: FaultKind, trace: &str, mut reply: Reply) -> Response {
    if reply.code == 200 && reply.message.is_none() {
        reply.message = app.lock().config.responses.success_message.clone();
    }
    let resp = match fault {
        FaultKind::CreatedThenDropped => return drop_now(app, conn, info, fault).await,
        FaultKind::Malformed => reply.render_malformed(trace),
        FaultKind::Truncated => reply.render_truncated(trace),
        FaultKind::Endless => super::hostile::endless_answer("application/json", super::hostile::ENDLESS_JSON_HEAD),
        _ => reply.render(trace),
    };
    tag(resp, fault)
}

/// The key's digest, if the key is known and not revoked; otherwise the
/// configured auth failure (the same for a revoked key as for an unknown one).
fn authenticate(app: &App, headers: &HeaderMap) -> Result<String, Reply> {
    let inner = app.lock();
    match bearer(headers).and_then(|k| inner.known_key(&k)) {
        Some(digest) => Ok(digest),
        None => Err(Reply::from_config(&inner.config.responses.auth, inner.config.limits.concurrency)),
    }
}

fn invalid(app: &App, e: &Invalid) -> Reply {
    let inner = app.lock();
    let v = &inner.config.responses.validation;
    Reply::error(v.http_status, v.code, e.message())
}

pub async fn create(State(app): State<App>, Extension(conn): Extension<Conn>, Extension(info): Extension<ReqInfo>, req: Request) -> Response {
    let (fault, trace) = match pre(&app, Endpoint::Create, &conn, &info).await {
        Pre::Go(f, t) => (f, t),
        Pre::Answer(r) => return r,
    };
    let reply = match authenticate(&app, req.headers()) {
        Err(r) => r,
        Ok(key) => {
            let (compat, upstream) = {
                let inner = app.lock();
                (inner.config.compat.clone(), inner.config.limits.upstream_reference_limits)
            };
            let (parsed, form) = parse_create_recorded(req, &compat).await;
            let uploaded: Vec<_> = form
                .iter()
                .flat_map(|f| &f.files)
                .filter_map(|f| Some((MediaKind::detect(f.content_type.as_deref(), f.file_name.as_deref())?, f.size)))
                .collect();
            let parsed = parsed.and_then(|v| if upstream { crate::validate::upstream_limits(&v, &uploaded).map(|()| v) } else { Ok(v) });
            if let Some(form) = form {
                app.lock().record_form(form);
            }
            match parsed {
                Err(e) => invalid(&app, &e),
                Ok(valid) => create_for(&app, &key, valid),
            }
        }
    };
    post(&app, &conn, &info, fault, &trace, reply).await
}

/// Create (and charge) a task for an authenticated key (`key` = its digest).
pub fn create_for(app: &App, key: &str, valid: ValidCreate) -> Reply {
    let mut inner = app.lock();
    let refusal = match inner.create(key, valid) {
        Ok(id) => return answers::created(&inner.tasks[&id], &inner.config),
        Err(CreateRefusal::InsufficientCredits) => &inner.config.responses.insufficient_credits,
        Err(CreateRefusal::Concurrency) => &inner.config.responses.concurrency,
    };
    Reply::from_config(refusal, inner.config.limits.concurrency)
}

pub async fn status(
    State(app): State<App>,
    Extension(conn): Extension<Conn>,
    Extension(info): Extension<ReqInfo>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (fault, trace) = match pre(&app, Endpoint::Status, &conn, &info).await {
        Pre::Go(f, t) => (f, t),
        Pre::Answer(r) => return r,
    };
    let reply = match authenticate(&app, &headers) {
        Err(r) => r,
        Ok(key) => match q.get("task_id").map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => invalid(&app, &Invalid { field: "task_id".into(), reason: "is required".into() }),
            Some(id) => task_status(&app, &key, id),
        },
    };
    post(&app, &conn, &info, fault, &trace, reply).await
}

/// A task of the key's user, whichever of the user's keys created it;
/// another user's task is as invisible as a missing one.
fn task_status(app: &App, key: &str, id: &str) -> Reply {
    let mut inner = app.lock();
    let now = inner.now();
    inner.advance_key(key, now);
    let user = inner.user_of(key).unwrap_or_default();
    match inner.tasks.get(id) {
        Some(t) if t.user == user => Reply::ok(answers::task_status_data(t, &inner.config, &app.root_url)),
        _ => Reply::from_config(&inner.config.responses.not_found, inner.config.limits.concurrency),
    }
}

pub async fn credits(State(app): State<App>, Extension(conn): Extension<Conn>, Extension(info): Extension<ReqInfo>, headers: HeaderMap) -> Response {
    let (fault, trace) = match pre(&app, Endpoint::Credits, &conn, &info).await {
        Pre::Go(f, t) => (f, t),
        Pre::Answer(r) => return r,
    };
    let reply = match authenticate(&app, &headers) {
        Err(r) => r,
        Ok(key) => {
            let mut inner = app.lock();
            let now = inner.now();
            // Refunds of tasks that failed meanwhile must show.
            inner.advance_key(&key, now);
            let u = inner.user_of_key(&key).expect("authenticated key has a user");
            Reply::ok(json!({"api_available_credits": u.credits_available, "api_total_credits": u.credits_total}))
        }
    };
    post(&app, &conn, &info, fault, &trace, reply).await
}
