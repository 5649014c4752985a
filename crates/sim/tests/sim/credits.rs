//! Credit accounting: price table, deduction on create, refund (or not) on
//! failure, insufficient credits, keys added at run time.
use crate::common;
use common::*;
use loova_sim::TaskStatus;
use serde_json::json;

#[tokio::test]
async fn charges_follow_the_price_list() {
    let sim = sim_with(1_000_000, |c| c.limits.mode = loova_sim::LimitMode::Queue).await;
    let c = client();
    let cases = [
        (json!({"prompt": "x", "duration": 5}), 75),
        (json!({"prompt": "x", "duration": 10, "video_urls": ["https://a/v.mp4"]}), 300),
        (json!({"prompt": "x", "duration": 4, "model": "seedance_2_0_fast"}), 40),
        (json!({"prompt": "x", "duration": 15, "model": "seedance_2_0_fast", "video_urls": ["https://a/v.mp4"], "image_urls": ["https://a/i.png"]}), 300),
        // Images and audio alone do not change the rate.
        (json!({"prompt": "x", "duration": 8, "image_urls": ["https://a/i.png"], "audio_urls": ["https://a/a.mp3"]}), 120),
    ];
    let mut spent = 0;
    for (body, cost) in cases {
        let a = create(&c, &sim, KEY, body.clone()).await;
        assert_eq!(a.body["data"]["credits_cost"], json!(cost), "{body}");
        spent += cost;
        let cr = credits(&c, &sim, KEY).await;
        assert_eq!(cr.body["data"]["api_available_credits"], json!(1_000_000 - spent));
        assert_eq!(cr.body["data"]["api_total_credits"], json!(1_000_000));
    }
    // Configurable table.
    sim.update_config(|c| c.prices.seedance_2_0.per_second = 12).unwrap();
    let a = create(&c, &sim, KEY, json!({"prompt": "x", "duration": 5})).await;
    assert_eq!(a.body["data"]["credits_cost"], json!(60));
}

#[tokio::test]
async fn insufficient_credits_are_rejected_and_nothing_is_charged() {
    let sim = sim_with(80, |_| {}).await;
    let c = client();
    assert_eq!(create(&c, &sim, KEY, prompt()).await.status, 200); // 75, 5 left
    let a = create(&c, &sim, KEY, json!({"prompt": "x", "duration": 4})).await;
    assert_eq!(a.status, 402);
    assert_eq!(a.body["code"], 402);
    assert!(a.body["message"].as_str().unwrap().contains("insufficient credits"));
    assert_eq!(a.body["data"], serde_json::Value::Null);
    let s = sim.state();
    assert_eq!((s.key(KEY).unwrap().credits_available, s.tasks_created), (5, 1));
    // Exactly enough is enough.
    sim.add_key(KEY, 35);
    assert_eq!(create(&c, &sim, KEY, json!({"prompt": "x", "duration": 4, "model": "seedance_2_0_fast"})).await.status, 200);
    let cr = credits(&c, &sim, KEY).await;
    assert_eq!(cr.body["data"], json!({"api_available_credits": 0, "api_total_credits": 115}));
}

#[tokio::test]
async fn failed_tasks_are_refunded_by_default() {
    let sim = sim_with(1000, |c| c.fail_rate = 1.0).await;
    let c = client();
    let id = create(&c, &sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    assert_eq!(credits(&c, &sim, KEY).await.body["data"]["api_available_credits"], 925);
    let data = wait_final(&c, &sim, KEY, &id).await;
    assert_eq!(data["status"], "failed");
    assert_eq!(data["result"]["video_url"], serde_json::Value::Null);
    assert!(data["result"]["error_message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(data["result"]["finished_at"].is_string());
    // The charge stays on the task; the balance is back.
    assert_eq!(data["credits_cost"], 75);
    assert_eq!(credits(&c, &sim, KEY).await.body["data"]["api_available_credits"], 1000);
    assert!(sim.state().task(&id).unwrap().refunded);
}

#[tokio::test]
async fn refund_can_be_switched_off() {
    let sim = sim_with(1000, |c| {
        c.fail_rate = 1.0;
        c.refund_on_failure = false;
    })
    .await;
    let c = client();
    let id = create(&c, &sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    assert_eq!(wait_final(&c, &sim, KEY, &id).await["status"], "failed");
    assert_eq!(credits(&c, &sim, KEY).await.body["data"]["api_available_credits"], 925);
    let s = sim.state();
    assert_eq!(s.task(&id).unwrap().status, TaskStatus::Failed);
    assert!(!s.task(&id).unwrap().refunded);
}

#[tokio::test]
async fn unknown_and_missing_keys_fail_authentication() {
    let sim = sim_with(1000, |_| {}).await;
    let c = client();
    let a = create(&c, &sim, "sk-nope", prompt()).await;
    assert_eq!((a.status, a.body["code"].as_i64()), (401, Some(401)));
    assert_eq!(a.body["message"], "authentication failed: invalid API key");
    let r = c.get(format!("{}/v1/credits", sim.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let st = status(&c, &sim, "sk-nope", "task_1").await;
    assert_eq!(st.status, 401);
    // Another key's task is not found.
    sim.add_key("sk-other-9999", 1000);
    let id = create(&c, &sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    let st = status(&c, &sim, "sk-other-9999", &id).await;
    assert_eq!((st.status, st.body["code"].as_i64()), (404, Some(404)));
    let st = status(&c, &sim, KEY, "").await;
    assert!(st.body["message"].as_str().unwrap().contains("`task_id`"));
    assert_eq!(sim.state().tasks_created, 1);
}
