//! `loova mcp` driven by rmcp's own client over the child process's stdio,
//! against loova-sim whose own limit is far above our 6-slot cap. Writes the
//! main session's transcript to target/mcp-transcript.md (docs/user/mcp.md
//! shows one). Needs the Secret Service (run by scripts/test inside dbus-run-session).

use crate::common;
use loova_core::store::{Db, JobFilter, JobState};
use loova_sim::FaultKind;
use loova_testkit::{above_our_cap, files_containing, sim_config, wait_for_async_within};
use rmcp::model::{CallToolRequestParams, CallToolResult, ReadResourceRequestParams};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "sk-live-mcp-main-5c1e9a";
const CAPPED_KEY: &str = "sk-live-mcp-capped-77b2";

struct Env {
    data: tempfile::TempDir,
    service: String,
    /// Every server's stderr (its log), appended.
    log: std::path::PathBuf,
}

impl Env {
    fn db(&self) -> Db {
        Db::open_in(self.data.path()).unwrap()
    }
    fn command(&self, program: &str, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(program);
        c.args(args).env("LOOVA_DESK_DATA_DIR", self.data.path()).env("LOOVA_DESK_KEYRING_SERVICE", &self.service).env("LOOVA_DESK_ENGINE_TIME_SCALE", "0.01");
        // An unknown outcome holds its slot 5 s: longer than a task runs on
        // this fast simulator (so the cap holds), short enough for a test.
        c.env(loova_core::engine::UNKNOWN_HOLD_ENV, "5");
        c
    }
    fn jobs(&self) -> Vec<loova_core::store::JobRow> {
        self.db().jobs(&JobFilter::default()).unwrap()
    }
}

async fn setup(sim: &loova_sim::SimHandle, test: &str) -> Env {
    let data = loova_testkit::data_dir();
    // In the data folder, so the scan for keys reads it too.
    let log = data.path().join("mcp-stderr.log");
    let env = Env { data, service: loova_testkit::keyring_service(&format!("cli-mcp-{test}")), log };
    let db = Arc::new(env.db());
    let accounts = loova_testkit::accounts(db.clone(), &env.service);
    loova_testkit::add_account(&accounts, "Studio", &sim.base_url(), KEY).await;
    db.set_setting("output_dir", env.data.path().join("videos").to_str().unwrap()).unwrap();
    env
}

/// One MCP session with `loova mcp ARGS`; every call and answer is recorded.
struct Session {
    client: RunningService<RoleClient, ()>,
    pid: u32,
    transcript: Arc<Mutex<Vec<String>>>,
}

async fn connect(env: &Env, args: &[&str]) -> Session {
    let mut all = vec!["mcp"];
    all.extend_from_slice(args);
    let stderr = std::fs::OpenOptions::new().create(true).append(true).open(&env.log).unwrap();
    let (transport, _) = TokioChildProcess::builder(env.command(env!("CARGO_BIN_EXE_loova"), &all)).stderr(stderr).spawn().unwrap();
    let pid = transport.id().unwrap();
    let client = ().serve(transport).await.expect("the MCP handshake");
    Session { client, pid, transcript: Arc::default() }
}

impl Session {
    async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let params = CallToolRequestParams::new(tool.to_string()).with_arguments(args.as_object().unwrap().clone());
        let r = self.client.call_tool(params).await.expect("an answer");
        record(&self.transcript, tool, &args, &r);
        r
    }
    fn kill(&self) {
        #[cfg(unix)]
        let status = std::process::Command::new("kill").args(["-9", &self.pid.to_string()]).status();
        #[cfg(windows)]
        let status = std::process::Command::new("taskkill").args(["/F", "/PID", &self.pid.to_string()]).status();
        assert!(status.unwrap().success());
    }
}

