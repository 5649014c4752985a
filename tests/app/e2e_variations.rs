//! The real app: a 2 × 2 × 2 variation set in the Composer shows 8 jobs and
//! their exact total, queues in the Sandbox as ONE batch, and all 8 videos
//! land named after their variations.

use crate::support;
use loova_testkit::wait_for;
use serde_json::json;
use std::collections::BTreeSet;
use support::App;

/// The price list's facts (2026-11-25), written out here so the total below
/// is the test's own arithmetic, not the app's.
const SEEDANCE_2_0_CREDITS_PER_S: u64 = 15;
const SEEDANCE_2_0_FAST_CREDITS_PER_S: u64 = 10;
/// A new Sandbox account's balance.
const SANDBOX_BALANCE: u64 = 10_000;

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn a_two_by_two_by_two_variation_set_is_priced_queued_as_one_batch_and_saved_by_name() {
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    let app = App::with_sandbox(data.path(), videos.path(), "variations");

    app.click("nav-composer");
    app.type_into("prompt", "A fox in {rain|snow} at {dawn|dusk}");
    app.wait_text("formula", |t| t == "15 credits/s × 5 s = 75 credits");
    app.click("variations-toggle");
    // Two groups × two models, 8 s each (the durations field replaced as a
    // person retypes it).
    app.type_into("variations-name", "Fox");
    app.type_into("vary-durations", "8");
    app.click("vary-model-seedance_2_0_fast");

    let weather = ["rain", "snow"];
    let light = ["dawn", "dusk"];
    let seconds = 8;
    let models = [("seedance_2_0", SEEDANCE_2_0_CREDITS_PER_S), ("seedance_2_0_fast", SEEDANCE_2_0_FAST_CREDITS_PER_S)];
    let mut expected_total = 0;
    let mut expected = Vec::new();
    for w in weather {
        for l in light {
            for (model, per_second) in models {
                expected_total += per_second * seconds;
                expected.push((format!("Fox — {w} · {l} · {model}"), format!("A fox in {w} at {l}"), model, per_second * seconds));
            }
        }
    }
    assert_eq!(expected.len(), 8);
    let expected_names: Vec<&str> = expected.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(expected_total, 4 * 15 * 8 + 4 * 10 * 8, "the test's own sum");

    app.wait_text("variations-count", |t| t == "8");
    app.wait_text("variations-credits", |t| t == support::grouped(expected_total));
    // No budget on the Sandbox: what it spent, and nothing waits for a cap.
    app.wait_text("variations-spending", |t| t == "This account spent 0 credits today and 0 this month.");
    app.wait_text("variations-balance-after", |t| t == format!("Balance after: {} credits", support::grouped(SANDBOX_BALANCE - expected_total)));
    // The first rows are the expansion in order: the first group slowest.
    let listed = |part: &str| app.eval(&format!("return [...document.querySelectorAll('[data-testid=variations-row-{part}]')].map(e => e.textContent)"));
    assert_eq!(listed("name"), json!(expected_names));
    let prompts = listed("prompt");
    assert_eq!(prompts[0], "A fox in rain at dawn", "each row shows its prompt: {prompts}");
    assert_eq!(prompts[7], "A fox in snow at dusk", "{prompts}");
    assert!(app.text("template-highlight").contains("{rain|snow}"));
    app.wait_text("queue-variations", |t| t == "Queue 8 jobs");
    app.screenshot("variations");

    app.click_when_enabled("queue-variations");
    wait_for("the variations to be queued", || {
        if app.exists("variations-queue-error") {
            panic!("queueing failed: {}", app.text("variations-queue-error"));
        }
        app.exists("variations-queued")
    });
    assert!(app.text("variations-queued").contains("Queued 8 jobs as the batch “Fox”"), "{}", app.text("variations-queued"));

    // ONE batch in the Queue, with all 8 jobs, charged what the preview said.
    app.click("nav-queue");
    let progress = app.wait_text("batch-progress", |t| t.starts_with("8/8 done"));
    assert!(progress.contains(&format!("{} credits charged", support::grouped(expected_total))), "{progress}");
    let batches = app.eval("return [...document.querySelectorAll('section.batches .batch')].map(b => b.dataset.testid)");
    assert_eq!(batches, json!(["batch-Fox"]), "one batch for the whole set");

    // The 8 videos, named after their variations, each with its recipe.
    let folder = videos.path().join("Sandbox");
    let saved: BTreeSet<String> = std::fs::read_dir(&folder).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    let files: BTreeSet<String> = expected_names.iter().flat_map(|n| [format!("{n}.mp4"), format!("{n}.mp4.json")]).collect();
    assert_eq!(saved, files);
    for (name, prompt, model, credits) in &expected {
        let video = folder.join(format!("{name}.mp4"));
        assert!(std::fs::metadata(&video).unwrap().len() > 1000, "{video:?} is complete");
        let recipe: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join(format!("{name}.mp4.json"))).unwrap()).unwrap();
        assert_eq!(
            (&recipe["name"], &recipe["prompt"], &recipe["model"], &recipe["duration"], &recipe["batch"], &recipe["estimate_credits"]),
            (&json!(name), &json!(prompt), &json!(model), &json!(seconds), &json!("Fox"), &json!(credits)),
            "{recipe}"
        );
    }
}
