//! The Library's media server: playback and posters on 127.0.0.1, streamed
//! from disk in byte ranges. What is served, and how much, is
//! `loova_core::library::serve`; this only moves requests and answers
//! across, off the async workers.
//!
//! Not a custom URI scheme: WebKitGTK's GStreamer player refuses every
//! scheme but http(s), blob, data and file, so a `<video>` from one fails
//! with a FormatError on Linux. A loopback address with a random port and a
//! per-run token in every path plays everywhere.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use loova_core::library::serve;
use tauri::{AppHandle, Manager};

/// Where this run's media addresses start (`http://127.0.0.1:PORT/TOKEN/`);
/// empty when the server could not start (then nothing plays, and says so).
pub struct MediaBase(pub String);

/// Binds the server and starts it on Tauri's runtime.
pub fn start(app: &AppHandle) -> std::io::Result<MediaBase> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let token = serve::new_token();
    let base = format!("http://127.0.0.1:{port}/{token}/");
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => return eprintln!("loova-desk: the media server could not start: {e}"),
        };
        let router = axum::Router::new().fallback(move |request: Request| answer(app.clone(), token.clone(), port, request));
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("loova-desk: the media server stopped: {e}");
        }
    });
    Ok(MediaBase(base))
}

async fn answer(app: AppHandle, token: String, port: u16, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let get = matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    // Copied out in a block: the request (its body is not `Sync`) must not
    // stay borrowed across the await below.
    let (range, host, origin) = {
        let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        (header("range"), header("host"), header("origin"))
    };
    let answered = tauri::async_runtime::spawn_blocking(move || match app.state::<crate::state::AppState>().db.as_deref() {
        Some(db) if get => {
            let request = serve::MediaRequest { host: host.as_deref(), origin: origin.as_deref(), path: &path, range: range.as_deref() };
            serve::answer_request(db, &loova_core::paths::data_dir(), &token, port, &request)
        }
        _ => serve::MediaAnswer { status: if get { 503 } else { 405 }, headers: Vec::new(), body: Vec::new() },
    })
    .await;
    let answer = answered.unwrap_or(serve::MediaAnswer { status: 500, headers: Vec::new(), body: Vec::new() });
    let mut response = Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        response = response.header(*name, value);
    }
    response.body(Body::from(answer.body)).unwrap_or_default()
}