fn record(transcript: &Mutex<Vec<String>>, tool: &str, args: &Value, r: &CallToolResult) {
    let said = r.content.first().and_then(|c| c.as_text()).map_or(String::new(), |t| t.text.clone());
    let body = serde_json::to_string_pretty(r.structured_content.as_ref().unwrap_or(&Value::Null)).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    let shown = if lines.len() > 8 { format!("{}\n  …", lines[..8].join("\n")) } else { body.clone() };
    let mark = if r.is_error == Some(true) { "error" } else { "answer" };
    // Long job lists are shortened for reading, and say so.
    let mut args = args.clone();
    if let Some(jobs) = args.get_mut("jobs").and_then(Value::as_array_mut).filter(|j| j.len() > 2) {
        let more = jobs.len() - 2;
        jobs.truncate(2);
        jobs.push(json!(format!("… {more} more like these")));
    }
    transcript.lock().unwrap().push(format!(
        "**→ `{tool}`** `{}`\n\n**← {mark}:** {said}\n\n<details><summary>structured content</summary>\n\n```json\n{shown}\n```\n</details>\n",
        serde_json::to_string(&args).unwrap()
    ));
}

fn said(r: &CallToolResult) -> String {
    r.content.iter().filter_map(|c| c.as_text()).map(|t| t.text.clone()).collect::<Vec<_>>().join("\n")
}

fn error_code(r: &CallToolResult) -> Option<String> {
    assert_eq!(r.is_error, Some(true), "expected a tool error: {}", said(r));
    r.structured_content.as_ref()?["error"]["code"].as_str().map(String::from)
}

fn body(r: &CallToolResult) -> &Value {
    assert_ne!(r.is_error, Some(true), "{}", said(r));
    r.structured_content.as_ref().expect("structured content")
}

