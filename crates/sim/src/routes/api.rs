//! The three documented endpoints. Order of evaluation for every request:
//! fault decision → pre-processing faults → authentication → validation →
//! business logic → post-processing faults (dropped/mangled answers).

use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};
use std::collections::HashMap;

use super::{bearer, drop_now, App, ReqInfo};
use crate::envelope::Reply;
use crate::faults::{Endpoint, FaultKind};
use crate::server::Conn;
use crate::state::{CreateRefusal, ReceivedFile, ReceivedForm};
use crate::validate::{self, Invalid, MediaKind, ValidCreate};

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
            FaultKind::InsufficientCredits => {
                Some(inner.config.responses.insufficient_credits.clone())
            }
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
pub async fn post(
    app: &App,
    conn: &Conn,
    info: &ReqInfo,
    fault: FaultKind,
    trace: &str,
    reply: Reply,
) -> Response {
    let resp = match fault {
        FaultKind::CreatedThenDropped => return drop_now(app, conn, info, fault).await,
        FaultKind::Malformed => reply.render_malformed(trace),
        FaultKind::Truncated => reply.render_truncated(trace),
        _ => reply.render(trace),
    };
    tag(resp, fault)
}

/// The key's digest, if the key is known; otherwise the configured auth
/// failure.
fn authenticate(app: &App, headers: &HeaderMap) -> Result<String, Reply> {
    let inner = app.lock();
    match bearer(headers).and_then(|k| inner.known_key(&k)) {
        Some(digest) => Ok(digest),
        None => Err(Reply::from_config(
            &inner.config.responses.auth,
            inner.config.limits.concurrency,
        )),
    }
}

fn invalid(app: &App, e: &Invalid) -> Reply {
    let inner = app.lock();
    let v = &inner.config.responses.validation;
    Reply::error(v.http_status, v.code, e.message())
}

pub async fn create(
    State(app): State<App>,
    Extension(conn): Extension<Conn>,
    Extension(info): Extension<ReqInfo>,
    req: Request,
) -> Response {
    let (fault, trace) = match pre(&app, Endpoint::Create, &conn, &info).await {
        Pre::Go(f, t) => (f, t),
        Pre::Answer(r) => return r,
    };
    let reply = match authenticate(&app, req.headers()) {
        Err(r) => r,
        Ok(key) => {
            let (parsed, form) = parse_create_recorded(req).await;
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
    match inner.create(key, valid) {
        Ok(id) => {
            let t = &inner.tasks[&id];
            Reply::ok(json!({
                "task_id": t.id,
                "status": t.status.as_str(),
                "created_at": crate::clock::rfc3339(t.created_at),
                "credits_cost": t.credits_cost,
            }))
        }
        Err(CreateRefusal::InsufficientCredits) => Reply::from_config(
            &inner.config.responses.insufficient_credits,
            inner.config.limits.concurrency,
        ),
        Err(CreateRefusal::Concurrency) => Reply::from_config(
            &inner.config.responses.concurrency,
            inner.config.limits.concurrency,
        ),
    }
}

/// JSON or multipart/form-data: two encodings of one request.
pub async fn parse_create(req: Request) -> Result<ValidCreate, Invalid> {
    parse_create_recorded(req).await.0
}

/// [`parse_create`], plus what a multipart request carried (as far as it
/// could be read), for tests to inspect.
pub async fn parse_create_recorded(req: Request) -> (Result<ValidCreate, Invalid>, Option<ReceivedForm>) {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bad = |why: String| Invalid {
        field: "body".into(),
        reason: why,
    };
    if ct.starts_with("multipart/form-data") {
        let mut received = ReceivedForm::default();
        let r = parse_form(req, &mut received).await;
        (r, Some(received))
    } else {
        let r = async {
            let bytes = axum::body::Bytes::from_request(req, &())
                .await
                .map_err(|e| bad(format!("unreadable body: {e}")))?;
            let v: Value =
                serde_json::from_slice(&bytes).map_err(|e| bad(format!("must be JSON: {e}")))?;
            validate::from_json(&v)
        }
        .await;
        (r, None)
    }
}

async fn parse_form(req: Request, received: &mut ReceivedForm) -> Result<ValidCreate, Invalid> {
    let bad = |why: String| Invalid {
        field: "body".into(),
        reason: why,
    };
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|e| bad(format!("malformed multipart: {e}")))?;
    let mut files = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| bad(format!("malformed multipart: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "files" {
            let kind = MediaKind::detect(field.content_type(), field.file_name());
            let file_name = field.file_name().map(str::to_string);
            let content_type = field.content_type().map(str::to_string);
            // Drain the upload; its kind and size matter to the simulator.
            let bytes = field
                .bytes()
                .await
                .map_err(|e| bad(format!("malformed multipart: {e}")))?;
            received.files.push(ReceivedFile {
                file_name,
                content_type,
                size: bytes.len(),
            });
            match kind {
                Some(k) => files.push(k),
                None => {
                    return Err(Invalid {
                        field: "files".into(),
                        reason: "each file must be an image, video or audio (by content type)"
                            .into(),
                    })
                }
            }
        } else {
            let text = field.text().await.map_err(|_| Invalid {
                field: name.clone(),
                reason: "must be text".into(),
            })?;
            received.fields.push((name, text));
        }
    }
    validate::from_form(&received.fields, &files)
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
            None => invalid(
                &app,
                &Invalid {
                    field: "task_id".into(),
                    reason: "is required".into(),
                },
            ),
            Some(id) => {
                let mut inner = app.lock();
                let now = inner.now();
                inner.advance(&key, now);
                match inner.tasks.get(id) {
                    // Another key's task is as invisible as a missing one.
                    Some(t) if t.key_sha256 == key => Reply::ok(crate::state::task_status_data(
                        t,
                        inner.config.credits_cost_format,
                        &app.root_url,
                    )),
                    _ => Reply::from_config(
                        &inner.config.responses.not_found,
                        inner.config.limits.concurrency,
                    ),
                }
            }
        },
    };
    post(&app, &conn, &info, fault, &trace, reply).await
}

pub async fn credits(
    State(app): State<App>,
    Extension(conn): Extension<Conn>,
    Extension(info): Extension<ReqInfo>,
    headers: HeaderMap,
) -> Response {
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
            inner.advance(&key, now);
            let k = &inner.keys[&key];
            Reply::ok(
                json!({"api_available_credits": k.credits_available, "api_total_credits": k.credits_total}),
            )
        }
    };
    post(&app, &conn, &info, fault, &trace, reply).await
}
