//! `loova library`: a folder of videos with their sidecars is read back into
//! an empty data folder (`--rebuild`), listed as JSON with paths and recipes,
//! and searched by a word from the middle of a prompt.

use crate::common;
use loova_core::library::{LocalFile, Sidecar};
use std::path::Path;

fn loova(data: &Path, out_dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run(common::loova(data).args(args).env("LOOVA_DESK_OUTPUT_DIR", out_dir))
}

fn recipe(prompt: &str, account: &str, downloaded_at: i64) -> Sidecar {
    Sidecar {
        format: 1,
        app_version: loova_core::VERSION.into(),
        name: None,
        prompt: prompt.into(),
        model: "seedance_2_0".into(),
        function_mode: "omni_reference".into(),
        ratio: "16:9".into(),
        duration: 5,
        image_urls: vec![],
        video_urls: vec![],
        audio_urls: vec![],
        local_files: vec![LocalFile { kind: "image".into(), name: "fox.png".into(), bytes: 3, sha256: "ba78".into() }],
        task_id: Some(format!("task-{downloaded_at}")),
        trace_id: None,
        estimate_credits: Some(100),
        price_list_date: Some("2026-01-01".into()),
        credits_cost: Some(100),
        account: account.into(),
        batch: Some("Spring".into()),
        created_at: downloaded_at - 1000,
        submitted_at: Some(downloaded_at - 900),
        finished_at: Some(downloaded_at - 100),
        downloaded_at,
        pick: false,
        rating: None,
    }
}

/// Two accounts' videos, as the app saves them, plus a sidecar whose video is gone.
fn videos(out: &Path) {
    let day = loova_core::library::date_to_ms("2026-03-02").unwrap();
    for (account, file, prompt, at) in
        [("Studio", "fox.mp4", "a red fox leaping through deep snow", day), ("Home", "heron.mp4", "a grey heron standing in the marsh", day + 86_400_000)]
    {
        let dir = out.join(account);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), loova_sim::routes::files::SAMPLE_MP4).unwrap();
        recipe(prompt, account, at).write_beside(&dir.join(file)).unwrap();
    }
    recipe("gone", "Home", day).write_beside(&out.join("Home").join("gone.mp4")).unwrap();
}

