//! `loova budget`, `loova alert` and `loova usage` against loova-sim: the
//! usage totals equal the simulator's own ledger of charges (per model and
//! per day, as JSON and CSV), and a daily budget holds while `loova run` is
//! SIGKILLed again and again. Needs the Secret Service (scripts/test runs it
//! inside dbus-run-session).

use crate::common;
use common::{text, Env};
use loova_testkit::{sim_config, Rng};
use std::collections::BTreeMap;
use std::time::Duration;

const KEY: &str = "sk-live-usage-test-5c1d";

async fn setup(sim: &loova_sim::SimHandle, test: &str) -> Env {
    // Local days in UTC, as the simulator's timestamps are.
    Env::new(&format!("usage-{test}")).fast().var("TZ", "UTC").with_account("Studio", &sim.base_url(), KEY).await
}

fn charged(sim: &loova_sim::SimHandle) -> i64 {
    sim.state().key(KEY).unwrap().tasks.iter().map(|t| t.credits_cost).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn usage_totals_equal_the_simulators_ledger() {
    let sim = loova_testkit::start_sim(sim_config(&[(KEY, 1_000_000)], 0.01)).await;
    let env = setup(&sim, "ledger").await;
    let mut rng = loova_testkit::rng();
    for i in 0..12 {
        let model = if rng.gen_bool(0.5) { "seedance_2_0" } else { "seedance_2_0_fast" };
        let duration = rng.gen_range(4..=15).to_string();
        env.ok(&["enqueue", "--account", "Studio", "--prompt", &format!("usage {i}: waves"), "--model", model, "--duration", &duration]);
    }
    env.ok(&["run", "--until-idle"]);
    let st = sim.state();
    let tasks = &st.key(KEY).unwrap().tasks;
    assert_eq!(tasks.len(), 12);
    let mut by_model: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_day: BTreeMap<String, i64> = BTreeMap::new();
    for t in tasks {
        *by_model.entry(t.model.clone()).or_default() += t.credits_cost;
        *by_day.entry(t.created_at[..10].to_string()).or_default() += t.credits_cost;
    }
    let json = |by: &str| -> serde_json::Value { serde_json::from_slice(&env.ok(&["usage", "--by", by, "--json"]).stdout).unwrap() };
    let groups = |v: &serde_json::Value| -> BTreeMap<String, i64> {
        v["groups"].as_array().unwrap().iter().map(|g| (g["key"].as_str().unwrap().to_string(), g["credits"].as_i64().unwrap())).collect()
    };
    let models = json("model");
    assert_eq!(groups(&models), by_model);
    assert_eq!(models["total"]["credits"].as_i64(), Some(charged(&sim)));
    assert_eq!(models["total"]["estimate_credits"], models["total"]["credits"], "the simulator charges the list price");
    assert_eq!(models["total"]["jobs"].as_i64(), Some(12));
    assert_eq!(models["total"]["refunded_credits"].as_i64(), Some(0));
    assert_eq!(groups(&json("day")), by_day);
    // CSV: a header and one row per group, summing to the same total.
    let csv = String::from_utf8(env.ok(&["usage", "--by", "model", "--csv"]).stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "model,credits,estimate_credits,jobs,refunded_credits,differing");
    assert_eq!(lines.len(), 1 + by_model.len());
    let sum: i64 = lines[1..].iter().map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(sum, charged(&sim));
    // A range that ends before today has nothing.
    let empty = json_range(&env, "2000-01-01", "2000-01-31");
    assert_eq!(empty["total"]["credits"].as_i64(), Some(0));
    let bad = env.cmd(&["usage", "--since", "2026-02-30"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

fn json_range(env: &Env, since: &str, until: &str) -> serde_json::Value {
    serde_json::from_slice(&env.ok(&["usage", "--since", since, "--until", until, "--json"]).stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_daily_budget_holds_while_loova_run_is_sigkilled() {
    let mut config = sim_config(&[(KEY, 1_000_000)], 0.01);
    // Slow creates widen the window a kill lands in while a create is on its way.
    config.slow_ms = 200;
    let sim = loova_testkit::start_sim(config).await;
    let env = setup(&sim, "sigkill").await;
    env.ok(&["budget", "Studio", "--daily", "300"]);
    env.ok(&["alert", "Studio", "--below", "500"]);
    for i in 0..10 {
        env.ok(&["enqueue", "--account", "Studio", "--prompt", &format!("budget {i}: a harbour")]);
    }
    let mut rng = loova_testkit::rng();
    for _ in 0..5 {
        let mut child = env.cmd(&["run"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(50..400)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(charged(&sim) <= 300, "charged {} after a kill", charged(&sim));
    }
    env.ok(&["run", "--until-idle"]);
    assert!(charged(&sim) <= 300, "charged {}", charged(&sim));
    let jobs: serde_json::Value = serde_json::from_slice(&env.ok(&["jobs", "--json"]).stdout).unwrap();
    let waiting = jobs.as_array().unwrap().iter().filter(|j| j["error_code"] == "budget_reached").count();
    let created = sim.state().key(KEY).unwrap().tasks_created as usize;
    assert!(waiting >= 6 && waiting + created <= 10, "{waiting} waiting, {created} created");
    let out = String::from_utf8(env.ok(&["budget", "Studio"]).stdout).unwrap();
    assert!(out.contains("today 300 credits"), "{out}");
}
