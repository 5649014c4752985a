//! `loova mcp [--run]`: Loova Desk as an MCP server on stdin/stdout, for AI
//! assistants (and `loova-desk --cli mcp` in the Linux packages). It works on
//! the same data folder as the app and the CLI and never sends a job itself:
//! it writes to the durable queue, and the engine — the app, `loova run`, or
//! this process with `--run` — sends it, under the same prices, budgets,
//! 6-slot cap and exactly-once rules.
//!
//! stdout carries only the protocol; everything else goes to stderr.

mod accounts;
mod jobs;
mod pricing;
mod queue;
mod reply;
mod resources;
pub mod secrets;
mod server;
mod usage;

use crate::context::{open, runtime};
use crate::{Done, Failure};
use loova_core::engine::{EngineError, EngineEvent, EngineLock};
use rmcp::ServiceExt;

#[derive(clap::Args)]
pub struct McpArgs {
    /// Also run the queue in this process (as `loova run` does) when no
    /// other engine (the app, `loova run`) runs it.
    #[arg(long)]
    run: bool,
}

pub fn run(args: McpArgs) -> Done {
    let dir = loova_core::paths::data_dir();
    let (db, accounts) = open().map_err(Failure::failed)?;
    // Held for as long as this process runs the queue.
    let lock = if args.run {
        match EngineLock::acquire(&dir) {
            Ok(lock) => Some(lock),
            Err(EngineError::AlreadyRunning) => {
                eprintln!("loova mcp: the Loova Desk app (or `loova run`) already runs the queue for {}; it sends what this server queues.", dir.display());
                None
            }
            Err(e) => return Err(Failure::failed(e)),
        }
    } else {
        None
    };
    let engine = lock.as_ref().map(|_| crate::jobs::new_engine(db.clone(), accounts.clone()));
    let server = server::LoovaMcp::new(db, accounts, dir, engine.clone());
    let result = runtime().block_on(async move {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let engine_task = engine.map(|engine| {
            tokio::spawn(log_events(engine.subscribe()));
            tokio::spawn(async move {
                let until = async move {
                    tokio::select! {
                        _ = stopped => {}
                        _ = crate::jobs::shutdown_signal() => {}
                    }
                };
                engine.run(false, until).await
            })
        });
        let served = match server.serve(rmcp::transport::stdio()).await {
            Ok(service) => service.waiting().await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        // The client closed stdin (or the start failed): let the engine
        // record where it is, then end.
        let _ = stop.send(());
        if let Some(task) = engine_task {
            if let Ok(Err(e)) = task.await {
                eprintln!("loova mcp: the queue stopped: {e} [{}]", e.code());
            }
        }
        served
    });
    drop(lock);
    match result {
        Ok(()) => Ok(()),
        Err(e) => Err(Failure::new(crate::Msg(loova_core::ErrorCode::Io, format!("the MCP connection failed: {e}")), false)),
    }
}

/// With `--run`: what the engine does, one line per change, on stderr.
async fn log_events(mut rx: tokio::sync::broadcast::Receiver<EngineEvent>) {
    use tokio::sync::broadcast::error::RecvError;
    let mut last = std::collections::HashMap::new();
    loop {
        match rx.recv().await {
            Ok(EngineEvent::JobChanged(j)) => {
                if last.insert(j.id, j.state) != Some(j.state) {
                    eprintln!("loova mcp: job {} {}: {}", j.id, j.state, j.title);
                }
            }
            Ok(EngineEvent::Notice(n)) => eprintln!("loova mcp: {}: {}", n.title, n.body),
            Ok(EngineEvent::AccountChanged { .. }) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
    }
}
