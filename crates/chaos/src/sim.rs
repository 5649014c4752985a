//! loova-sim as its own process (the real binary): every fault kind of every
//! endpoint at once, a limit far above the app's cap, a state file so it can
//! be stopped and started again on the same port with its ledger intact.

use anyhow::{bail, Context};
use loova_sim::StateSnapshot;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Every fault kind the simulator knows (`FaultKind` without `none`).
pub const FAULT_KINDS: [&str; 12] = [
    "http_500",
    "http_502",
    "http_503",
    "slow",
    "dropped",
    "created_then_dropped",
    "malformed",
    "truncated",
    "business_failure",
    "auth_failure",
    "insufficient_credits",
    "limit_reached",
];
pub const ENDPOINTS: [&str; 4] = ["create", "status", "credits", "download"];

/// How the campaign's simulator is set up.
pub struct SimSetup {
    pub bin: PathBuf,
    pub key: String,
    pub user: String,
    pub seed: u64,
    pub fault_rate: f64,
    pub fail_rate: f64,
    pub time_scale: f64,
    pub slow_ms: u64,
    pub state_file: PathBuf,
    pub log: PathBuf,
    /// The way Loova's own client script talks (its status words, task-id
    /// spelling, multipart form and base path) instead of the documented API,
    /// so the campaign also covers what the app must discover by itself.
    pub script_variant: bool,
    /// The late-2026 variants (`Args::late_variant`).
    pub late_variant: bool,
}

pub struct Sim {
    setup: SimSetup,
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, the same across restarts.
    pub root: String,
    port: u16,
    http: reqwest::Client,
}

impl SimSetup {
    fn args(&self, port: u16) -> Vec<String> {
        let mut a: Vec<String> = vec![
            "--addr".into(),
            format!("127.0.0.1:{port}"),
            "--key".into(),
            format!("{}=100000000@{}", self.key, self.user),
            "--seed".into(),
            self.seed.to_string(),
            "--time-scale".into(),
            self.time_scale.to_string(),
            // Far above the app's 6, so the peak measures the app's cap.
            "--limit".into(),
            loova_testkit::SIM_LIMIT_ABOVE_OUR_CAP.to_string(),
            "--fail-rate".into(),
            self.fail_rate.to_string(),
            "--slow-ms".into(),
            self.slow_ms.to_string(),
            "--state-file".into(),
            self.state_file.display().to_string(),
        ];
        for ep in ENDPOINTS {
            for kind in FAULT_KINDS {
                a.push("--fault".into());
                a.push(format!("{ep}:{kind}={}", self.fault_rate));
            }
        }
        if self.script_variant {
            for (flag, v) in [("--multipart-dialect", "params"), ("--status-words", "script"), ("--id-field", "taskId"), ("--base-path", "/")] {
                a.push(flag.into());
                a.push(v.into());
            }
        }
        if self.late_variant {
            let config = self.limit_wording_config().display().to_string();
            for (flag, v) in [
                ("--json-dialect", "camel"),
                ("--multipart-dialect", "camel"),
                ("--failed-word", "expired"),
                ("--success-message", "success"),
                ("--credits-cost-format", "decimal"),
                ("--config", config.as_str()),
            ] {
                a.push(flag.into());
                a.push(v.into());
            }
            a.push("--refuse-aspect-ratio".into());
        }
        a
    }

    /// A config file whose only change is the concurrency refusal's wording:
    /// HTTP 400 / code 400 "parallel task limit reached", as another public
    /// client of Loova expects (the `limit_reached` fault answers with it).
    fn limit_wording_config(&self) -> PathBuf {
        let path = self.state_file.with_file_name("sim-late2026.json");
        let config = serde_json::json!({"responses": {"concurrency": {"http_status": 400, "code": 400, "message": "parallel task limit reached"}}});
        // Written before every start; a failure shows as the simulator refusing to start.
        let _ = std::fs::write(&path, config.to_string());
        path
    }
}

impl Sim {
    /// Starts it on a port the OS picks.
    pub async fn start(setup: SimSetup) -> anyhow::Result<Sim> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
        let mut sim = Sim { setup, child: None, root: String::new(), port: 0, http };
        sim.spawn().await?;
        Ok(sim)
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.setup.log)?;
        let mut child = Command::new(&self.setup.bin)
            .args(self.setup.args(self.port))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", self.setup.bin.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        // The first line names the address (see loova-sim's main.rs).
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            line
        })
        .await?;
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("loova-sim did not start (first line {line:?}); see {}", self.setup.log.display());
        };
        self.root = url.to_string();
        self.port = url.rsplit(':').next().and_then(|p| p.parse().ok()).context("a port in the simulator's address")?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGTERM (it writes its state file one last time), then wait.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            // SAFETY: signalling our own child by its pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            tokio::task::spawn_blocking(move || child.wait()).await??;
        }
        Ok(())
    }

    /// Back on the same port, from its state file. The port was ours a moment
    /// ago; another process may grab it meanwhile, so retry a few times.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let mut last = None;
        for _ in 0..20 {
            match self.spawn().await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Err(last.expect("at least one attempt")).context("restarting loova-sim on its port")
    }

    pub fn is_up(&self) -> bool {
        self.child.is_some()
    }

    /// The base URL a person types in: the documented `…/api` form (for the
    /// script variant the app must discover that the service is at `/`).
    pub fn account_base_url(&self) -> String {
        format!("{}/api", self.root)
    }

    /// The ledger, as Loova's dashboard would show it (in the envelope,
    /// like every answer of the simulator).
    pub async fn state(&self) -> anyhow::Result<StateSnapshot> {
        let r = self.http.get(format!("{}/__sim/state", self.root)).send().await?.error_for_status()?;
        let mut v: serde_json::Value = r.json().await?;
        Ok(serde_json::from_value(v["data"].take())?)
    }

    /// Faults the simulator injected since it (last) started, per
    /// `endpoint:kind`, from its request log.
    pub async fn fault_tally(&self, into: &mut std::collections::BTreeMap<String, u64>) -> anyhow::Result<()> {
        for r in self.state().await?.requests {
            let Some(kind) = r.fault.filter(|k| *k != loova_sim::FaultKind::None) else { continue };
            let endpoint = match r.path.as_str() {
                p if p.contains("/files/") => "download",
                p if p.contains("/credits") => "credits",
                p if p.contains("/tasks") => "status",
                _ => "create",
            };
            let kind = serde_json::to_value(kind)?.as_str().unwrap_or("?").to_string();
            *into.entry(format!("{endpoint}:{kind}")).or_default() += 1;
        }
        Ok(())
    }

    /// No more faults (for fetching the videos to compare).
    pub async fn clear_faults(&self) -> anyhow::Result<()> {
        self.http.post(format!("{}/__sim/config", self.root)).json(&serde_json::json!({"faults": null})).send().await?.error_for_status()?;
        Ok(())
    }

    /// The video Loova serves for a task.
    pub async fn video(&self, task_id: &str) -> anyhow::Result<Vec<u8>> {
        let r = self.http.get(format!("{}/files/{task_id}.mp4", self.root)).send().await?.error_for_status()?;
        Ok(r.bytes().await?.to_vec())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