#[test]
fn rebuild_then_list_and_search_as_json() {
    let data = loova_testkit::data_dir();
    let out = tempfile::tempdir().unwrap();
    videos(out.path());

    let (code, stdout, err) = loova(data.path(), out.path(), &["library", "--json"]);
    assert_eq!((code, stdout.trim()), (0, "[]"), "an empty data folder has an empty library: {err}");

    // Default folder: the output folder.
    let (code, stdout, err) = loova(data.path(), out.path(), &["library", "--rebuild", "--json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["videos"], 2, "{report}");
    assert_eq!(report["skipped"].as_array().unwrap().len(), 1, "the sidecar without its video: {report}");
    // Idempotent.
    let (code, _, err) = loova(data.path(), out.path(), &["library", "--rebuild", out.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");

    let (code, stdout, err) = loova(data.path(), out.path(), &["library", "--json"]);
    assert_eq!(code, 0, "{err}");
    let all: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(all.len(), 2, "{stdout}");
    // Newest first, with the path and the whole recipe.
    assert_eq!(all[0]["path"], out.path().join("Home").join("heron.mp4").display().to_string());
    assert_eq!(all[0]["exists"], true);
    let back: Sidecar = serde_json::from_value(all[0]["sidecar"].clone()).unwrap();
    assert_eq!(back, recipe("a grey heron standing in the marsh", "Home", back.downloaded_at));

    let (code, stdout, err) = loova(data.path(), out.path(), &["library", "--search", "leaping", "--json"]);
    assert_eq!(code, 0, "{err}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["sidecar"]["prompt"], "a red fox leaping through deep snow");

    let count = |args: &[&str]| {
        let (code, stdout, err) = loova(data.path(), out.path(), &[&["library", "--json"], args].concat());
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Vec<serde_json::Value>>(&stdout).unwrap().len()
    };
    assert_eq!(count(&["--account", "studio"]), 1);
    assert_eq!(count(&["--batch", "Spring"]), 2);
    assert_eq!(count(&["--since", "2026-03-03"]), 1);
    assert_eq!(count(&["--search", "snow", "--account", "Home"]), 0);

    let (code, stdout, _) = loova(data.path(), out.path(), &["library", "--search", "heron"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("heron.mp4") && stdout.contains("2026-03-03 · Home · seedance_2_0 · 5 s · 100 credits"), "{stdout}");
}

#[test]
fn a_bad_date_or_folder_is_bad_input() {
    let data = loova_testkit::data_dir();
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, err) = loova(data.path(), out.path(), &["library", "--since", "yesterday", "--json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    let (code, _, err) = loova(data.path(), out.path(), &["library", "--rebuild", out.path().join("nope").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a folder"), "{err}");
}

/// Keeping the best takes: a pick and a rating survive a Rebuild (they are
/// in the sidecar), filter the list, and the picks export to a folder with
/// their sidecars, named by their recipe.
#[test]
fn picks_and_ratings_filter_export_and_survive_a_rebuild() {
    let data = loova_testkit::data_dir();
    let out = tempfile::tempdir().unwrap();
    videos(out.path());
    assert_eq!(loova(data.path(), out.path(), &["library", "--rebuild"]).0, 0);
    let listed = |args: &[&str]| -> Vec<serde_json::Value> {
        let (code, stdout, err) = loova(data.path(), out.path(), &[&["library", "--json"], args].concat());
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&stdout).unwrap()
    };
    let all = listed(&[]);
    let id_of = |prompt: &str| all.iter().find(|e| e["sidecar"]["prompt"].as_str().unwrap().contains(prompt)).unwrap()["id"].as_i64().unwrap().to_string();
    let (fox, heron) = (id_of("fox"), id_of("heron"));

    let (code, stdout, err) = loova(data.path(), out.path(), &["library", "pick", &fox]);
    assert_eq!((code, stdout.trim()), (0, format!("Video #{fox} picked ★.").as_str()), "{err}");
    assert_eq!(loova(data.path(), out.path(), &["library", "rate", &heron, "4"]).0, 0);
    assert_eq!(loova(data.path(), out.path(), &["library", "rate", &heron, "6"]).0, 2, "1 to 5 only");
    assert_eq!(loova(data.path(), out.path(), &["library", "pick", "999"]).0, 2);
    let prompts = |v: Vec<serde_json::Value>| v.iter().map(|e| e["sidecar"]["prompt"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(prompts(listed(&["--picks"])), ["a red fox leaping through deep snow"]);
    assert_eq!(prompts(listed(&["--min-rating", "4"])), ["a grey heron standing in the marsh"]);
    assert!(listed(&["--min-rating", "5"]).is_empty());
    // In the sidecar beside the video, not only in SQLite.
    let beside: Sidecar = Sidecar::read(&out.path().join("Studio/fox.mp4.json")).unwrap();
    assert!(beside.pick && beside.rating.is_none());

    // A new data folder rebuilt from the same videos keeps both.
    let fresh = loova_testkit::data_dir();
    assert_eq!(loova(fresh.path(), out.path(), &["library", "--rebuild"]).0, 0);
    let (code, stdout, _) = loova(fresh.path(), out.path(), &["library", "--picks", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(prompts(serde_json::from_str(&stdout).unwrap()), ["a red fox leaping through deep snow"]);

    // Export: the picks with their sidecars, named by their recipe, never over a file.
    let dest = tempfile::tempdir().unwrap();
    let to = dest.path().join("keepers");
    for round in 1..=2 {
        let (code, stdout, err) = loova(data.path(), out.path(), &["library", "export", "--picks", "--to", to.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(stdout.starts_with("1 picked take(s) copied into"), "{stdout}");
        let name = if round == 1 { "a red fox leaping through deep snow.mp4" } else { "a red fox leaping through deep snow (2).mp4" };
        assert_eq!(std::fs::read(to.join(name)).unwrap(), loova_sim::routes::files::SAMPLE_MP4, "round {round}");
        assert!(Sidecar::read(&to.join(format!("{name}.json"))).unwrap().pick);
    }
    // The rest of the set (batch "Spring"): listed first, then to the trash.
    let heron_path = out.path().join("Home/heron.mp4");
    let (code, stdout, _) = loova(data.path(), out.path(), &["library", "clear-rest", "--batch", "Spring"]);
    assert!(code == 0 && stdout.contains(heron_path.to_str().unwrap()) && stdout.contains("--yes"), "{stdout}");
    assert!(!stdout.contains("fox.mp4"), "the pick stays: {stdout}");
    assert!(heron_path.exists(), "a listing moves nothing");
    let trash_home = tempfile::tempdir().unwrap();
    let (code, stdout, err) = common::run(
        common::loova(data.path())
            .args(["library", "clear-rest", "--batch", "Spring", "--yes"])
            .env("LOOVA_DESK_OUTPUT_DIR", out.path())
            .env("XDG_DATA_HOME", trash_home.path()),
    );
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(!heron_path.exists() && out.path().join("Studio/fox.mp4").exists(), "{stdout}");
    assert_eq!(prompts(listed(&["--batch", "Spring"])), ["a red fox leaping through deep snow"]);
    assert_eq!(loova(data.path(), out.path(), &["library", "clear-rest", "--batch", "Nope"]).0, 2);

    assert_eq!(loova(data.path(), out.path(), &["library", "pick", &fox, "--off"]).0, 0);
    let (code, _, err) = loova(data.path(), out.path(), &["library", "export", "--picks", "--to", to.to_str().unwrap()]);
    assert!(code == 2 && err.contains("No picked takes"), "{err}");
}
