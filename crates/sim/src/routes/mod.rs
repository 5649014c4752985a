//! The router: the Loova API under `/api/v1` or `/v1` (`compat.base_path`),
//! video files under `/files`, the control plane under `/__sim`. API and file
//! requests are logged.

pub mod answers;
pub mod api;
pub mod create_body;
pub mod files;
pub mod hostile;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::Instant;

use crate::envelope::Reply;
use crate::faults::FaultKind;
use crate::server::Conn;
use crate::state::{key_hint, LogEntry};
use crate::Shared;

pub type App = Arc<Shared>;

/// Inserted by the logging middleware so a handler that drops its
/// connection can still log itself.
#[derive(Clone)]
pub struct ReqInfo {
    pub start: Instant,
    pub method: String,
    pub path: String,
    pub key_hint: Option<String>,
}

pub fn router(app: App) -> Router {
    // Both base-path forms are routed; `base_path_gate` answers the one
    // not configured (the configuration can change at run time).
    let mut api = Router::new();
    for prefix in ["/api", ""] {
        api = api
            .route(&format!("{prefix}/v1/video/seedance-2"), post(api::create))
            .route(&format!("{prefix}/v1/tasks"), get(api::status))
            .route(&format!("{prefix}/v1/credits"), get(api::credits));
    }
    let api = api
        .route("/files/{name}", get(files::download))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), base_path_gate))
        .layer(middleware::from_fn_with_state(app.clone(), log_requests));
    Router::new()
        .merge(crate::control::router())
        .merge(api)
        // Multipart creates may carry real media files.
        .layer(DefaultBodyLimit::max(512 * 1024 * 1024))
        .with_state(app)
}

async fn not_found(State(app): State<App>) -> Response {
    let trace = app.lock().trace_id();
    Reply::error(404, 404, "not found: no such endpoint").render(&trace)
}

/// Under the other base path than the configured one, `/v1/…` answers a
/// plain 404 without the envelope, as the web server in front of an API
/// does for a path it does not route.
async fn base_path_gate(State(app): State<App>, req: Request, next: Next) -> Response {
    let other_form = match app.lock().config.compat.base_path {
        crate::config::BasePath::Api => "/v1/",
        crate::config::BasePath::Root => "/api/v1/",
    };
    if req.uri().path().starts_with(other_form) {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "404 Not Found").into_response();
    }
    next.run(req).await
}

/// The bearer key, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    let v = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = v.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim().to_string()).filter(|k| !k.is_empty())
}

async fn log_requests(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let info = ReqInfo {
        start: Instant::now(),
        method: req.method().to_string(),
        path: req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default(),
        key_hint: bearer(req.headers()).map(|k| key_hint(&k)),
    };
    req.extensions_mut().insert(info.clone());
    let resp = next.run(req).await;
    let fault = resp.extensions().get::<FaultKind>().copied();
    log(&app, &info, Some(resp.status().as_u16()), fault);
    resp
}

pub fn log(app: &App, info: &ReqInfo, status: Option<u16>, fault: Option<FaultKind>) {
    let entry = LogEntry {
        at: crate::clock::rfc3339(crate::clock::now_ms()),
        method: info.method.clone(),
        path: info.path.clone(),
        status,
        duration_ms: info.start.elapsed().as_millis() as u64,
        key_hint: info.key_hint.clone(),
        fault: fault.filter(|f| *f != FaultKind::None),
    };
    app.lock().log_request(entry);
}

/// Log, then close the connection without answering.
pub async fn drop_now(app: &App, conn: &Conn, info: &ReqInfo, fault: FaultKind) -> Response {
    log(app, info, None, Some(fault));
    conn.drop_connection().await
}
