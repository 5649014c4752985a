//! Loova users with several keys: shared credits, tasks and limit;
//! revocation; the per-user highest running count.
use crate::common;
use common::*;
use loova_sim::{SimConfig, SimHandle};
use serde_json::{json, Value};

const A: &str = "sk-studio-a-0001";
const B: &str = "sk-studio-b-0002";
const C: &str = "sk-studio-c-0003";
const LONE: &str = "sk-lone-key-0004";

/// Keys A and B of user "studio" (600 + 400 credits) and LONE, its own user.
async fn studio(tweak: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut c = SimConfig::for_tests_users(&[(A, 600, "studio"), (B, 400, "studio")]);
    c.keys.push(loova_sim::KeyGrant::new(LONE, 1000));
    tweak(&mut c);
    sim(c).await
}

async fn sim_post(c: &reqwest::Client, sim: &SimHandle, path: &str, body: Value) -> (u16, Value) {
    let r = c.post(format!("{}/__sim/{path}", sim.root_url())).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn task_id(a: &Answer) -> String {
    a.body["data"]["task_id"].as_str().unwrap_or_else(|| panic!("no task id: {}", a.body)).to_string()
}

#[tokio::test]
async fn two_keys_of_one_user_share_credits_tasks_and_the_limit() {
    let sim = studio(|c| {
        c.limits.concurrency = 2;
        c.timings.time_scale = 1.0; // nothing finishes during the test
    })
    .await;
    let c = client();
    let balance = |k: &'static str| {
        let (c, sim) = (&c, &sim);
        async move { credits(c, sim, k).await.body["data"].clone() }
    };
    let both = json!({"api_available_credits": 1000, "api_total_credits": 1000});
    assert_eq!((balance(A).await, balance(B).await), (both.clone(), both));

    // A task created with A is charged to the user and readable with B.
    let first = create(&c, &sim, A, prompt()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let id = task_id(&first);
    assert_eq!(balance(B).await["api_available_credits"], 925);
    let seen = status(&c, &sim, B, &id).await;
    assert_eq!((seen.status, seen.body["data"]["task_id"].as_str()), (200, Some(id.as_str())));
    // Another user's key sees nothing, as for a missing task.
    let hidden = status(&c, &sim, LONE, &id).await;
    assert_eq!((hidden.status, hidden.body["message"].as_str()), (404, Some("task not found")));

    // The limit of 2 counts both keys; another user has its own slots.
    assert_eq!(create(&c, &sim, B, prompt()).await.status, 200);
    let third = create(&c, &sim, A, prompt()).await;
    assert_eq!(third.status, 429, "{}", third.body);
    assert_eq!(create(&c, &sim, B, prompt()).await.status, 429);
    assert_eq!(create(&c, &sim, LONE, prompt()).await.status, 200);

    let s = sim.state();
    let u = s.user("studio").unwrap();
    assert_eq!((u.tasks_created, u.running, u.max_running_at_once, u.credits_available), (2, 2, 2, 850));
    assert_eq!(u.key_hints, ["…0001", "…0002"]);
    for k in [A, B] {
        let k = s.key(k).unwrap();
        assert_eq!((k.user.as_str(), k.tasks_created, k.max_running_at_once, k.running), ("studio", 1, 1, 1));
        assert_eq!(k.credits_available, 850, "a key shows its user's balance");
    }
    assert_eq!(s.user_tasks("studio").len(), 2);
    // A key without a user is its own user, as before users existed.
    let lone = s.key(LONE).unwrap();
    assert!(lone.user.starts_with("key:"), "{}", lone.user);
    let lone_user = s.user(&lone.user).unwrap();
    assert_eq!((lone_user.tasks_created, lone_user.credits_available), (1, 925));
}

#[tokio::test]
async fn a_revoked_key_fails_authentication_while_the_users_task_finishes() {
    let sim = studio(|c| c.timings.time_scale = 0.05).await; // a 5 s job runs ~3 s
    let c = client();
    let id = task_id(&create(&c, &sim, A, prompt()).await);

    let (code, v) = sim_post(&c, &sim, "keys/revoke", json!({"key": A})).await;
    assert_eq!((code, &v["data"]), (200, &json!({"key_hint": "…0001", "revoked": true})));
    assert_eq!(sim.state().task(&id).unwrap().status, loova_sim::TaskStatus::Running);

    // Every endpoint answers A as it answers an unknown key.
    let unknown = credits(&c, &sim, "sk-never-granted").await;
    for a in [credits(&c, &sim, A).await, status(&c, &sim, A, &id).await, create(&c, &sim, A, prompt()).await] {
        assert_eq!(a.status, unknown.status);
        assert_eq!((&a.body["code"], &a.body["message"], &a.body["data"]), (&unknown.body["code"], &unknown.body["message"], &Value::Null));
    }
    assert_eq!(unknown.status, 401);

    // The task runs to its end and B reads it.
    let data = wait_final(&c, &sim, B, &id).await;
    assert_eq!(data["status"], "succeeded");
    assert_eq!(credits(&c, &sim, B).await.body["data"]["api_available_credits"], 925);
    let s = sim.state();
    assert!(s.key(A).unwrap().revoked && !s.key(B).unwrap().revoked);

    // Unknown keys cannot be revoked; the handle revokes too; reset restores.
    let (code, v) = sim_post(&c, &sim, "keys/revoke", json!({"key": "sk-nope"})).await;
    assert_eq!(code, 400, "{v}");
    assert!(sim.revoke_key(B));
    assert_eq!(credits(&c, &sim, B).await.status, 401);
    sim.reset();
    assert_eq!(credits(&c, &sim, A).await.status, 200);
}

#[tokio::test]
async fn keys_join_a_user_through_the_control_plane_and_the_handle() {
    let sim = studio(|_| {}).await;
    let c = client();
    let (code, v) = sim_post(&c, &sim, "keys", json!({"key": C, "credits": 100, "user": "studio"})).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["data"], json!({"key_hint": "…0003", "user": "studio", "api_available_credits": 1100, "api_total_credits": 1100}));
    assert_eq!(credits(&c, &sim, A).await.body["data"]["api_total_credits"], 1100);
    // A key cannot move to another user; an empty name is refused.
    let (code, v) = sim_post(&c, &sim, "keys", json!({"key": C, "credits": 1, "user": "other"})).await;
    assert_eq!(code, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("another user"), "{v}");
    let (code, _) = sim_post(&c, &sim, "keys", json!({"key": "sk-x", "credits": 1, "user": ""})).await;
    assert_eq!(code, 400);
    sim.add_user_key("sk-studio-d-0005", 5, "studio").unwrap();
    assert!(sim.add_user_key(LONE, 5, "studio").is_err());
    let s = sim.state();
    assert_eq!(s.user("studio").unwrap().credits_total, 1105);
    assert_eq!(s.user("studio").unwrap().key_hints.len(), 4);
    let cfg: Value = c.get(format!("{}/__sim/config", sim.root_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(cfg["data"]["keys"][0], json!({"key_hint": "…0001", "credits": 600, "user": "studio"}));
}

#[tokio::test]
async fn max_running_at_once_is_per_user_with_a_limit_far_above_six() {
    let sim = studio(|c| {
        c.limits.concurrency = 100;
        c.timings.time_scale = 1.0;
        c.keys[0].credits = 100_000;
    })
    .await;
    let c = client();
    let creates = (0..12).map(|i| {
        let (c, sim) = (c.clone(), &sim);
        async move { create(&c, sim, if i % 3 == 0 { A } else { B }, prompt()).await.status }
    });
    // All in flight at once.
    let statuses = futures_util::future::join_all(creates).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let s = sim.state();
    let u = s.user("studio").unwrap();
    assert_eq!((u.running, u.max_running_at_once), (12, 12));
    assert_eq!(s.key(A).unwrap().max_running_at_once, 4);
    assert_eq!(s.key(B).unwrap().max_running_at_once, 8);
}

#[tokio::test]
async fn users_and_revocations_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim-state.json");
    let mut cfg = SimConfig::for_tests_users(&[(A, 600, "studio"), (B, 400, "studio")]);
    cfg.state_file = Some(file.to_string_lossy().into_owned());
    let first = sim(cfg.clone()).await;
    let c = client();
    let id = task_id(&create(&c, &first, A, prompt()).await);
    assert!(first.revoke_key(A));
    first.shutdown();
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(!saved.contains(A) && !saved.contains(B), "keys never in clear");

    let again = sim(cfg).await;
    assert_eq!(credits(&c, &again, A).await.status, 401, "still revoked");
    assert_eq!(status(&c, &again, B, &id).await.status, 200);
    assert_eq!(credits(&c, &again, B).await.body["data"]["api_available_credits"], 925);
    assert_eq!(again.state().user("studio").unwrap().tasks_created, 1);
}
