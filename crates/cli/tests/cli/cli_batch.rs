//! `loova preview --file` and `loova enqueue --file` as a person runs them.

use crate::common::{self, Env};
use loova_core::store::JobFilter;
use std::path::Path;

const BAD: &str = "prompt,model,duration\nfine,seedance_2_0,8\n,seedance_2_0,20\n\"two, lines\nhere\",seedance_9,5\nalso fine,seedance_2_0_fast,4\n";

#[test]
fn preview_of_a_bad_file_exits_2_with_file_line_column_messages() {
    let env = Env::new("batch").with_offline_account();
    let f = env.file("bad.csv", BAD);
    let (code, out, err) = env.run(&["preview", "--file", &f]);
    assert_eq!(code, 2, "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with(&f)).collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with(&format!("{f}:3: prompt: ")), "{err}");
    assert!(lines[1].starts_with(&format!("{f}:3: duration: ")), "{err}");
    assert!(lines[2].starts_with(&format!("{f}:4: model: ")), "{err}");
    // The valid rows are still totalled: 15 × 8 + 10 × 4 = 160.
    assert!(out.contains("160 credits"), "{out}");
}

#[test]
fn preview_json_with_account_balance_and_shortfall() {
    let env = Env::new("batch").with_offline_account();
    // 4 × (30 × 10) = 1,200 against 1,000 available: 200 short.
    let row = "prompt,duration,video_urls\n";
    let body: String = (0..4).map(|i| format!("shot {i},10,https://e.com/{i}.mp4\n")).collect();
    let f = env.file("b.csv", &format!("{row}{body}"));
    let (code, out, err) = env.run(&["preview", "--file", &f, "--account", "studio", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total_credits"], 1200);
    assert_eq!(v["valid_rows"], 4);
    assert_eq!(v["breakdown"][0]["credits_per_second"], 30);
    assert_eq!(v["dollars"]["usd_min"], "38.40");
    assert_eq!(v["dollars"]["usd_max"], "96.00");
    let b = &v["balance"];
    assert_eq!(b["api_available_credits"], 1000);
    assert_eq!(b["reserved_credits"], 0);
    assert_eq!(b["balance_after"], -200);
    assert_eq!(b["shortfall"], 200);
    assert_eq!(b["pack_advice"]["credits"], 300);
    assert_eq!(b["pack_advice"]["usd"], "24.00");
    assert!(b["app_credits_note"].as_str().unwrap().contains("App Credits cannot be used"));

    // Own price per credit.
    assert_eq!(env.run(&["price-per-credit", "0.05"]).0, 0);
    let (_, out, _) = env.run(&["preview", "--file", &f, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["dollars"]["usd"], "60.00");
    assert_eq!(env.run(&["price-per-credit", "--clear"]).0, 0);
    assert_eq!(env.run(&["price-per-credit", "nope"]).0, 2);
}

#[test]
fn enqueue_refuses_a_bad_file_then_only_valid_queues_the_rest() {
    let env = Env::new("batch").with_offline_account();
    let f = env.file("series.csv", BAD);
    let (code, _, err) = env.run(&["enqueue", "--file", &f, "--account", "Studio"]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("{f}:4: model: ")), "{err}");
    assert!(env.db().jobs(&JobFilter::default()).unwrap().is_empty(), "nothing queued");

    let (code, out, err) = env.run(&["enqueue", "--file", &f, "--account", "Studio", "--batch-name", "Spring", "--only-valid"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Queued batch \"Spring\""), "{out}");
    assert!(out.contains("2 jobs"), "{out}");
    assert!(out.contains("lines 3, 4"), "{out}");
    assert!(err.contains(&format!("{f}:3: prompt: ")), "{err}");
    let jobs = env.db().jobs(&JobFilter::default()).unwrap();
    assert_eq!(jobs.iter().map(|j| j.spec.prompt.as_str()).collect::<Vec<_>>(), ["fine", "also fine"]);
    assert!(jobs.iter().all(|j| j.batch_id.is_some()));

    let (code, out, _) = env.run(&["batches", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["name"], "Spring");
    assert_eq!(v[0]["progress"]["waiting"], 2);
}

#[test]
fn the_jsonl_example_queues_and_single_job_flags_still_work() {
    let env = Env::new("batch").with_offline_account();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/batch.jsonl");
    let (code, out, err) = env.run(&["enqueue", "--file", example.to_str().unwrap(), "--account", "Studio", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["queued"], 5);
    assert_eq!(v["batch"]["name"], "batch");
    let (code, _, err) = env.run(&["enqueue", "--account", "Studio", "--prompt", "one more"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(env.db().jobs(&JobFilter::default()).unwrap().len(), 6);
    // Neither a prompt nor a file: clap refuses.
    assert_eq!(env.run(&["enqueue", "--account", "Studio"]).0, 2);
}

#[test]
fn enqueue_copies_local_files_named_relative_to_the_working_directory() {
    let env = Env::new("batch").with_offline_account();
    let work = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/media");
    std::fs::copy(src.join("red.png"), work.path().join("me.png")).unwrap();
    std::fs::copy(src.join("tone.wav"), work.path().join("me.wav")).unwrap();
    let (code, _, err) = common::run(
        common::loova(env.data.path())
            .args(["enqueue", "--account", "Studio", "--prompt", "hi", "--image-file", "me.png", "--audio-file", "me.wav", "--json"])
            .current_dir(work.path()),
    );
    assert_eq!(code, 0, "{err}");
    let jobs = env.db().jobs(&JobFilter::default()).unwrap();
    let spec = &jobs[0].spec;
    let dir = env.data.path().join("media").join(jobs[0].id.to_string());
    assert_eq!(spec.image_files, [dir.join("image1-me.png").display().to_string()]);
    assert_eq!(spec.audio_files, [dir.join("audio1-me.wav").display().to_string()]);
    assert!(Path::new(&spec.audio_files[0]).is_file());
    // A missing file: nothing is queued.
    let (code, _, err) = env.run(&["enqueue", "--account", "Studio", "--prompt", "hi", "--video-file", "/nonexistent/v.mp4"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/v.mp4"), "{err}");
    assert_eq!(env.db().jobs(&JobFilter::default()).unwrap().len(), 1);
}

#[test]
fn enqueue_order_soonest_queues_the_longest_expected_first() {
    let env = Env::new("batch").with_offline_account();
    let f = env.file("mix.csv", "prompt,model,duration\nshort,seedance_2_0_fast,4\nlong,seedance_2_0,15\nmiddle,seedance_2_0,8\n");
    let (code, _, err) = env.run(&["enqueue", "--file", &f, "--account", "Studio", "--order", "soonest"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = env.run(&["enqueue", "--file", &f, "--account", "Studio", "--order", "listed"]);
    assert_eq!(code, 0, "{err}");
    let prompts: Vec<String> = env.db().jobs(&JobFilter::default()).unwrap().into_iter().map(|j| j.spec.prompt).collect();
    assert_eq!(prompts, ["long", "middle", "short", "short", "long", "middle"], "queue order: soonest, then as listed");
    let (code, _, err) = env.run(&["enqueue", "--file", &f, "--account", "Studio", "--order", "fastest"]);
    assert_eq!(code, 2, "an unknown order is refused: {err}");
}
