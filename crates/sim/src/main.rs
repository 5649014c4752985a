//! `loova-sim`: run the simulator by hand or from a test harness. The first
//! stdout line is always `listening on http://HOST:PORT` (flushed), so a
//! parent process can read the port it picked.

use clap::Parser;
use loova_sim::config::parse_word;
use loova_sim::{CostFormat, Endpoint, FaultKind, KeyGrant, LimitMode, SimConfig};
use std::io::Write;

/// A faithful, controllable simulator of the Loova video API.
///
/// Serves POST /api/v1/video/seedance-2, GET /api/v1/tasks?task_id=,
/// GET /api/v1/credits (under /v1/… with --base-path /),
/// GET /files/{task_id}.mp4 and the loopback-only control plane /__sim/
/// (state, reset, config, keys, keys/revoke, tasks).
/// Flags override values from --config.
#[derive(Parser, Debug)]
#[command(name = "loova-sim", version)]
struct Args {
    /// Address to bind; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
    /// An API key and its initial API credits, KEY=CREDITS, optionally of a
    /// Loova user, KEY=CREDITS@USER: keys of one user share credits, tasks and
    /// the concurrency limit. Repeatable.
    #[arg(long = "key", value_name = "KEY=CREDITS[@USER]")]
    keys: Vec<String>,
    /// Seed for every random choice (run times, failures, faults, ids).
    #[arg(long)]
    seed: Option<u64>,
    /// Multiplies every simulated duration (0.001 = a 60 s job takes 60 ms).
    #[arg(long, value_name = "F")]
    time_scale: Option<f64>,
    /// Seconds (scaled) a task stays `queued` before it may run.
    #[arg(long, value_name = "SECS")]
    queued_secs: Option<f64>,
    /// Maximum tasks running at once per Loova user (default 6; any value,
    /// e.g. 100 to measure a client's own cap).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Also refuse what Seedance 2.0's upstream pages rule out and Loova's
    /// page does not state (over 12 references, 50 MB of videos, 15 MB audio
    /// files, 30 MB images).
    #[arg(long)]
    upstream_reference_limits: bool,
    /// Over the limit: reject the create, or queue the task.
    #[arg(long, value_name = "reject|queue")]
    limit_mode: Option<String>,
    /// Probability that a task ends `failed`.
    #[arg(long, value_name = "F")]
    fail_rate: Option<f64>,
    /// Do not refund the credits of failed tasks (default: refund).
    #[arg(long)]
    no_refund: bool,
    /// How create and task-status answers write credits_cost: integer (12)
    /// or decimal (12.0).
    #[arg(long, value_name = "integer|decimal")]
    credits_cost_format: Option<String>,
    /// Video URLs expire this many real seconds after the task finished.
    #[arg(long, value_name = "SECS")]
    url_ttl_secs: Option<f64>,
    /// HTTP status of an expired video URL: 404 or 403.
    #[arg(long, value_name = "404|403")]
    expired_status: Option<u16>,
    /// `message` of successful answers, e.g. success (the quickstart's
    /// envelope); default null.
    #[arg(long, value_name = "TEXT")]
    success_message: Option<String>,
    /// Delay of the `slow` fault in milliseconds.
    #[arg(long, value_name = "MS")]
    slow_ms: Option<u64>,
    /// Random fault: ENDPOINT:KIND=PROBABILITY, e.g. create:http_503=0.1.
    /// Endpoints: create, status, credits, download. Kinds: http_500,
    /// http_502, http_503, slow, dropped, created_then_dropped, malformed,
    /// truncated, business_failure, auth_failure, insufficient_credits,
    /// limit_reached, endless; downloads also drip, not_mp4,
    /// redirect_metadata, redirect_private.
    /// Repeatable.
    #[arg(long = "fault", value_name = "ENDPOINT:KIND=P")]
    faults: Vec<String>,
    /// Scripted faults for the next requests of an endpoint, in order:
    /// ENDPOINT:KIND[,KIND…], e.g. create:created_then_dropped,none,http_502.
    /// Repeatable.
    #[arg(long = "script", value_name = "ENDPOINT:KINDS")]
    scripts: Vec<String>,
    /// Multipart create encodings understood: flat (snake_case fields),
    /// camel (functionMode, aspect_ratio), params (model + params JSON, as
    /// Loova's script) or any.
    #[arg(long, value_name = "flat|camel|params|any")]
    multipart_dialect: Option<String>,
    /// The mode spelling JSON creates are read with: snake (function_mode,
    /// the reference), camel (functionMode, Loova's newest script) or any.
    /// A one-spelling service refuses the other as an unknown parameter.
    #[arg(long, value_name = "snake|camel|any")]
    json_dialect: Option<String>,
    /// The camel multipart dialect refuses the legacy aspect_ratio (send ratio).
    #[arg(long)]
    refuse_aspect_ratio: bool,
    /// Words of finished tasks: documented (succeeded/failed) or script
    /// (success/error).
    #[arg(long, value_name = "documented|script")]
    status_words: Option<String>,
    /// Where the create answer puts the task id.
    #[arg(long, value_name = "data.task_id|task_id|taskId")]
    id_field: Option<String>,
    /// Endpoints under /api/v1/… or /v1/…; the other form answers a plain
    /// 404 without the envelope.
    #[arg(long, value_name = "/api|/")]
    base_path: Option<String>,
    /// Task status without function_mode, ratio and duration (exactly the
    /// reference's fields).
    #[arg(long)]
    hide_status_settings: bool,
    /// The status word of failed tasks instead of failed/error, e.g.
    /// expired, cancelled, canceled, timeout, timed_out, fail (words of the
    /// model's upstream service and of other clients).
    #[arg(long, value_name = "WORD")]
    failed_word: Option<String>,
    /// Save keys (as SHA-256 digests, never in clear), credits and tasks
    /// here; restore them on start.
    #[arg(long, value_name = "PATH")]
    state_file: Option<String>,
    /// Base configuration (JSON, the shape of GET /__sim/config).
    #[arg(long, value_name = "FILE.json")]
    config: Option<String>,
}

