//! Helpers shared by the integration tests: start a simulator on port 0,
//! call it with reqwest, and wait on conditions with a deadline (never a
//! fixed sleep).
#![allow(dead_code)]

use loova_sim::{SimConfig, SimHandle, StateSnapshot};
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

pub const KEY: &str = "sk-test-key-0001";

pub async fn sim(config: SimConfig) -> SimHandle {
    loova_sim::start(config).await.expect("simulator starts")
}

/// A simulator with one key and fast jobs.
pub async fn sim_with(credits: i64, tweak: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut c = SimConfig::for_tests(&[(KEY, credits)]);
    tweak(&mut c);
    sim(c).await
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
}

async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    Answer { status, body }
}

pub async fn create(c: &reqwest::Client, sim: &SimHandle, key: &str, body: Value) -> Answer {
    let r = c.post(format!("{}/v1/video/seedance-2", sim.base_url())).bearer_auth(key).json(&body).send().await.expect("create sent");
    answer(r).await
}

pub async fn status(c: &reqwest::Client, sim: &SimHandle, key: &str, task_id: &str) -> Answer {
    let r = c.get(format!("{}/v1/tasks", sim.base_url())).query(&[("task_id", task_id)]).bearer_auth(key).send().await.expect("status sent");
    answer(r).await
}

pub async fn credits(c: &reqwest::Client, sim: &SimHandle, key: &str) -> Answer {
    let r = c.get(format!("{}/v1/credits", sim.base_url())).bearer_auth(key).send().await.expect("credits sent");
    answer(r).await
}

/// Poll `cond` until it is true or `secs` pass (then panic with `what`).
pub async fn wait_for<F, Fut>(secs: u64, what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Wait until the state satisfies `cond`; returns that state.
pub async fn wait_state(sim: &SimHandle, what: &str, cond: impl Fn(&StateSnapshot) -> bool) -> StateSnapshot {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let s = sim.state();
        if cond(&s) {
            return s;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for: {what}; state: {s:#?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Wait until the task is final; returns the status answer's data.
pub async fn wait_final(c: &reqwest::Client, sim: &SimHandle, key: &str, task_id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let a = status(c, sim, key, task_id).await;
        let st = a.body["data"]["status"].as_str().unwrap_or("").to_string();
        if st == "succeeded" || st == "failed" {
            return a.body["data"].clone();
        }
        assert!(Instant::now() < deadline, "task {task_id} never finished: {}", a.body);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The "shape" of a JSON value: field names and types, integers and
/// decimals told apart, values ignored.
pub fn shape(v: &Value) -> Value {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(n) if n.is_f64() => "decimal".into(),
        Value::Number(_) => "integer".into(),
        Value::String(_) => "string".into(),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
    }
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture is JSON")
}

pub fn prompt() -> Value {
    serde_json::json!({"prompt": "a red fox running through snow"})
}
