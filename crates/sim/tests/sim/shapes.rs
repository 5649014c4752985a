//! The simulator's answers have exactly the shapes of the reference's JSON
//! examples (tests/fixtures, copied from loova-api.md).
use crate::common;
use common::*;
use loova_sim::CostFormat;
use serde_json::json;

#[tokio::test]
async fn create_status_and_credits_match_the_documented_shapes() {
    // Exactly the documented fields: no settings beside `model` in status.
    let sim = sim_with(10_000, |c| c.compat.status_shows_settings = false).await;
    let c = client();
    let created = create(&c, &sim, KEY, prompt()).await;
    assert_eq!(created.status, 200);
    assert_eq!(shape(&created.body), shape(&fixture("create_response.json")));
    let id = created.body["data"]["task_id"].as_str().unwrap().to_string();

    // While running, result is null.
    sim.update_config(|c| c.timings.time_scale = 1000.0).unwrap();
    let slow = create(&c, &sim, KEY, prompt()).await;
    let slow_id = slow.body["data"]["task_id"].as_str().unwrap();
    let running = status(&c, &sim, KEY, slow_id).await;
    assert_eq!(running.body["data"]["status"], "running");
    assert_eq!(shape(&running.body), shape(&fixture("status_running.json")));

    // Finished, integer credits_cost.
    wait_final(&c, &sim, KEY, &id).await;
    let done = status(&c, &sim, KEY, &id).await;
    assert_eq!(shape(&done.body), shape(&fixture("status_integer.json")));
    assert_eq!(done.body["data"]["credits_cost"], json!(75));
    assert!(done.body["data"]["result"]["video_url"].as_str().unwrap().starts_with(&sim.root_url()));

    // Same task, decimal credits_cost (12.0 style).
    sim.update_config(|c| c.credits_cost_format = CostFormat::Decimal).unwrap();
    let done = status(&c, &sim, KEY, &id).await;
    assert_eq!(shape(&done.body), shape(&fixture("status_decimal.json")));
    assert_eq!(done.body["data"]["credits_cost"].as_f64(), Some(75.0));

    let cr = credits(&c, &sim, KEY).await;
    assert_eq!(shape(&cr.body), shape(&fixture("credits_response.json")));
    assert_eq!(cr.body["data"], json!({"api_available_credits": 10_000 - 150, "api_total_credits": 10_000}));

    // Errors share the envelope: code != 200, message, data null.
    let bad = credits(&c, &sim, "sk-unknown").await;
    assert_eq!(bad.status, 401);
    assert_eq!(shape(&bad.body), shape(&fixture("error_response.json")));
    assert_eq!(bad.body["code"], 401);
}

#[tokio::test]
async fn decimal_credits_cost_is_written_as_12_point_0_on_the_wire() {
    let sim = sim_with(10_000, |c| c.credits_cost_format = CostFormat::Decimal).await;
    let c = client();
    let id = create(&c, &sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    let text = c.get(format!("{}/v1/tasks?task_id={id}", sim.base_url())).bearer_auth(KEY).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("\"credits_cost\":75.0"), "{text}");
}

#[tokio::test]
async fn status_shows_the_settings_the_task_runs_with_beside_model() {
    let sim = sim_with(10_000, |_| {}).await;
    let c = client();
    let body = json!({"prompt": "x", "function_mode": "first_last_frames", "ratio": "9:16", "duration": 7});
    let id = create(&c, &sim, KEY, body).await.body["data"]["task_id"].as_str().unwrap().to_string();
    let data = wait_final(&c, &sim, KEY, &id).await;
    assert_eq!((&data["function_mode"], &data["ratio"], &data["duration"]), (&json!("first_last_frames"), &json!("9:16"), &json!(7)));
    // Otherwise the documented shape, field for field.
    let mut documented = data.clone();
    for extra in ["function_mode", "ratio", "duration"] {
        documented.as_object_mut().unwrap().remove(extra);
    }
    assert_eq!(shape(&documented), shape(&fixture("status_integer.json")["data"]));
}