fn parse_endpoint(s: &str) -> anyhow::Result<Endpoint> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| anyhow::anyhow!("unknown endpoint {s:?} (create, status, credits, download)"))
}

fn parse_kind(s: &str) -> anyhow::Result<FaultKind> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| anyhow::anyhow!("unknown fault kind {s:?}"))
}

fn build_config(a: Args) -> anyhow::Result<SimConfig> {
    let mut c: SimConfig = match &a.config {
        Some(path) => {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
            SimConfig::from_json(&v).map_err(|e| anyhow::anyhow!("{path}: {e}"))?
        }
        None => SimConfig::default(),
    };
    c.addr = a.addr.clone();
    for k in &a.keys {
        c.keys.push(KeyGrant::parse(k).map_err(|e| anyhow::anyhow!(e))?);
    }
    if a.seed.is_some() {
        c.seed = a.seed;
    }
    if let Some(v) = a.time_scale {
        c.timings.time_scale = v;
    }
    if let Some(v) = a.queued_secs {
        c.timings.queued_secs = v;
    }
    if let Some(v) = a.limit {
        c.limits.concurrency = v;
    }
    if a.upstream_reference_limits {
        c.limits.upstream_reference_limits = true;
    }
    if let Some(m) = a.limit_mode.as_deref() {
        c.limits.mode = match m {
            "reject" => LimitMode::Reject,
            "queue" => LimitMode::Queue,
            _ => anyhow::bail!("--limit-mode must be reject or queue"),
        };
    }
    if let Some(v) = a.fail_rate {
        c.fail_rate = v;
    }
    if a.no_refund {
        c.refund_on_failure = false;
    }
    if let Some(f) = a.credits_cost_format.as_deref() {
        c.credits_cost_format = match f {
            "integer" => CostFormat::Integer,
            "decimal" => CostFormat::Decimal,
            _ => anyhow::bail!("--credits-cost-format must be integer or decimal"),
        };
    }
    if a.success_message.is_some() {
        c.responses.success_message = a.success_message.clone();
    }
    if let Some(v) = a.url_ttl_secs {
        c.video_url_ttl_secs = v;
    }
    if let Some(v) = a.expired_status {
        c.expired_status = v;
    }
    if let Some(v) = a.slow_ms {
        c.slow_ms = v;
    }
    for f in &a.faults {
        let (ep, rest) = f.split_once(':').ok_or_else(|| anyhow::anyhow!("--fault wants ENDPOINT:KIND=P, got {f:?}"))?;
        let (kind, p) = rest.split_once('=').ok_or_else(|| anyhow::anyhow!("--fault wants ENDPOINT:KIND=P, got {f:?}"))?;
        let p: f64 = p.parse().map_err(|_| anyhow::anyhow!("--fault {f}: probability must be a number"))?;
        c.faults.plan_mut(parse_endpoint(ep)?).probabilities.insert(parse_kind(kind)?, p);
    }
    for s in &a.scripts {
        let (ep, kinds) = s.split_once(':').ok_or_else(|| anyhow::anyhow!("--script wants ENDPOINT:KIND[,KIND…], got {s:?}"))?;
        let plan = c.faults.plan_mut(parse_endpoint(ep)?);
        for k in kinds.split(',') {
            plan.script.push_back(parse_kind(k.trim())?);
        }
    }
    set_compat(&mut c, &a)?;
    if a.state_file.is_some() {
        c.state_file = a.state_file;
    }
    c.check().map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
    Ok(c)
}

/// The variants of Loova's own clients (`compat` in the config).
fn set_compat(c: &mut SimConfig, a: &Args) -> anyhow::Result<()> {
    fn word<T: serde::de::DeserializeOwned>(flag: &str, v: &str, choices: &str) -> anyhow::Result<T> {
        parse_word(v).ok_or_else(|| anyhow::anyhow!("--{flag} must be {choices}, got {v:?}"))
    }
    if let Some(v) = &a.multipart_dialect {
        c.compat.multipart_dialect = word("multipart-dialect", v, "flat, camel, params or any")?;
    }
    if let Some(v) = &a.json_dialect {
        c.compat.json_dialect = word("json-dialect", v, "snake, camel or any")?;
    }
    if a.refuse_aspect_ratio {
        c.compat.refuse_aspect_ratio = true;
    }
    if let Some(v) = &a.status_words {
        c.compat.status_words = word("status-words", v, "documented or script")?;
    }
    if let Some(v) = &a.id_field {
        c.compat.id_field = word("id-field", v, "data.task_id, task_id or taskId")?;
    }
    if let Some(v) = &a.base_path {
        c.compat.base_path = word("base-path", v, "/api or /")?;
    }
    if a.hide_status_settings {
        c.compat.status_shows_settings = false;
    }
    if let Some(w) = a.failed_word.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        c.compat.failed_word = Some(w.to_string());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = build_config(Args::parse())?;
    let sim = loova_sim::start(config).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", sim.root_url())?;
        out.flush()?;
    }
    wait_for_stop_signal().await;
    // Writes the state file one last time.
    sim.shutdown();
    Ok(())
}

/// Ctrl-C or (Unix) SIGTERM: both end with a final state-file write.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
