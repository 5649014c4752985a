//! The `/__sim/` control plane: no API key, loopback peers only. Never shows
//! a key in clear (only `…` + last 4 characters).

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::config::KeyGrant;
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
        .route("/__sim/keys/revoke", post(revoke_key))
        .route("/__sim/tasks", post(create_task))
}

/// The refusal for a non-loopback peer, if this is one.
fn refuse(conn: &Conn) -> Option<Response> {
    (!is_loopback_peer(&conn.peer)).then(|| Reply::error(403, 403, "forbidden: /__sim/ answers loopback clients only").render("sim"))
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
async fn set_config(State(app): State<App>, Extension(conn): Extension<Conn>, Query(q): Query<HashMap<String, String>>, body: axum::body::Bytes) -> Response {
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
    /// The Loova user the key belongs to; none = the key is its own user.
    user: Option<String>,
}

#[derive(Deserialize)]
struct KeyOnly {
    key: Option<String>,
}

/// The key from the body or the `Authorization` header.
fn key_of(body_key: Option<String>, headers: &axum::http::HeaderMap) -> Option<String> {
    body_key.or_else(|| crate::routes::bearer(headers)).filter(|k| !k.trim().is_empty())
}

fn no_key() -> Response {
    bad("invalid parameter `key`: give it in the body or as `Authorization: Bearer <key>`".into())
}

/// Add a key (of a user), or top an existing one's user up (both available
/// and total grow).
async fn add_key(State(app): State<App>, Extension(conn): Extension<Conn>, headers: axum::http::HeaderMap, body: axum::body::Bytes) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let nk: NewKey = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(format!("invalid parameter `body`: expected {{\"key\": string, \"credits\": integer, \"user\": string (optional)}}: {e}")),
    };
    let Some(key) = key_of(nk.key, &headers) else {
        return no_key();
    };
    let grant = KeyGrant { key: key.clone(), credits: nk.credits, user: nk.user };
    let mut inner = app.lock();
    let digest = match inner.grant(&grant) {
        Ok(d) => d,
        Err(e) => return bad(format!("invalid parameter `user`: {e}")),
    };
    let user = inner.user_of(&digest).unwrap_or_default().to_string();
    let u = &inner.users[&user];
    ok(json!({
        "key_hint": key_hint(&key),
        "user": user,
        "api_available_credits": u.credits_available,
        "api_total_credits": u.credits_total,
    }))
}

/// From now on the key gets the authentication failure; its user's tasks
/// keep running and stay readable with the user's other keys.
async fn revoke_key(State(app): State<App>, Extension(conn): Extension<Conn>, headers: axum::http::HeaderMap, body: axum::body::Bytes) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let body_key = match serde_json::from_slice::<KeyOnly>(&body) {
        Ok(k) => k.key,
        Err(_) if body.is_empty() => None,
        Err(e) => return bad(format!("invalid parameter `body`: expected {{\"key\": string}}: {e}")),
    };
    let Some(key) = key_of(body_key, &headers) else {
        return no_key();
    };
    if !app.lock().revoke_key(&key) {
        return bad("invalid parameter `key`: unknown key".into());
    }
    ok(json!({"key_hint": key_hint(&key), "revoked": true}))
}

/// Create a task "outside the client" (e.g. as if from another device):
/// `{"key": "...", ...create fields}`. No faults apply; validation,
/// credits and limits do.
async fn create_task(State(app): State<App>, Extension(conn): Extension<Conn>, Json(body): Json<Value>) -> Response {
    if let Some(r) = refuse(&conn) {
        return r;
    }
    let Some(key) = body.get("key").and_then(|k| k.as_str()).map(str::to_string) else {
        return bad("invalid parameter `key`: required".into());
    };
    let Some(digest) = app.lock().known_key(&key) else {
        return bad("invalid parameter `key`: unknown or revoked key".into());
    };
    match crate::validate::from_json(&body) {
        Ok(valid) => crate::routes::api::create_for(&app, &digest, valid).render("sim"),
        Err(e) => bad(e.message()),
    }
}
