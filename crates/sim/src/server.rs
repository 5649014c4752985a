//! A hand-rolled accept loop: every connection is served by its own task that
//! also listens to a per-connection "kill" signal. A handler can thereby close
//! its TCP connection without answering (the `dropped` and
//! `created_then_dropped` faults), which axum::serve cannot do.

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// Per-connection context, inserted into every request's extensions.
#[derive(Clone)]
pub struct Conn {
    pub peer: SocketAddr,
    kill: Arc<Notify>,
}

impl Conn {
    /// Close the connection without an answer. Never returns: the
    /// connection task drops the handler together with the socket.
    pub async fn drop_connection<T>(&self) -> T {
        self.kill.notify_one();
        std::future::pending().await
    }
}

/// True when `/__sim/` may answer this peer.
pub fn is_loopback_peer(peer: &SocketAddr) -> bool {
    match peer.ip() {
        std::net::IpAddr::V4(ip) => ip.is_loopback(),
        std::net::IpAddr::V6(ip) => ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

pub async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // e.g. too many open files: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let conn = Conn { peer, kill: Arc::new(Notify::new()) };
                    let kill = conn.kill.clone();
                    let svc = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                        req.extensions_mut().insert(conn.clone());
                        app.clone().oneshot(req)
                    });
                    let serving = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = serving => {}
                        _ = kill.notified() => {}
                        _ = stop.changed() => {}
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback_peer;

    #[test]
    fn loopback_only() {
        assert!(is_loopback_peer(&"127.0.0.1:9".parse().unwrap()));
        assert!(is_loopback_peer(&"127.8.0.1:9".parse().unwrap()));
        assert!(is_loopback_peer(&"[::1]:9".parse().unwrap()));
        assert!(is_loopback_peer(&"[::ffff:127.0.0.1]:9".parse().unwrap()));
        assert!(!is_loopback_peer(&"192.168.1.5:9".parse().unwrap()));
        assert!(!is_loopback_peer(&"[::ffff:10.0.0.1]:9".parse().unwrap()));
        assert!(!is_loopback_peer(&"0.0.0.0:9".parse().unwrap()));
    }
}
