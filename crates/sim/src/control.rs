//! The `/__sim/` control plane: no API key, loopback peers only. Never shows
//! a key in clear (only `…` + last 4 characters).

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::envelope::Reply;
use crate::routes::App;
use crate::server::{is_loopback_peer, Conn};
use crate::state::key_hint;

pub fn router() -> Router<App> {
    Router::new()
        .route("/__sim/state", get(state))
        .route("/__sim/reset", post(reset))
        .route("/__sim/config", get(get_config).post(set_config))
        .route("/__sim/keys", post(add_key))
        .route("/__sim/tasks", post(create_task))
}

/// The refusal for a non-loopback peer, if this is one.
fn refuse(conn: &Conn) -> Option<Response> {
    (!is_loopback_peer(&conn.peer)).then(|| {
        Reply::error(403, 403, "forbidden: /__sim/ answers loopback clients only").render("sim")
    })
}

fn ok(data: Value) -> Response {
    Reply::ok(data).render("sim")
}

fn bad(message: String) -> Response {
    Reply::error(400, 400, message).render("sim")
}

/// The full state (also wrapped in the envelope, like everything else).
async fn state(State(app): State<App>, Extension(conn): Extension<Conn>) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let snap = app.lock().snapshot();
    ok(serde_json::to_value(snap).unwrap_or_default())
}

async fn reset(State(app): State<App>, Extension(conn): Extension<Conn>) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    app.lock().reset();
    ok(json!({"reset": true}))
}

async fn get_config(State(app): State<App>, Extension(conn): Extension<Conn>) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let v = app.lock().config.redacted_json();
    ok(v)
}

/// JSON merge patch of the config; `?replace=true` replaces it entirely
/// (missing fields take their defaults). Keys are never changed here.
async fn set_config(
    State(app): State<App>,
    Extension(conn): Extension<Conn>,
    Query(q): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(format!("invalid parameter `body`: must be JSON: {e}")),
    };
    let mut inner = app.lock();
    let next = if q.get("replace").is_some_and(|v| v == "true" || v == "1") {
        crate::SimConfig::from_json(&patch).map(|mut c| {
            c.keys = inner.config.keys.clone();
            c
        })
    } else {
        inner.config.merged(&patch)
    };
    match next {
        Ok(c) => {
            inner.advance_all();
            inner.config = c;
            ok(inner.config.redacted_json())
        }
        Err(e) => bad(format!("invalid config: {e}")),
    }
}

#[derive(Deserialize)]
struct NewKey {
    /// Or, for a client whose keys only ever travel in an `Authorization`
    /// header, `Bearer <key>` there.
    key: Option<String>,
    credits: i64,
}

/// Add a key, or top an existing one up (both available and total grow).
async fn add_key(
    State(app): State<App>,
    Extension(conn): Extension<Conn>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let nk: NewKey =
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return bad(format!(
                "invalid parameter `body`: expected {{\"key\": string, \"credits\": integer}}: {e}"
            )),
        };
    let Some(key) = nk.key.or_else(|| crate::routes::bearer(&headers)).filter(|k| !k.trim().is_empty()) else {
        return bad("invalid parameter `key`: give it in the body or as `Authorization: Bearer <key>`".into());
    };
    let mut inner = app.lock();
    let digest = inner.add_key(&key, nk.credits);
    let k = &inner.keys[&digest];
    ok(
        json!({"key_hint": key_hint(&key), "api_available_credits": k.credits_available, "api_total_credits": k.credits_total}),
    )
}

/// Create a task "outside the client" (e.g. as if from another device):
/// `{"key": "...", ...create fields}`. No faults apply; validation,
/// credits and limits do.
async fn create_task(
    State(app): State<App>,
    Extension(conn): Extension<Conn>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let Some(key) = body.get("key").and_then(|k| k.as_str()).map(str::to_string) else {
        return bad("invalid parameter `key`: required".into());
    };
    let Some(digest) = app.lock().known_key(&key) else {
        return bad("invalid parameter `key`: unknown key".into());
    };
    match crate::validate::from_json(&body) {
        Ok(valid) => crate::routes::api::create_for(&app, &digest, valid).render("sim"),
        Err(e) => bad(e.message()),
    }
}
