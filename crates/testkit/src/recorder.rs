//! A real HTTP server on loopback that records every POST it receives (path,
//! `Authorization`, body): what remote notice tests deliver to. Any path is
//! taken, so one recorder stands for ntfy, a generic webhook, Discord
//! (`/api/webhooks/…`) and Slack (`/services/…`) at once; a path under
//! `/fail/` is answered 503. [`dead_endpoint`] accepts connections and never
//! answers, for "a dead target does not slow the queue".

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    /// The body as text (what a secret check searches).
    pub raw: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: serde_json::Value,
}

pub struct Recorder {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Received>>>,
}

impl Recorder {
    /// Serves on its own thread and runtime, so sync tests (the CLI's) can use it too.
    pub fn start() -> Recorder {
        let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("its address");
        let store = seen.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            rt.block_on(async move {
                let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
                    let store = store.clone();
                    async move {
                        let raw = String::from_utf8_lossy(&body).to_string();
                        let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
                        let json = serde_json::from_str(&raw).unwrap_or(serde_json::Value::Null);
                        let path = uri.path().to_string();
                        let fail = path.starts_with("/fail/");
                        store.lock().unwrap().push(Received { path, authorization, raw, json });
                        if fail {
                            (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance")
                        } else {
                            (StatusCode::OK, "ok")
                        }
                    }
                });
                let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                axum::serve(listener, app).await.expect("the recorder serves");
            });
        });
        Recorder { addr, seen }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    /// What arrived at paths starting with `prefix`.
    pub fn at(&self, prefix: &str) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.path.starts_with(prefix)).collect()
    }
}

/// A loopback address that accepts connections and never answers (kept
/// open until the process ends): a hung server.
pub fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    format!("http://{addr}")
}