fn jobs_of(prefix: &str, n: usize) -> Value {
    Value::Array((0..n).map(|i| json!({"prompt": format!("{prefix} {i}: a paper boat on a lake"), "duration": 5, "name": format!("{prefix} {i}")})).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn tools_have_schemas_pricing_is_offline_and_keys_are_refused() {
    let sim = loova_testkit::start_sim(above_our_cap(sim_config(&[(KEY, 1_000_000)], 0.01))).await;
    let env = setup(&sim, "schemas").await;
    // A key in the server's arguments: it does not start, and does not repeat the key.
    for bad in [&["mcp", KEY][..], &["mcp", "--key", "abc-123-secret"], &["mcp", "--api-key=abc-123-secret"]] {
        let o = env.command(env!("CARGO_BIN_EXE_loova"), bad).output().await.unwrap();
        let text = common::text(&o);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(text.contains("API key") && !text.contains(KEY) && !text.contains("abc-123"), "{text}");
    }
    let s = connect(&env, &[]).await;
    let tools = s.client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort();
    assert_eq!(names, ["cancel_job", "job_status", "list_accounts", "list_jobs", "preview_cost", "queue_jobs", "retry_job", "usage"]);
    let tool = |n: &str| tools.iter().find(|t| t.name == n).unwrap();
    for t in &tools {
        assert_eq!(t.input_schema.get("type"), Some(&json!("object")), "{}", t.name);
        let d = t.description.as_deref().unwrap_or_default();
        assert!(d.contains("Free") || d.contains("CHARGED") || d.contains("charged"), "{}: says what it costs: {d}", t.name);
    }
    let q = serde_json::to_value(tool("queue_jobs").input_schema.as_ref()).unwrap();
    for p in ["account", "jobs", "confirm", "total_credits", "order", "batch_name"] {
        assert!(q["properties"].get(p).is_some(), "queue_jobs.{p}: {q}");
    }
    let required: Vec<&str> = q["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(required.contains(&"account") && required.contains(&"jobs") && !required.contains(&"confirm"), "{q}");
    assert_eq!(q["properties"]["confirm"]["type"], json!("boolean"));
    let p = serde_json::to_value(tool("preview_cost").input_schema.as_ref()).unwrap();
    for f in ["model", "mode", "duration", "video_urls", "video_reference"] {
        assert!(p["properties"].get(f).is_some(), "preview_cost.{f}: {p}");
    }
    assert!(p["properties"]["duration"]["type"].as_str().is_some_and(|t| t.contains("integer")) || p["properties"]["duration"]["type"].is_array(), "{p}");

    // Pricing is loova-core's and sends nothing anywhere.
    let before = sim.state().requests.len();
    let r = s.call("preview_cost", json!({"model": "seedance_2_0", "duration": 8, "video_urls": ["https://example.com/ref.mp4"], "prompt": "a fox"})).await;
    let prices = loova_core::load_price_list(env.data.path());
    let expected = loova_core::estimate_parts("seedance_2_0", 8, true, &prices.list, &prices.info).unwrap();
    assert_eq!(body(&r)["estimate"]["credits"], json!(expected.credits), "{}", said(&r));
    assert_eq!(body(&r)["valid"], json!(true));
    let r = s.call("preview_cost", json!({"duration": 99})).await;
    let problems = body(&r)["problems"].as_array().unwrap().clone();
    assert!(problems.iter().any(|p| p["field"] == "duration" && !p["fix"].as_str().unwrap().is_empty()), "{problems:?}");
    assert_eq!(sim.state().requests.len(), before, "previews reach no service");

    // No tool takes a key, wherever it is put.
    let r = s.call("queue_jobs", json!({"account": "Studio", "jobs": [{"prompt": KEY}], "confirm": true, "total_credits": 75})).await;
    assert_eq!(error_code(&r).as_deref(), Some("invalid_input"));
    assert!(said(&r).contains("jobs[0].prompt") && !said(&r).contains(KEY), "{}", said(&r));
    let r = s.call("list_jobs", json!({"api_key": "anything"})).await;
    assert_eq!(error_code(&r).as_deref(), Some("invalid_input"));
    // Arguments that break the schema are tool errors with a code, too.
    let r = s.call("job_status", json!({"id": "seven"})).await;
    assert_eq!(error_code(&r).as_deref(), Some("invalid_input"), "{}", said(&r));
    assert!(env.jobs().is_empty());
    // Without `--run` and with no app open, the plan says nothing would be sent yet, and how to fix that.
    let r = s.call("queue_jobs", json!({"account": "Studio", "jobs": [{"prompt": "a fox"}]})).await;
    assert!(body(&r)["engine"].as_str().unwrap().contains("No engine is running") && said(&r).contains("Nothing is queued yet"), "{}", said(&r));
    s.client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn an_assistant_plans_confirms_and_watches_twelve_jobs_run_six_at_a_time() {
    let sim = loova_testkit::start_sim(above_our_cap(sim_config(&[(KEY, 1_000_000), (CAPPED_KEY, 1_000_000)], 0.01))).await;
    let env = setup(&sim, "main").await;
    let db = Arc::new(env.db());
    let capped = loova_testkit::add_account(&loova_testkit::accounts(db.clone(), &env.service), "Capped", &sim.base_url(), CAPPED_KEY).await;
    db.set_budget(&capped, Some(300), None).unwrap();
    let s = connect(&env, &["--run"]).await;

    let r = s.call("list_accounts", json!({})).await;
    assert_eq!(body(&r)["accounts"].as_array().unwrap().len(), 2);
    s.call("preview_cost", json!({"model": "seedance_2_0", "duration": 5})).await;
    let jobs = jobs_of("Boat", 12);
    // Without confirm: the plan, and nothing queued.
    let r = s.call("queue_jobs", json!({"account": "Studio", "jobs": jobs, "batch_name": "Boats"})).await;
    let total = body(&r)["total_credits"].as_u64().unwrap();
    assert_eq!(total, 12 * 75, "{}", said(&r));
    assert!(said(&r).contains("Nothing is queued yet") && said(&r).contains(&format!("\"total_credits\": {total}")), "{}", said(&r));
    assert!(env.jobs().is_empty(), "a plan queues nothing");
    // Confirmed with another total: nothing queued either.
    let r = s.call("queue_jobs", json!({"account": "Studio", "jobs": jobs, "confirm": true, "total_credits": total - 75})).await;
    assert_eq!(error_code(&r).as_deref(), Some("invalid_input"));
    assert!(env.jobs().is_empty());
    // Over the daily budget: refused with the budget's own sentence, nothing queued.
    let r = s.call("queue_jobs", json!({"account": "Capped", "jobs": jobs_of("Capped", 12), "confirm": true, "total_credits": total})).await;
    assert_eq!(error_code(&r).as_deref(), Some("budget_reached"));
    assert!(said(&r).contains("today's budget of 300 credits") && said(&r).contains("Nothing was queued"), "{}", said(&r));
    assert!(env.jobs().is_empty());

    let r = s.call("queue_jobs", json!({"account": "Studio", "jobs": jobs, "batch_name": "Boats", "confirm": true, "total_credits": total})).await;
    assert_eq!(body(&r)["queued"]["queued"], json!(12), "{}", said(&r));
    assert!(said(&r).contains("This server runs the queue"), "{}", said(&r));
    // The same confirmed call again (an answer lost on the way): queued once.
    let again = json!({"account": "Studio", "jobs": jobs, "batch_name": "Boats", "confirm": true, "total_credits": total});
    let r = s.call("queue_jobs", again).await;
    assert_eq!(error_code(&r).as_deref(), Some("invalid_input"));
    assert!(said(&r).contains("already queued as batch \"Boats\""), "{}", said(&r));
    assert_eq!(env.jobs().len(), 12);
    wait_for_async_within("12 jobs downloaded", Duration::from_secs(90), || {
        let counts = env.db().count_by_state(None).unwrap();
        (counts.get(JobState::Downloaded) == 12).then_some(()).ok_or_else(|| format!("{counts:?}"))
    })
    .await;
    let k = sim.state().key(KEY).unwrap().clone();
    assert_eq!((k.tasks_created, k.max_running_at_once), (12, 6), "every job sent once, never more than 6 at once");
    let r = s.call("list_jobs", json!({"batch": "Boats", "state": "downloaded"})).await;
    let listed = body(&r)["jobs"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 12);
    for j in &listed {
        assert!(std::path::Path::new(j["video_path"].as_str().unwrap()).is_file(), "{j}");
    }
    let first = listed[0]["id"].as_i64().unwrap();
    // The Queue's filter: the saved file's name finds its job.
    let file = std::path::Path::new(listed[0]["video_path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
    let r = s.call("list_jobs", json!({"text": file})).await;
    let found: Vec<i64> = body(&r)["jobs"].as_array().unwrap().iter().map(|j| j["id"].as_i64().unwrap()).collect();
    assert_eq!(found, [first], "{file}");
    let r = s.call("job_status", json!({"id": first})).await;
    assert_eq!(body(&r)["state"], json!("downloaded"));
    let r = s.call("cancel_job", json!({"id": first})).await;
    assert_eq!(error_code(&r).as_deref(), Some("wrong_state"), "only a queued job can be canceled");
    let r = s.call("retry_job", json!({"id": first})).await;
    assert_eq!(error_code(&r).as_deref(), Some("wrong_state"), "a downloaded job is not retried");
    let r = s.call("usage", json!({"by": "model"})).await;
    let charged: i64 = env.jobs().iter().filter_map(|j| j.credits_cost).sum();
    assert_eq!(body(&r)["total"]["credits"], json!(charged), "the same totals as `loova usage`");

    let resources = s.client.list_all_resources().await.unwrap();
    assert!(resources.iter().any(|r| r.uri == "loova://prices"));
    assert_eq!(resources.iter().filter(|r| r.uri.starts_with("loova://recipes/")).count(), 12);
    let recipe = s.client.read_resource(ReadResourceRequestParams::new(format!("loova://recipes/{first}"))).await.unwrap();
    let text = serde_json::to_string(&recipe.contents).unwrap();
    assert!(text.contains("a paper boat on a lake"), "{text}");
    let prices = s.client.read_resource(ReadResourceRequestParams::new("loova://prices")).await.unwrap();
    assert!(serde_json::to_string(&prices.contents).unwrap().contains("seedance_2_0"));
    s.client.cancel().await.unwrap();

    // The key is nowhere: not in an answer, the server's log, or any file.
    let transcript = s.transcript.lock().unwrap().join("\n");
    let log = std::fs::read_to_string(&env.log).unwrap();
    assert!(log.contains("job 12 downloaded"), "the engine's log was written: {log}");
    for key in [KEY, CAPPED_KEY] {
        assert!(!transcript.contains(key) && !log.contains(key), "a key leaked into an answer or the log");
        assert!(files_containing(env.data.path(), key).is_empty(), "{:?}", files_containing(env.data.path(), key));
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/mcp-transcript.md");
    let doc = format!("# `loova mcp`: a recorded session\n\nRecorded by crates/cli/tests/cli_mcp.rs against loova-sim.\n\n{transcript}");
    std::fs::write(&out, doc).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn killing_the_server_mid_call_loses_nothing_and_sends_nothing_twice() {
    let mut cfg = above_our_cap(sim_config(&[(KEY, 1_000_000)], 0.01));
    // Slow creates keep jobs in flight when the kill lands.
    cfg.slow_ms = 300;
    cfg.faults.create.probabilities.insert(FaultKind::Slow, 0.5);
    let sim = loova_testkit::start_sim(cfg).await;
    let env = setup(&sim, "kill").await;
    let s = connect(&env, &["--run"]).await;
    let first = jobs_of("Kite", 12);
    let r = s.call("queue_jobs", json!({"account": "Studio", "jobs": first, "confirm": true, "total_credits": 900})).await;
    assert_eq!(body(&r)["queued"]["queued"], json!(12), "{}", said(&r));
    wait_for_async_within("a job in flight", Duration::from_secs(30), || {
        env.jobs().iter().any(|j| matches!(j.state, JobState::Submitting | JobState::Running))
    })
    .await;
    // A second batch is being queued when the server dies.
    let peer = s.client.peer().clone();
    let second = jobs_of("Late", 12);
    let call = tokio::spawn(async move {
        let args = json!({"account": "Studio", "jobs": second, "confirm": true, "total_credits": 900});
        peer.call_tool(CallToolRequestParams::new("queue_jobs").with_arguments(args.as_object().unwrap().clone())).await
    });
    s.kill();
    let _ = call.await;
    let late = env.jobs().iter().filter(|j| j.spec.prompt.starts_with("Late")).count();
    assert!(late == 0 || late == 12, "a batch is queued whole or not at all: {late}");
    let in_flight = env.jobs().iter().filter(|j| j.state.in_flight()).count();
    eprintln!("killed with {in_flight} job(s) in flight; the batch queued during the kill: {late} job(s)");

    let again = connect(&env, &["--run"]).await;
    let expected = 12 + late;
    let settled = |env: &Env| {
        let jobs = env.jobs();
        let open: Vec<_> = jobs.iter().filter(|j| !j.state.is_final() && j.state != JobState::OutcomeUnknown).map(|j| (j.id, j.state)).collect();
        (jobs.len() == expected && open.is_empty()).then_some(()).ok_or_else(|| format!("{} jobs, open: {open:?}", jobs.len()))
    };
    wait_for_async_within("every job settled", Duration::from_secs(90), || settled(&env)).await;
    // The person's decision on each unknown outcome, informed by Loova: a
    // task found there is attached (no new charge); otherwise it is sent again.
    let unknown: Vec<_> = env.jobs().into_iter().filter(|j| j.state == JobState::OutcomeUnknown).collect();
    for j in &unknown {
        let task = sim.state().key(KEY).unwrap().tasks.iter().find(|t| t.prompt == j.spec.prompt).map(|t| t.task_id.clone());
        let id = j.id.to_string();
        let args = match &task {
            Some(t) => vec!["attach", id.as_str(), t.as_str()],
            None => vec!["resubmit", id.as_str(), "--yes"],
        };
        let o = env.command(env!("CARGO_BIN_EXE_loova"), &args).output().await.unwrap();
        assert!(o.status.success(), "{}", common::text(&o));
    }
    wait_for_async_within("every job downloaded", Duration::from_secs(90), || {
        let counts = env.db().count_by_state(None).unwrap();
        (counts.get(JobState::Downloaded) as usize == expected).then_some(()).ok_or_else(|| format!("{counts:?}"))
    })
    .await;
    again.client.cancel().await.unwrap();
    eprintln!("{} unknown outcome(s) decided after the restart", unknown.len());
    let st = sim.state();
    let k = st.key(KEY).unwrap();
    assert!(k.max_running_at_once <= 6, "{}", k.max_running_at_once);
    for j in env.jobs() {
        let n = k.tasks.iter().filter(|t| t.prompt == j.spec.prompt).count();
        assert_eq!(n, 1, "job {} was created {n} times", j.id);
    }
    assert_eq!(k.tasks_created as usize, expected, "every job created exactly once ({} unknown outcomes decided)", unknown.len());
}
