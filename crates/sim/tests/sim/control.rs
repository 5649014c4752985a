//! The /__sim/ control plane over HTTP, the library handle, and the state file.
use crate::common;
use common::*;
use loova_sim::{SimConfig, SimHandle, TaskStatus};
use serde_json::{json, Value};

async fn sim_get(c: &reqwest::Client, sim: &SimHandle, path: &str) -> Value {
    c.get(format!("{}/__sim/{path}", sim.root_url())).send().await.unwrap().json().await.unwrap()
}

async fn sim_post(c: &reqwest::Client, sim: &SimHandle, path: &str, body: Value) -> (u16, Value) {
    let r = c.post(format!("{}/__sim/{path}", sim.root_url())).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn state_shows_everything_but_never_the_key() {
    let sim = sim_with(1000, |_| {}).await;
    let c = client();
    create(&c, &sim, KEY, json!({"prompt": "a fox", "video_urls": ["https://a/v.mp4"], "duration": 4})).await;
    credits(&c, &sim, KEY).await;
    let raw = c.get(format!("{}/__sim/state", sim.root_url())).send().await.unwrap().text().await.unwrap();
    assert!(!raw.contains(KEY), "the key must never appear in clear");
    let v: Value = serde_json::from_str(&raw).unwrap();
    let state: loova_sim::StateSnapshot = serde_json::from_value(v["data"].clone()).unwrap();
    let k = &state.keys[0];
    assert_eq!(k.key_hint, "…0001");
    assert_eq!((k.credits_available, k.credits_total, k.tasks_created), (880, 1000, 1));
    let t = &k.tasks[0];
    assert_eq!((t.prompt.as_str(), t.model.as_str(), t.duration, t.has_video_ref), ("a fox", "seedance_2_0", 4, true));
    assert!(!t.created_at.is_empty());
    let reqs = &state.requests;
    assert_eq!(reqs.len(), 2);
    assert_eq!((reqs[0].method.as_str(), reqs[0].path.as_str(), reqs[0].status), ("POST", "/api/v1/video/seedance-2", Some(200)));
    assert_eq!(reqs[1].key_hint.as_deref(), Some("…0001"));
    // Config view is redacted too.
    let cfg = c.get(format!("{}/__sim/config", sim.root_url())).send().await.unwrap().text().await.unwrap();
    assert!(!cfg.contains(KEY));
}

#[tokio::test]
async fn reconfigure_add_keys_create_tasks_and_reset() {
    let sim = sim_with(1000, |_| {}).await;
    let c = client();
    // Merge patch: only the given fields change.
    let (s, v) = sim_post(&c, &sim, "config", json!({"limits": {"concurrency": 1}, "faults": {"credits": {"script": ["http_502"]}}})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["limits"], json!({"concurrency": 1, "mode": "reject", "upstream_reference_limits": false}));
    assert_eq!(v["data"]["prices"]["seedance_2_0"]["per_second"], 15);
    assert_eq!(credits(&c, &sim, KEY).await.status, 502);
    let (s, _) = sim_post(&c, &sim, "config", json!({"fail_rate": 7})).await;
    assert_eq!(s, 400);

    let (s, v) = sim_post(&c, &sim, "keys", json!({"key": "sk-added-7777", "credits": 500})).await;
    assert_eq!(s, 200);
    assert_eq!(v["data"]["key_hint"], "…7777");
    assert_eq!(credits(&c, &sim, "sk-added-7777").await.body["data"]["api_total_credits"], 500);
    // The key may instead travel in the Authorization header.
    let r = c.post(format!("{}/__sim/keys", sim.root_url())).bearer_auth("sk-header-8888").json(&json!({"credits": 40})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(credits(&c, &sim, "sk-header-8888").await.body["data"]["api_total_credits"], 40);
    let (s, v) = sim_post(&c, &sim, "keys", json!({"credits": 40})).await;
    assert_eq!(s, 400);
    assert!(v["message"].as_str().unwrap().contains("Authorization: Bearer"), "{v}");

    // A task created "outside the client" takes the key's slot.
    sim.update_config(|c| c.timings.time_scale = 1.0).unwrap();
    let (s, v) = sim_post(&c, &sim, "tasks", json!({"key": KEY, "prompt": "from the web app"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["credits_cost"], 75);
    assert_eq!(create(&c, &sim, KEY, prompt()).await.status, 429);
    let (s, v) = sim_post(&c, &sim, "tasks", json!({"key": KEY, "prompt": "second"})).await;
    assert_eq!((s, v["code"].as_i64()), (429, Some(429)), "limits apply to outside tasks too");
    let (s, v) = sim_post(&c, &sim, "tasks", json!({"key": KEY, "prompt": ""})).await;
    assert_eq!(s, 400);
    assert!(v["message"].as_str().unwrap().contains("`prompt`"));

    let (s, _) = sim_post(&c, &sim, "reset", json!({})).await;
    assert_eq!(s, 200);
    let st = sim_get(&c, &sim, "state").await;
    assert_eq!(st["data"]["tasks_created"], 0);
    assert_eq!(st["data"]["requests"], json!([]));
    // Reset restores configured keys only.
    assert_eq!(st["data"]["keys"].as_array().unwrap().len(), 1);
    assert_eq!(credits(&c, &sim, KEY).await.body["data"]["api_available_credits"], 1000);
    // ?replace=true resets everything not given to defaults.
    let (s, v) = sim_post(&c, &sim, "config?replace=true", json!({"fail_rate": 0.5})).await;
    assert_eq!(s, 200);
    assert_eq!(v["data"]["limits"]["concurrency"], 6);
    assert_eq!(v["data"]["fail_rate"], 0.5);
}

#[test]
fn spawn_in_thread_serves_sync_callers() {
    let sim = SimHandle::spawn_in_thread(SimConfig::for_tests(&[(KEY, 300)])).unwrap();
    assert!(sim.base_url().starts_with("http://127.0.0.1:") && sim.base_url().ends_with("/api"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let a = rt.block_on(async { credits(&client(), &sim, KEY).await });
    assert_eq!(a.body["data"]["api_available_credits"], 300);
    let addr = sim.addr();
    sim.shutdown();
    // Stopped: the port no longer answers.
    assert!(std::net::TcpStream::connect(addr).is_err() || rt.block_on(async { client().get(format!("http://{addr}/api/v1/credits")).send().await.is_err() }));
}

#[tokio::test]
async fn state_file_restores_keys_credits_and_running_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim-state.json");
    let mut cfg = SimConfig::for_tests(&[(KEY, 1000)]);
    cfg.state_file = Some(path.to_string_lossy().into_owned());
    cfg.timings.time_scale = 0.05; // 60 s → ~3 s per task: survives the restart
    let sim = sim(cfg.clone()).await;
    let c = client();
    let id = create(&c, &sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    sim.add_key("sk-runtime-5555", 200);
    sim.shutdown();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains(&id));

    // Restart with a conflicting grant: the saved balance wins.
    let sim = loova_sim::start(cfg).await.unwrap();
    let s = sim.state();
    let k = s.key(KEY).unwrap();
    assert_eq!(k.credits_available, 925);
    assert_eq!(s.key("sk-runtime-5555").unwrap().credits_total, 200);
    assert_eq!(s.task(&id).unwrap().status, TaskStatus::Running, "still running after the restart");
    let data = wait_final(&c, &sim, KEY, &id).await;
    assert_eq!(data["status"], "succeeded");
    // Transitions are saved too.
    wait_for(10, "state file shows the task succeeded", || {
        let path = path.clone();
        async move { std::fs::read_to_string(&path).unwrap_or_default().contains("\"succeeded\"") }
    })
    .await;
}

#[tokio::test]
async fn state_file_never_holds_a_key_in_clear_and_still_authenticates() {
    const SECRET: &str = "sk-sandbox-SECRET-0123456789";
    const RUNTIME: &str = "sk-runtime-SECRET-9876543210";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim-state.json");
    let mut cfg = SimConfig::for_tests(&[(SECRET, 1000)]);
    cfg.state_file = Some(path.to_string_lossy().into_owned());
    let sim = sim(cfg.clone()).await;
    let c = client();
    let id = create(&c, &sim, SECRET, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    // Keys added at run time (control plane and handle) and a task created
    // through the control plane are covered too.
    let (st, _) = sim_post(&c, &sim, "keys", json!({"key": RUNTIME, "credits": 300})).await;
    assert_eq!(st, 200);
    let mut body = prompt();
    body["key"] = json!(RUNTIME);
    let (st, v) = sim_post(&c, &sim, "tasks", body).await;
    assert_eq!(st, 200, "{v}");
    let runtime_id = v["data"]["task_id"].as_str().unwrap().to_string();
    sim.add_key(RUNTIME, 50);
    let before = credits(&c, &sim, SECRET).await.body["data"].clone();
    let runtime_before = credits(&c, &sim, RUNTIME).await.body["data"].clone();
    sim.shutdown();

    // Nothing in the directory holds either key, or even its last 8 chars.
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        files += 1;
        for key in [SECRET, RUNTIME] {
            let tail = &key.as_bytes()[key.len() - 8..];
            for needle in [key.as_bytes(), tail, b"SECRET"] {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle), "state file holds {:?}", String::from_utf8_lossy(needle));
            }
        }
    }
    assert_eq!(files, 1, "only the state file is left behind");
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains(&id) && saved.contains(&runtime_id));
    assert!(saved.contains("…6789"), "the hint is kept");

    // Restart from the file alone (no configured grant): the same keys
    // authenticate and see their tasks and credits.
    cfg.keys.clear();
    let sim = loova_sim::start(cfg).await.unwrap();
    assert_eq!(credits(&c, &sim, SECRET).await.body["data"], before);
    assert_eq!(credits(&c, &sim, RUNTIME).await.body["data"], runtime_before);
    let a = status(&c, &sim, SECRET, &id).await;
    assert_eq!((a.status, a.body["data"]["task_id"].as_str()), (200, Some(id.as_str())));
    let a = status(&c, &sim, RUNTIME, &runtime_id).await;
    assert_eq!(a.status, 200);
    // Tasks stay private to their key.
    assert_eq!(status(&c, &sim, RUNTIME, &id).await.status, 404);
    assert_eq!(credits(&c, &sim, "sk-sandbox-OTHER-0123456789").await.status, 401);
    let s = sim.state();
    let k = s.key(SECRET).unwrap();
    assert_eq!(k.key_hint, "…6789");
    assert_eq!(k.tasks.len(), 1);
    assert_eq!(k.tasks[0].task_id, id);
    assert_eq!(k.credits_total, 1000);
    assert_eq!(s.key(RUNTIME).unwrap().credits_total, 350);
    sim.shutdown();
}
