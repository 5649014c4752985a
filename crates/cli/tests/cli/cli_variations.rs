//! `loova preview|enqueue|expand --prompt TEMPLATE` as a person runs them,
//! and the round trip `loova expand` → edit → `loova enqueue --file`.

use crate::common::Env;
use loova_core::store::{JobFilter, JobRow};

fn jobs_of(env: &Env) -> Vec<JobRow> {
    env.db().jobs(&JobFilter::default()).unwrap()
}

fn wildcard(env: &Env, name: &str, text: &str) {
    let dir = env.data.path().join("wildcards");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.txt")), text).unwrap();
}

const FOX: &str = "A {red|blue} fox in {rain|snow}";

#[test]
fn preview_json_lists_every_job_with_exact_totals() {
    let env = Env::new("variations").with_offline_account();
    let args = ["preview", "--prompt", FOX, "--vary", "ratio=16:9,9:16", "--vary", "duration=5,8", "--takes", "2", "--account", "Studio", "--json"];
    let (code, out, err) = env.run(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["count"], 32);
    let jobs = v["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 32);
    assert_eq!(jobs[0]["name"], "A fox in — red · rain · 16:9 · 5 s · take 1");
    assert_eq!(jobs[31]["name"], "A fox in — blue · snow · 9:16 · 8 s · take 2");
    assert_eq!(jobs[31]["spec"]["prompt"], "A blue fox in snow");
    // Independent arithmetic: 16 jobs at 5 s and 16 at 8 s, 15 credits/s.
    let total = 16 * 5 * 15 + 16 * 8 * 15;
    assert_eq!(v["batch"]["total_credits"], total);
    assert_eq!(v["batch"]["balance"]["balance_after"], 1_000 - total);
    assert_eq!(v["batch"]["balance"]["shortfall"], total - 1_000);
    assert!(v["batch"]["balance"]["pack_advice"]["credits"].as_u64().unwrap() >= (total - 1_000) as u64);
}

#[test]
fn preview_text_shows_count_totals_and_first_rows() {
    let env = Env::new("variations").with_offline_account();
    let (code, out, err) = env.run(&["preview", "--prompt", FOX, "--takes", "3", "--vary", "model=seedance_2_0,seedance_2_0_fast"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("24 jobs from \"A {red|blue} fox in {rain|snow}\" (batch \"A fox in\")"), "{out}");
    // 12 × 5 s × 15 + 12 × 5 s × 10 = 1,500.
    assert!(out.contains("1,500 credits"), "{out}");
    assert!(out.contains("    1. A fox in — red · rain · seedance_2_0 · take 1"), "{out}");
    assert!(out.contains("First 10 of 24"), "{out}");
    assert!(out.contains("and 14 more"), "{out}");
}

#[test]
fn template_errors_name_their_position_and_exit_2() {
    let env = Env::new("variations").with_offline_account();
    let (code, out, err) = env.run(&["preview", "--prompt", "A red fox in {rain", "--json"]);
    assert_eq!(code, 2);
    assert!(err.contains("col 14: \"{\" is never closed"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "template_syntax");
    let (code, _, err) = env.run(&["preview", "--prompt", "a __missing__", "--takes", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains(&env.data.path().join("wildcards").join("missing.txt").display().to_string()), "{err}");
    let (code, _, err) = env.run(&["preview", "--prompt", "x", "--vary", "ratio=2:1"]);
    assert_eq!(code, 2);
    assert!(err.contains("\"2:1\" is not a supported ratio"), "{err}");
}

#[test]
fn enqueue_queues_one_named_batch_in_order_with_wildcards() {
    let env = Env::new("variations").with_offline_account();
    wildcard(&env, "weather", "# weather\nrain\n\nsnow\n");
    let (code, out, err) =
        env.run(&["enqueue", "--account", "Studio", "--prompt", "A {red|blue} fox in __weather__", "--name", "Fox", "--vary", "ratio=16:9,9:16"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Queued batch \"Fox\""), "{out}");
    assert!(out.contains("8 jobs"), "{out}");
    let jobs = jobs_of(&env);
    assert_eq!(jobs.len(), 8);
    let batch = jobs[0].batch_id.clone().unwrap();
    assert!(jobs.iter().all(|j| j.batch_id.as_deref() == Some(batch.as_str())), "one batch");
    let names: Vec<&str> = jobs.iter().map(|j| j.name.as_deref().unwrap()).collect();
    assert_eq!(names[..3], ["Fox — red · rain · 16:9", "Fox — red · rain · 9:16", "Fox — red · snow · 16:9"]);
    assert_eq!((jobs[7].spec.prompt.as_str(), jobs[7].spec.ratio.as_str()), ("A blue fox in snow", "9:16"));
    let (_, out, _) = env.run(&["batches", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["source_file"], "template: A {red|blue} fox in __weather__");

    // A plain prompt is one job as before, its escapes written as characters.
    let (code, _, err) = env.run(&["enqueue", "--account", "Studio", "--prompt", r"a \{literal\} brace"]);
    assert_eq!(code, 0, "{err}");
    let last = jobs_of(&env).pop().unwrap();
    assert_eq!((last.spec.prompt.as_str(), last.batch_id.is_none()), ("a {literal} brace", true));
}

#[test]
fn over_a_thousand_needs_yes_and_over_ten_thousand_is_refused() {
    let env = Env::new("variations").with_offline_account();
    let ten = "{0|1|2|3|4|5|6|7|8|9}";
    let t = format!("{ten}{ten}{ten}");
    let (code, out, err) = env.run(&["enqueue", "--account", "Studio", "--prompt", &t, "--takes", "2", "--json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2000 jobs") && err.contains("--yes"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "variations_need_confirmation");
    assert!(jobs_of(&env).is_empty(), "nothing queued");
    let (code, _, err) = env.run(&["enqueue", "--account", "Studio", "--prompt", &t, "--vary", "duration=4,5,6,7,8,9,10,11,12,13,14"]);
    assert_eq!(code, 2);
    assert!(err.contains("this makes 11000 jobs; at most 10000"), "{err}");
    let (code, out, err) = env.run(&["enqueue", "--account", "Studio", "--prompt", &t, "--takes", "2", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2000 jobs"), "{out}");
    assert_eq!(jobs_of(&env).len(), 2_000);
}

#[test]
fn expand_then_edit_then_enqueue_file_round_trip() {
    let env = Env::new("variations").with_offline_account();
    let csv = env.data.path().join("fox.csv");
    let (code, _, err) = env.run(&["expand", "--prompt", FOX, "--name", "Fox", "--vary", "duration=5,8", "--out", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Wrote 8 jobs"), "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 9, "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("A red fox in rain,seedance_2_0,omni_reference,16:9,5,"), "{text}");

    // The person edits it: drops a row, rewrites one prompt with braces (no
    // `expand` column: they stay literal), and queues the file.
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines.remove(2);
    lines[1] = lines[1].replace("A red fox in rain", "A red fox in {heavy} rain");
    std::fs::write(&csv, lines.join("\r\n") + "\r\n").unwrap();
    let (code, out, err) = env.run(&["enqueue", "--file", csv.to_str().unwrap(), "--account", "Studio"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("7 jobs"), "{out}");
    let jobs = jobs_of(&env);
    assert_eq!(jobs.len(), 7);
    assert_eq!((jobs[0].spec.prompt.as_str(), jobs[0].name.as_deref()), ("A red fox in {heavy} rain", Some("Fox — red · rain · 5 s")));
    assert_eq!((jobs[1].name.as_deref(), jobs[1].spec.duration), (Some("Fox — red · snow · 5 s"), 5));
    assert_eq!((jobs[6].name.as_deref(), jobs[6].spec.duration), (Some("Fox — blue · snow · 8 s"), 8));

    // Without --out the CSV goes to standard output.
    let (code, out, _) = env.run(&["expand", "--prompt", "{a|b}"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 3);
}

#[test]
fn vary_needs_a_prompt() {
    let env = Env::new("variations").with_offline_account();
    let (code, _, err) = env.run(&["preview", "--vary", "duration=5,8"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--prompt"), "{err}");
}
