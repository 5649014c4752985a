//! The library against loova-sim: every downloaded video gets a sidecar that
//! matches its job and the simulator's task, a body that is not an MP4 is
//! never saved, and the sidecars alone rebuild the library in an empty data
//! folder (real SQLite, real keychain: run by scripts/test inside dbus-run-session).

use crate::common;
use common::*;
use loova_core::engine::enqueue;
use loova_core::library::{mp4, rebuild, sidecar, Sidecar};
use loova_core::store::{Db, JobState, LibraryFilter};
use loova_core::JobSpec;
use loova_sim::FaultKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "sk-live-library-test-0001";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)
}

fn search(db: &Db, text: &str) -> Vec<String> {
    db.library(&LibraryFilter { search: Some(text.into()), ..Default::default() }).unwrap().into_iter().map(|e| e.sidecar.prompt).collect()
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn sidecars_match_jobs_and_tasks_and_rebuild_the_library_elsewhere() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let acct = rig.account("Studio", KEY).await;
    rig.enqueue_many(&acct, 4, "lib");
    let photo = fixture("red.png");
    let spec = JobSpec {
        prompt: "a grey heron standing in the marsh at dawn".into(),
        image_files: vec![photo.display().to_string()],
        image_urls: vec!["https://example.com/a.png".into()],
        ..JobSpec::default()
    };
    let heron = enqueue(&rig.db, &acct, &spec, Some("Heron take"), &rig.prices).unwrap().id;
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    assert_eq!(rig.count(JobState::Downloaded), 5);
    rig.check_files();

    let st = rig.sim.state();
    let tasks = &st.key(KEY).unwrap().tasks;
    for job in rig.jobs() {
        let video = PathBuf::from(job.video_path.as_ref().unwrap());
        let json = sidecar::path_for(&video);
        let text = std::fs::read_to_string(&json).unwrap();
        assert!(!text.contains(KEY), "a sidecar never holds the key");
        let s = Sidecar::read(&json).unwrap();
        let task = tasks.iter().find(|t| Some(&t.task_id) == job.task_id.as_ref()).expect("the job's task exists");
        assert_eq!(s.format, 1);
        assert_eq!(s.task_id, job.task_id);
        assert_eq!(s.trace_id, job.trace_id);
        assert_eq!(s.credits_cost, Some(task.credits_cost), "the charge the simulator made");
        assert_eq!(s.credits_cost, job.credits_cost);
        assert_eq!((s.estimate_credits, &s.price_list_date), (job.estimate_credits, &job.price_list_date));
        assert_eq!((&s.prompt, &s.model, s.duration, &s.ratio), (&task.prompt, &task.model, task.duration, &task.ratio));
        assert_eq!(s.account, "Studio");
        assert_eq!((s.created_at, s.submitted_at, s.finished_at), (job.created_at, job.submitted_at, job.finished_at));
        assert!(s.downloaded_at >= job.finished_at.unwrap());
        assert_eq!(s.app_version, loova_core::VERSION);
        if job.id == heron {
            assert_eq!(s.name.as_deref(), Some("Heron take"));
            assert_eq!(s.image_urls, spec.image_urls);
            assert_eq!(s.local_files.len(), 1);
            let f = &s.local_files[0];
            assert_eq!((f.kind.as_str(), f.name.as_str()), ("image", "red.png"));
            assert_eq!(f.bytes, std::fs::metadata(&photo).unwrap().len());
            assert_eq!(f.sha256.len(), 64);
        } else {
            assert!(s.local_files.is_empty());
        }
    }

    // Every download was recorded as it happened; FTS finds a word in the middle of a prompt.
    let all = rig.db.library(&LibraryFilter::default()).unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(search(&rig.db, "standing"), vec![spec.prompt.clone()]);
    assert_eq!(search(&rig.db, "Heron take").len(), 1, "the name is searched too");
    assert_eq!(search(&rig.db, "snow").len(), 4);
    let by_account = LibraryFilter { account: Some("studio".into()), ..Default::default() };
    assert_eq!(rig.db.library(&by_account).unwrap().len(), 5);
    let later = LibraryFilter { since_ms: Some(all[0].sidecar.downloaded_at + 1), ..Default::default() };
    assert!(rig.db.library(&later).unwrap().is_empty());

    // A new computer: an empty data folder, the same videos folder.
    let fresh = tempfile::tempdir().unwrap();
    let db = Db::open_in(fresh.path()).unwrap();
    assert!(db.library(&LibraryFilter::default()).unwrap().is_empty());
    let report = rebuild(&db, &rig.out).unwrap();
    assert_eq!((report.videos, report.skipped.len()), (5, 0), "{report:?}");
    // The same videos and recipes (a new database numbers them anew).
    let recipes = |db: &Db| db.library(&LibraryFilter::default()).unwrap().into_iter().map(|e| (e.path, e.sidecar)).collect::<Vec<_>>();
    assert_eq!(recipes(&db), recipes(&rig.db));
    assert_eq!(rebuild(&db, &rig.out).unwrap().videos, 5);
    assert_eq!(recipes(&db), recipes(&rig.db), "rebuilding twice gives the same library");
    assert_eq!(search(&db, "standing"), vec![spec.prompt.clone()]);
}

/// Every `*.mp4` under `dir` that exists is a real MP4.
fn watch_final_names(dir: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut bad = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            for p in loova_testkit::files_under(&dir) {
                if p.extension().is_some_and(|e| e == "mp4") {
                    if let Err(why) = mp4::check(&p) {
                        // The file may have been moved away between listing and reading.
                        if p.exists() {
                            bad.push(format!("{}: {why}", p.display()));
                        }
                    }
                }
            }
            std::thread::yield_now();
        }
        bad
    })
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_body_of_the_right_length_that_is_not_an_mp4_is_retried_never_saved() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    cfg.faults.download.script = [FaultKind::Malformed, FaultKind::Malformed, FaultKind::Malformed].into_iter().collect();
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Careful", KEY).await;
    rig.enqueue_many(&acct, 1, "malformed");
    std::fs::create_dir_all(&rig.out).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_final_names(rig.out.clone(), stop.clone());
    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;
    stop.store(true, Ordering::Relaxed);
    assert_eq!(watcher.join().unwrap(), Vec::<String>::new(), "a non-MP4 file appeared under a final name");
    let job = &rig.jobs()[0];
    assert_eq!(job.state, JobState::Downloaded);
    assert!(job.last_error.is_none());
    let saved = std::fs::read(job.video_path.as_ref().unwrap()).unwrap();
    assert_eq!(saved, loova_sim::routes::files::SAMPLE_MP4, "saved correctly once the fault stopped");
    rig.check_files();
    let st = rig.sim.state();
    let downloads: Vec<_> = st.requests.iter().filter(|r| r.fault == Some(FaultKind::Malformed)).collect();
    assert_eq!(downloads.len(), 3, "each malformed body was retried");
    assert!(sidecar::path_for(Path::new(job.video_path.as_ref().unwrap())).exists());
}
