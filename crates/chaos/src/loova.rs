//! The `loova` CLI on the campaign's own data folder and keychain service:
//! the commands a person types, and `loova run` (the engine) as a child
//! process that can be SIGKILLed and started again.

use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub struct Loova {
    pub bin: PathBuf,
    pub data: PathBuf,
    pub service: String,
    /// The engine's timings, matching the simulator's time scale.
    pub time_scale: f64,
    /// `loova run`'s output, appended across restarts.
    pub engine_log: PathBuf,
}

impl Loova {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(args)
            .env("LOOVA_DESK_DATA_DIR", &self.data)
            .env("LOOVA_DESK_KEYRING_SERVICE", &self.service)
            .env("LOOVA_DESK_ENGINE_TIME_SCALE", self.time_scale.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Runs a command to its end, off the async workers.
    pub async fn run(&self, args: &[&str]) -> anyhow::Result<Output> {
        let mut c = self.command(args);
        let what = args.join(" ");
        tokio::task::spawn_blocking(move || c.output()).await?.with_context(|| format!("cannot run loova {what}"))
    }

    /// Like [`Loova::run`], failing with its output unless it exits 0.
    pub async fn ok(&self, args: &[&str]) -> anyhow::Result<Output> {
        let o = self.run(args).await?;
        if !o.status.success() {
            bail!("`loova {}` failed ({}): {}", args.join(" "), o.status, text(&o));
        }
        Ok(o)
    }

    /// A command that reads the key from standard input (never argv, never a file).
    pub async fn with_key(&self, args: &[&str], key: &str) -> anyhow::Result<Output> {
        let mut c = self.command(args);
        c.stdin(Stdio::piped());
        let key = key.to_string();
        tokio::task::spawn_blocking(move || -> std::io::Result<Output> {
            let mut child = c.spawn()?;
            child.stdin.take().expect("piped stdin").write_all(key.as_bytes())?;
            child.wait_with_output()
        })
        .await?
        .context("cannot run loova with a key on standard input")
    }

    /// `loova run` in the background (no `--until-idle`: it runs until killed).
    pub fn start_engine(&self) -> anyhow::Result<Child> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.engine_log)?;
        let mut c = self.command(&["run"]);
        c.stdout(log.try_clone()?).stderr(log);
        c.spawn().context("cannot start `loova run`")
    }
}

/// SIGKILL: no handler runs, nothing is flushed (`Child::kill` on Unix).
pub async fn sigkill(mut child: Child) -> anyhow::Result<()> {
    child.kill()?;
    tokio::task::spawn_blocking(move || child.wait()).await??;
    Ok(())
}

/// SIGTERM: `loova run` stops gracefully (a create in flight finishes).
pub async fn sigterm(mut child: Child) -> anyhow::Result<()> {
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    tokio::task::spawn_blocking(move || child.wait()).await??;
    Ok(())
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)).trim().to_string()
}

/// A small real PNG from the core's media fixtures, for local-media jobs.
pub fn fixture_image() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/media/red.png");
    p.exists().then_some(p)
}
