//! The Sandbox as the accounts and the engine see it: a Loova simulator on
//! this computer, so anyone can try the app without a key or real credits.
//! Serving it (loova-sim on a loopback port, shared by the processes of one
//! data directory) is the `loova-sandbox` crate's job, so that loova-core —
//! and every program built on it — does not carry a web server.

use crate::secret::Sensitive;
use futures_util::future::BoxFuture;

/// What a Sandbox host does for the Sandbox account. Errors are sentences
/// that say what to do.
pub trait LocalService: Send + Sync {
    /// The simulator's API base URL, starting it (from its saved state) if
    /// no process serves it yet.
    fn base_url(&self) -> BoxFuture<'_, Result<String, String>>;

    /// A video link the simulator gave out, pointed at whichever process
    /// serves it now (its port changes when another process takes over).
    fn current_video_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<String, String>>;

    /// Gives `key` a fresh grant of play credits; `reset` first forgets every
    /// key, credit and task (a Sandbox reset).
    fn grant<'a>(&'a self, key: &'a Sensitive, reset: bool) -> BoxFuture<'a, Result<(), String>>;

    /// Stops the simulator and deletes its state (the Sandbox was removed).
    fn discard(&self) -> BoxFuture<'_, ()>;

    /// The fraction of Loova's run time that Sandbox jobs take (the engine
    /// expects them to finish that much sooner).
    fn time_scale(&self) -> f64;
}

/// For programs that offer no Sandbox (the benchmark, tests of real
/// accounts): a Sandbox account cannot be created or used.
pub struct NoSandbox;

const NO_SANDBOX: &str = "this program has no Sandbox; use Loova Desk or `loova` for the Sandbox account";

impl LocalService for NoSandbox {
    fn base_url(&self) -> BoxFuture<'_, Result<String, String>> {
        Box::pin(async { Err(NO_SANDBOX.to_string()) })
    }

    fn current_video_url<'a>(&'a self, _url: &'a str) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async { Err(NO_SANDBOX.to_string()) })
    }

    fn grant<'a>(&'a self, _key: &'a Sensitive, _reset: bool) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Err(NO_SANDBOX.to_string()) })
    }

    fn discard(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    fn time_scale(&self) -> f64 {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_a_sandbox_every_use_says_where_to_find_one() {
        let none: &dyn LocalService = &NoSandbox;
        assert!(none.base_url().await.unwrap_err().contains("Loova Desk or `loova`"));
        assert!(none.current_video_url("http://127.0.0.1:1/files/x.mp4").await.is_err());
        assert!(none.grant(&Sensitive::new("sk-sandbox-0000"), false).await.is_err());
        none.discard().await;
        assert_eq!(none.time_scale(), 1.0);
    }
}
