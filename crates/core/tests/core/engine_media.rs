//! Jobs with local media through the queue, against loova-sim over HTTP,
//! with a real SQLite file and the real keychain (run by scripts/test inside
//! dbus-run-session).

use crate::common;
use common::*;
use loova_core::engine::{self, EngineError};
use loova_core::store::JobState;
use loova_core::JobSpec;
use loova_testkit::wait_for_async_within;
use std::path::{Path, PathBuf};
use std::time::Duration;

const KEY: &str = "sk-live-media-test-0001";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn mixed_url_and_file_job_sends_the_files_as_queued() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let acct = rig.account("Media", KEY).await;
    // The creator's own files, outside the data folder.
    let mine = tempfile::tempdir().unwrap();
    let photo = mine.path().join("photo.png");
    let clip = mine.path().join("clip.mp4");
    std::fs::copy(fixture("red.png"), &photo).unwrap();
    std::fs::copy(fixture("clip.mp4"), &clip).unwrap();
    let (photo_size, clip_size) = (std::fs::metadata(&photo).unwrap().len() as usize, std::fs::metadata(&clip).unwrap().len() as usize);
    let spec = JobSpec {
        prompt: "@image1 dances".into(),
        duration: 6,
        image_urls: vec!["https://example.com/a.png".into()],
        image_files: vec![photo.display().to_string()],
        video_files: vec![clip.display().to_string()],
        ..JobSpec::default()
    };
    let job = engine::enqueue(&rig.db, &acct, &spec, None, &rig.prices).unwrap();
    // Priced at the video-reference rate: 30 credits/s × 6 s.
    assert_eq!(job.estimate_credits, Some(180));
    let media_dir = rig.dir.path().join("media").join(job.id.to_string());
    assert!(job.spec.image_files[0].starts_with(media_dir.to_str().unwrap()), "{:?}", job.spec);
    assert!(job.spec.video_files[0].starts_with(media_dir.to_str().unwrap()), "{:?}", job.spec);
    // The originals change after queueing (still valid files, other sizes).
    let mut bigger = std::fs::read(fixture("red.png")).unwrap();
    bigger.extend_from_slice(&[0u8; 5000]);
    std::fs::write(&photo, &bigger).unwrap();
    std::fs::remove_file(&clip).unwrap();

    // A file that is not media is refused before anything is queued.
    let bad = JobSpec { image_files: vec![fixture("text-named.png").display().to_string()], ..spec.clone() };
    let e = engine::enqueue(&rig.db, &acct, &bad, None, &rig.prices).unwrap_err();
    assert!(matches!(e, EngineError::Media(_)) && e.is_bad_input(), "{e}");
    assert!(e.to_string().contains("text-named.png") && e.to_string().contains("PNG"), "{e}");
    assert_eq!(rig.jobs().len(), 1);

    // A canceled job's copies go at once.
    let doomed = engine::enqueue(
        &rig.db,
        &acct,
        &JobSpec { prompt: "doomed".into(), image_files: vec![fixture("blue.jpg").display().to_string()], ..JobSpec::default() },
        None,
        &rig.prices,
    )
    .unwrap();
    let doomed_dir = rig.dir.path().join("media").join(doomed.id.to_string());
    assert!(doomed_dir.is_dir());
    engine::cancel(&rig.db, doomed.id).unwrap();
    assert!(!doomed_dir.exists());
    let e = engine::retry(&rig.db, doomed.id).unwrap_err();
    assert!(matches!(e, EngineError::Media(_)), "{e}");

    // Copies left behind by an earlier run for a job that is long gone.
    let stale = rig.dir.path().join("media").join("4242");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("image1-old.png"), b"old").unwrap();
    std::fs::File::open(&stale).unwrap().set_modified(std::time::SystemTime::now() - Duration::from_secs(7200)).unwrap();

    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    assert!(!stale.exists(), "swept at start");
    let done = rig.db.job(job.id).unwrap().unwrap();
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_eq!(done.credits_cost, Some(180), "charged the video-reference rate");
    rig.check_files();
    let forms = rig.sim.received_forms();
    assert_eq!(forms.len(), 1, "one create, sent once");
    let sizes: Vec<(Option<&str>, usize)> = forms[0].files.iter().map(|f| (f.content_type.as_deref(), f.size)).collect();
    assert_eq!(sizes, [(Some("image/png"), photo_size), (Some("video/mp4"), clip_size)], "the files as they were when queued");
    assert!(forms[0].fields.contains(&("image_urls".to_string(), "https://example.com/a.png".to_string())));
    // Done for good: the copies are gone.
    assert!(!media_dir.exists());
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_queued_job_whose_copy_was_deleted_stops_for_a_person_instead_of_retrying() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let acct = rig.account("Media", KEY).await;
    let spec = JobSpec { prompt: "@image1 waves".into(), image_files: vec![fixture("red.png").display().to_string()], ..JobSpec::default() };
    let job = engine::enqueue(&rig.db, &acct, &spec, None, &rig.prices).unwrap();
    // Someone tidies the data folder by hand while the job waits.
    std::fs::remove_dir_all(rig.dir.path().join("media").join(job.id.to_string())).unwrap();

    let engine = rig.engine();
    rig.run_until_idle(&engine, Duration::from_secs(60)).await;
    let stopped = rig.db.job(job.id).unwrap().unwrap();
    assert_eq!(stopped.state, JobState::Invalid, "{stopped:?}");
    assert_eq!(stopped.attempts, 0, "not retried: {stopped:?}");
    let error = stopped.last_error.clone().unwrap_or_default();
    assert!(error.contains("red.png") && error.contains("Nothing was sent") && error.contains("Composer"), "{error}");
    assert!(rig.sim.received_forms().is_empty(), "nothing reached Loova");
    let title = format!("Job {} cannot be sent as it is", job.id);
    wait_for_async_within("the person is told", Duration::from_secs(20), || rig.notices().iter().any(|n| n.title == title)).await;
    // Retrying cannot help either, and says why.
    let e = engine::retry(&rig.db, job.id).unwrap_err();
    assert!(matches!(e, EngineError::Media(_)) && e.to_string().contains("red.png"), "{e}");
}
