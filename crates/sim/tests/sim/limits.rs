//! The per-key concurrency limit in both modes, and exact counts under
//! hundreds of simultaneous creates.
use crate::common;
use common::*;
use loova_sim::{LimitMode, SimConfig, TaskStatus};
use std::sync::Arc;

#[tokio::test]
async fn reject_mode_refuses_the_seventh_with_the_configured_answer() {
    // Long jobs so nothing finishes during the test.
    let sim = sim_with(100_000, |c| c.timings.time_scale = 1.0).await;
    let c = client();
    for _ in 0..6 {
        assert_eq!(create(&c, &sim, KEY, prompt()).await.status, 200);
    }
    let a = create(&c, &sim, KEY, prompt()).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.body["code"], 429);
    assert_eq!(a.body["data"], serde_json::Value::Null);
    assert_eq!(a.body["message"], "concurrency limit reached: at most 6 tasks may run at once");
    let s = sim.state();
    let k = s.key(KEY).unwrap();
    assert_eq!((k.tasks_created, k.running, k.credits_available), (6, 6, 100_000 - 6 * 75));

    // Configurable status, code, message and limit.
    sim.update_config(|c| {
        c.limits.concurrency = 7;
        c.responses.concurrency = loova_sim::ErrorReply { http_status: 200, code: 4029, message: "too many tasks ({limit})".into() };
    })
    .unwrap();
    assert_eq!(create(&c, &sim, KEY, prompt()).await.status, 200);
    let a = create(&c, &sim, KEY, prompt()).await;
    assert_eq!((a.status, a.body["code"].as_i64()), (200, Some(4029)));
    assert_eq!(a.body["message"], "too many tasks (7)");
}

#[tokio::test]
async fn reject_mode_frees_a_slot_when_a_task_finishes() {
    let sim = sim_with(100_000, |c| c.limits.concurrency = 2).await;
    let c = client();
    let a = create(&c, &sim, KEY, prompt()).await;
    create(&c, &sim, KEY, prompt()).await;
    let id = a.body["data"]["task_id"].as_str().unwrap().to_string();
    wait_final(&c, &sim, KEY, &id).await;
    wait_state(&sim, "both finished", |s| s.key(KEY).unwrap().running == 0).await;
    assert_eq!(create(&c, &sim, KEY, prompt()).await.status, 200);
}

#[tokio::test]
async fn queue_mode_holds_tasks_queued_until_a_slot_frees() {
    let sim = sim_with(100_000, |c| {
        c.limits.mode = LimitMode::Queue;
        c.limits.concurrency = 2;
        c.timings.time_scale = 0.01; // ~0.5-0.7 s per 5 s job: creates finish well within it
    })
    .await;
    let c = client();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let a = create(&c, &sim, KEY, prompt()).await;
        assert_eq!(a.status, 200);
        ids.push((a.body["data"]["task_id"].as_str().unwrap().to_string(), a.body["data"]["status"].as_str().unwrap().to_string()));
    }
    assert_eq!(ids[0].1, "running");
    assert_eq!(ids[1].1, "running");
    assert_eq!(ids[2].1, "queued");
    let st = status(&c, &sim, KEY, &ids[4].0).await;
    assert_eq!(st.body["data"]["status"], "queued");
    assert_eq!(st.body["data"]["result"], serde_json::Value::Null);
    for (id, _) in &ids {
        wait_final(&c, &sim, KEY, id).await;
    }
    let s = sim.state();
    let k = s.key(KEY).unwrap();
    assert_eq!(k.max_running_at_once, 2);
    assert_eq!(k.tasks_created, 5);
    assert!(k.tasks.iter().all(|t| t.status == TaskStatus::Succeeded));
}

#[tokio::test]
async fn optional_queued_phase_before_running() {
    let sim = sim_with(100_000, |c| {
        c.timings.time_scale = 0.01;
        c.timings.queued_secs = 20.0; // 0.2 s queued, then ~0.6 s running
    })
    .await;
    let c = client();
    let a = create(&c, &sim, KEY, prompt()).await;
    assert_eq!(a.body["data"]["status"], "queued");
    let id = a.body["data"]["task_id"].as_str().unwrap().to_string();
    wait_for(10, "task leaves queued", || {
        let (c, sim, id) = (c.clone(), &sim, id.clone());
        async move { status(&c, sim, KEY, &id).await.body["data"]["status"] != "queued" }
    })
    .await;
    let data = wait_final(&c, &sim, KEY, &id).await;
    assert_eq!(data["status"], "succeeded");
    let s = sim.state();
    assert!(s.task(&id).unwrap().started_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_concurrent_creates_keep_exact_counts() {
    let keys: Vec<String> = (0..5).map(|i| format!("sk-load-{i:04}")).collect();
    let grants: Vec<(&str, i64)> = keys.iter().map(|k| (k.as_str(), 1_000_000)).collect();
    let mut cfg = SimConfig::for_tests(&grants);
    cfg.limits.mode = LimitMode::Queue;
    cfg.limits.concurrency = 6;
    cfg.timings.time_scale = 0.0005;
    let sim = Arc::new(sim(cfg).await);
    let c = client();
    let mut joins = Vec::new();
    for i in 0..300 {
        let (c, sim, key) = (c.clone(), sim.clone(), keys[i % 5].clone());
        // Every third one has a video reference (30/s instead of 15/s).
        let body = if i % 3 == 0 {
            serde_json::json!({"prompt": "p", "video_urls": ["https://a/v.mp4"], "duration": 4})
        } else {
            serde_json::json!({"prompt": "p", "duration": 4})
        };
        joins.push(tokio::spawn(async move { create(&c, &sim, &key, body).await.status }));
    }
    for j in joins {
        assert_eq!(j.await.unwrap(), 200);
    }
    let s = wait_state(&sim, "all 300 finished", |s| s.keys.iter().all(|k| k.tasks.iter().all(|t| t.status == TaskStatus::Succeeded))).await;
    assert_eq!(s.tasks_created, 300);
    for (ki, key) in keys.iter().enumerate() {
        let k = s.key(key).unwrap();
        assert_eq!(k.tasks_created, 60);
        let with_video = (0..300).filter(|i| i % 5 == ki && i % 3 == 0).count() as i64;
        let expected = 1_000_000 - with_video * 120 - (60 - with_video) * 60;
        assert_eq!(k.credits_available, expected, "{key}");
        // 60 tasks queued per key: the limit is reached, never passed.
        assert_eq!(k.max_running_at_once, 6, "{key}");
    }
    let creates = s.requests.iter().filter(|r| r.method == "POST").count();
    assert_eq!(creates, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_in_reject_mode_never_exceed_the_limit() {
    let sim = Arc::new(sim_with(1_000_000, |c| c.timings.time_scale = 1.0).await);
    let c = client();
    let mut joins = Vec::new();
    for _ in 0..100 {
        let (c, sim) = (c.clone(), sim.clone());
        joins.push(tokio::spawn(async move { create(&c, &sim, KEY, prompt()).await.status }));
    }
    let mut ok = 0;
    let mut rejected = 0;
    for j in joins {
        match j.await.unwrap() {
            200 => ok += 1,
            429 => rejected += 1,
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!((ok, rejected), (6, 94));
    let s = sim.state();
    assert_eq!(s.key(KEY).unwrap().credits_available, 1_000_000 - 6 * 75);
    assert_eq!(s.key(KEY).unwrap().max_running_at_once, 6);
}
