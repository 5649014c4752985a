//! A variation set end to end against loova-sim: a 2 × 2 × 2 template
//! (a group, a wildcard from the data folder, two ratios) is priced, queued
//! as ONE batch, each job is created exactly once, and all 8 files land
//! named after their values (real SQLite, real keychain: run by
//! scripts/test inside dbus-run-session).

use crate::common;
use common::*;
use loova_core::store::JobState;
use loova_core::variations::{self, FieldValues, VariationRequest, Wildcards};
use loova_core::JobSpec;
use std::collections::HashSet;
use std::time::Duration;

const KEY: &str = "sk-live-variations-test-0001";

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_two_by_two_by_two_set_is_one_batch_and_eight_named_files() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let acct = rig.account("Studio", KEY).await;
    std::fs::create_dir_all(rig.dir.path().join("wildcards")).unwrap();
    std::fs::write(rig.dir.path().join("wildcards/weather.txt"), "# what falls\nrain\nsnow\n").unwrap();

    let req = VariationRequest {
        template: "A {red|blue} fox in __weather__".into(),
        base: JobSpec { duration: 4, ..JobSpec::default() },
        vary: vec![FieldValues::parse("ratio=16:9,9:16").unwrap()],
        takes: 1,
        name: Some("Fox".into()),
    };
    let expansion = variations::expand(&req, &mut Wildcards::of_data_dir(rig.dir.path())).unwrap();
    let preview = loova_core::variation_sets::preview(&expansion, &rig.prices, None, None, false);
    // 8 jobs × 4 s × 15 credits/s.
    assert_eq!((preview.count, preview.batch.total_credits), (8, 8 * 4 * 15));
    let summary = loova_core::variation_sets::enqueue(&rig.db, &acct, &expansion, &rig.prices, false).unwrap();
    assert_eq!((summary.queued, summary.batch.name.as_str()), (8, "Fox"));

    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 8);
    rig.check_files();

    let jobs = rig.jobs();
    assert!(jobs.iter().all(|j| j.batch_id.as_deref() == Some(summary.batch.id.as_str())), "one batch");
    let names: Vec<&str> = jobs.iter().map(|j| j.name.as_deref().unwrap()).collect();
    assert_eq!(names[0], "Fox — red · rain · 16:9");
    assert_eq!(names[7], "Fox — blue · snow · 9:16");
    let files: HashSet<String> =
        jobs.iter().map(|j| std::path::Path::new(j.video_path.as_ref().unwrap()).file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(files.len(), 8, "eight distinct files: {files:?}");
    for j in &jobs {
        let file = std::path::Path::new(j.video_path.as_ref().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
        let values = &j.name.as_deref().unwrap()["Fox — ".len()..];
        for word in values.split(" · ").take(2) {
            assert!(file.contains(word), "{file} is named after {values}");
        }
    }

    // At most once: one task per job, each with the prompt and ratio it was given.
    let st = rig.sim.state();
    let tasks = &st.key(KEY).unwrap().tasks;
    assert_eq!(tasks.len(), 8);
    let sent: HashSet<(String, String)> = tasks.iter().map(|t| (t.prompt.clone(), t.ratio.clone())).collect();
    let want: HashSet<(String, String)> = expansion.jobs.iter().map(|j| (j.spec.prompt.clone(), j.spec.ratio.clone())).collect();
    assert_eq!(sent, want);
}
